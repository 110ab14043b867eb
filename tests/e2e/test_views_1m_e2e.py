"""The views of a 1,000,000-row clustering result in the browser: each says on screen what it sampled,
and how long each takes to show (first paint) is measured and reported in perf.json, never asserted
here (`python -m bench.bench_browser` gates it).

"Cold" is the first time a view of this result is opened (the server computes its payload and keeps
it); "warm" the median of the next openings, in a freshly loaded page each time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT
from tests.e2e.e2e_helpers import record, sign_up_and_sign_in
from tests.e2e.test_visualize import clustering_graph, output_url, rendered_at, wait_rendered

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_S = 600.0  # a million rows through Train and Assign on a busy 2-core machine
WARM_LOADS = 3


def finished(page: Page, experiment_id: int) -> int:
    started = page.request.post(f"/api/experiments/{experiment_id}/runs")
    assert started.status == 202, started.text()
    run_id = int(started.json()["id"])
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (status := page.request.get(f"/api/runs/{run_id}").json()["status"]) in ("queued", "running"):
        assert time.monotonic() < deadline, f"run {run_id} did not finish within {RUN_TIMEOUT_S:.0f} s"
        time.sleep(0.5)
    assert status == "succeeded"
    return run_id


@pytest.fixture(scope="module")
def million(browser: Browser, server_url: str) -> Iterator[dict[str, Any]]:
    """Two runs of Blobs 1M through K-Means: k = 4, then k = 5 (the one whose views are measured)."""
    context = browser.new_context(base_url=server_url, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_up_and_sign_in(page)
        graph = clustering_graph("sample-synthetic-1m", 4, sweep=False)
        created = page.request.post("/api/experiments", data={"name": "Blobs 1M", "graph": graph})
        assert created.status == 201, created.text()
        experiment_id = int(created.json()["id"])
        first = finished(page, experiment_id)
        graph["nodes"][1]["params"]["n_clusters"] = 5
        saved = page.request.put(f"/api/experiments/{experiment_id}", data={"graph": graph, "version": 1})
        assert saved.ok, saved.text()
        second = finished(page, experiment_id)
        yield {"cookies": context.cookies(), "first": first, "second": second}
    finally:
        context.close()


def open_tab(page: Page, name: str, test_id: str) -> float:
    """Click a tab; milliseconds until its view is on screen (measured in the page)."""
    started = page.evaluate("performance.now()")
    page.get_by_role("tab", name=name).click()
    page.get_by_test_id(test_id).wait_for(timeout=60_000)
    return float(page.evaluate("performance.now()")) - float(started)


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
            timings[name].append(open_tab(page, name, test_id))
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
