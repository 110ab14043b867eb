"""The views of a 1,000,000-row clustering result in the browser: each says on screen what it sampled,
and how long each takes to show (first paint) is measured and reported in perf.json, never asserted
here (`python -m bench.bench_browser` gates it).

"Cold" is the first time a view of this result is opened (the server computes its payload and keeps
it); "warm" the median of the next openings, in a freshly loaded page each time.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.e2e_helpers import (
    clustering_graph,
    create_experiment,
    open_tab,
    output_url,
    record,
    rendered_at,
    run_to_success,
    signed_up_page,
    wait_rendered,
)

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_S = 600.0  # a million rows through Train and Assign on a busy 2-core machine
WARM_LOADS = 3


@pytest.fixture(scope="module")
def million(browser: Browser, server_url: str) -> Iterator[dict[str, Any]]:
    """Two runs of Blobs 1M through K-Means: k = 4, then k = 5 (the one whose views are measured)."""
    with signed_up_page(browser, server_url) as page:
        graph = clustering_graph("sample-synthetic-1m", 4, sweep=False)
        experiment_id = create_experiment(page, "Blobs 1M", graph)
        first = run_to_success(page, experiment_id, RUN_TIMEOUT_S)
        graph["nodes"][1]["params"]["n_clusters"] = 5
        saved = page.request.put(f"/api/experiments/{experiment_id}", data={"graph": graph, "version": 1})
        assert saved.ok, saved.text()
        second = run_to_success(page, experiment_id, RUN_TIMEOUT_S)
        yield {"cookies": page.context.cookies(), "first": first, "second": second}


def test_every_view_of_a_million_row_result_shows_and_says_what_it_sampled(
    page: Page, million: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page.context.add_cookies(million["cookies"])
    url = output_url(million["second"], "assign", "results_dataset")
    # (tab, what is on screen once it shows); the Clusters tab opens with the page.
    tabs = [
        ("Table", "grid-range"),
        ("Silhouette", "silhouette-view"),
        ("Profiles", "profile-view"),
        ("Compare runs", "compare-result"),
    ]
    timings: dict[str, list[float]] = {"Clusters": [], **{name: [] for name, _ in tabs}}
    for load in range(1 + WARM_LOADS):
        page.goto(url)
        wait_rendered(page, "cluster-chart", timeout=60_000)
        timings["Clusters"].append(rendered_at(page, "cluster-chart"))
        for name, test_id in tabs:
            timings[name].append(open_tab(page, name, test_id, timeout=60_000))
        if load == 0:
            # What each view sampled is said on screen.
            page.get_by_role("tab", name="Clusters").click()
            expect(page.get_by_test_id("sample-note")).to_contain_text("of 1,000,000 points")
            screenshot("views-1m-clusters")
            page.get_by_role("tab", name="Table").click()
            expect(page.get_by_test_id("grid-range")).to_contain_text("of 1,000,000")
            page.get_by_role("tab", name="Silhouette").click()
            expect(page.get_by_test_id("silhouette-note")).to_contain_text("of 1,000,000 rows")
            expect(page.get_by_test_id("silhouette-chart")).to_have_attribute("data-rows", "5000")
            screenshot("views-1m-silhouette")
            page.get_by_role("tab", name="Profiles").click()
            expect(page.get_by_test_id("profile-card")).to_have_count(5)
            expect(page.get_by_test_id("profile-notes")).to_contain_text("from a sample of")
            screenshot("views-1m-profiles")
            page.get_by_role("tab", name="Compare runs").click()
            expect(page.get_by_test_id("compare-run")).to_have_value(str(million["first"]))
            expect(page.get_by_test_id("contingency-table").locator("tbody tr")).to_have_count(5)
            screenshot("views-1m-compare")
    report = {
        name.lower().replace(" ", "_"): {
            "cold_ms": round(values[0]),
            "warm_median_ms": round(statistics.median(values[1:])),
        }
        for name, values in timings.items()
    }
    record("views_1m_rows", report)
