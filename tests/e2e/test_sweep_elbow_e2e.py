"""The elbow in a real browser: a K-Means sweep of Iris (k = 2 … 8, three seeds each) shows, beside the
chosen metric's chart, the elbow curve (the lowest inertia of each k) with the knee Kneedle finds on
that curve and the sweep's best k marked, and the seeds' agreement per k.

The experiment is created and run through the API with the browser's session cookie; the test opens
the standalone output page. Screenshot: tests/e2e/screenshots/sweep-elbow.png.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kneed import KneeLocator
from playwright.sync_api import Browser, Page, expect

from tests import graphs
from tests.e2e.e2e_helpers import output_url, run_new_experiment, signed_up_page, wait_rendered

pytestmark = pytest.mark.e2e

KS = list(range(2, 9))


GRAPH = {
    "nodes": [
        graphs.node("data", "dataset", dataset_id="sample-iris"),
        graphs.node(
            "kmeans", "kmeans_clustering", trainer_mode="range", n_clusters_range="2-8", n_seeds=3, seed=11
        ),
        graphs.node("sweep", "sweep_clustering", sweep_mode="grid"),
    ],
    "edges": [
        graphs.edge("kmeans", "untrained_model", "sweep", "untrained_model"),
        graphs.edge("data", "dataset", "sweep", "dataset"),
    ],
}


@pytest.fixture(scope="module")
def run(browser: Browser, server_url: str) -> Iterator[dict[str, Any]]:
    with signed_up_page(browser, server_url) as page:
        run_id = run_new_experiment(page, "Iris elbow", GRAPH)
        payload = page.request.get(f"/api/runs/{run_id}/nodes/sweep/outputs/sweep_results/visualization")
        assert payload.ok, payload.text()
        yield {"cookies": page.context.cookies(), "run": run_id, "viz": payload.json()}


@pytest.fixture
def signed_in(page: Page, run: dict[str, Any]) -> Page:
    page.context.add_cookies(run["cookies"])
    return page


def test_the_payload_carries_the_elbow_and_kneedles_knee(run: dict[str, Any]) -> None:
    elbow = run["viz"]["elbow"]
    ks = [p["k"] for p in elbow["points"]]
    inertia = [p["inertia"] for p in elbow["points"]]
    assert ks == KS and all(p["count"] == 3 for p in elbow["points"])
    assert all(a > b for a, b in zip(inertia, inertia[1:], strict=False))  # more clusters, less inertia
    knee = KneeLocator(ks, inertia, curve="convex", direction="decreasing").knee
    assert knee is not None and elbow["knee"] == {"k": knee, "inertia": inertia[ks.index(knee)]}
    assert [p["k"] for p in run["viz"]["stability"]["points"]] == KS


def test_the_sweep_view_shows_the_elbow_with_its_knee(
    signed_in: Page, run: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    viz = run["viz"]
    knee, best = viz["elbow"]["knee"]["k"], viz["best"]["k"]
    page.goto(output_url(run["run"], "sweep", "sweep_results"))
    wait_rendered(page, "sweep-chart")
    wait_rendered(page, "elbow-chart")
    elbow = page.get_by_test_id("elbow-chart")
    expect(elbow).to_have_attribute("data-knee", str(knee))
    expect(elbow).to_have_attribute("data-best-k", str(best))
    expect(elbow).to_have_attribute("data-ks", str(len(KS)))
    expect(page.get_by_test_id("knee-note")).to_contain_text(f"knee at k = {knee}")
    expect(
        page.get_by_role("img", name=f"Inertia for each number of centroids; knee k = {knee}")
    ).to_be_visible()
    # beside the chosen metric's chart: the two sit on one row
    metric_box = page.get_by_test_id("sweep-chart").bounding_box()
    elbow_box = elbow.bounding_box()
    assert metric_box is not None and elbow_box is not None
    assert elbow_box["x"] > metric_box["x"] + metric_box["width"] / 2
    assert abs(elbow_box["y"] - metric_box["y"]) < metric_box["height"] / 2
    wait_rendered(page, "stability-chart")
    expect(page.get_by_test_id("stability-chart")).to_have_attribute("data-ks", str(len(KS)))
    screenshot("sweep-elbow")
    # another metric keeps the elbow as it is
    page.get_by_text("Davies-Bouldin", exact=True).click()
    expect(page.get_by_test_id("sweep-chart")).to_have_attribute("data-metric", "Davies-Bouldin")
    expect(elbow).to_have_attribute("data-knee", str(knee))


def test_a_dbscan_sweep_plots_the_metric_against_the_swept_radius(
    signed_in: Page, screenshot: Callable[[str], Path]
) -> None:
    """Any algorithm's swept parameter is an x axis: DBSCAN's default range sweeps eps."""
    page = signed_in
    graph = {
        "nodes": [
            graphs.node("data", "dataset", dataset_id="sample-iris"),
            graphs.node("dbscan", "dbscan_clustering", trainer_mode="range"),
            graphs.node("sweep", "sweep_clustering", sweep_mode="grid"),
        ],
        "edges": [
            graphs.edge("dbscan", "untrained_model", "sweep", "untrained_model"),
            graphs.edge("data", "dataset", "sweep", "dataset"),
        ],
    }
    run_id = run_new_experiment(page, "Iris DBSCAN sweep", graph)
    viz = page.request.get(f"/api/runs/{run_id}/nodes/sweep/outputs/sweep_results/visualization").json()
    swept = [p["column"] for p in viz["parameters"]]
    assert len(swept) == 1 and swept[0].startswith("Eps")
    page.goto(output_url(run_id, "sweep", "sweep_results"))
    wait_rendered(page, "sweep-chart")
    page.get_by_test_id("sweep-x").select_option(label=swept[0])
    expect(page.get_by_role("heading", name=f"Simplified Silhouette against {swept[0]}")).to_be_visible()
    expect(page.get_by_test_id("sweep-chart")).to_have_attribute("data-x", swept[0])
    wait_rendered(page, "sweep-chart")
    screenshot("sweep-dbscan-eps")
