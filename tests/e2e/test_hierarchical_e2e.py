"""A hierarchical model in a real browser: Iris → Hierarchical Clustering (Ward, 3 clusters) → Train,
run through the API; the trained model's output page shows the dendrogram with the cut line where the
model cut the tree, and says it shows only the last merges of the 150 rows.
Screenshot: tests/e2e/screenshots/hierarchical-dendrogram.png.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests import graphs
from tests.e2e.e2e_helpers import sign_up_and_sign_in

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_S = 120.0


def run_experiment(page: Page) -> int:
    graph: dict[str, Any] = {
        "nodes": [
            graphs.node("data", "dataset", 0, 0, dataset_id="sample-iris"),
            graphs.node("tree", "hierarchical_clustering", 320, 0, linkage="ward", n_clusters=3),
            graphs.node("train", "train_clustering_model", 160, 200),
        ],
        "edges": [
            graphs.edge("tree", "untrained_model", "train", "untrained_model"),
            graphs.edge("data", "dataset", "train", "dataset"),
        ],
    }
    created = page.request.post("/api/experiments", data={"name": "Iris tree", "graph": graph})
    assert created.status == 201, created.text()
    started = page.request.post(f"/api/experiments/{created.json()['id']}/runs")
    assert started.status == 202, started.text()
    run_id = int(started.json()["id"])
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = page.request.get(f"/api/runs/{run_id}").json()
        if run["status"] not in ("queued", "running"):
            assert run["status"] == "succeeded", run
            return run_id
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish within {RUN_TIMEOUT_S:.0f} s")


def test_a_hierarchical_model_shows_its_dendrogram_with_the_cut(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    run_id = run_experiment(page)
    summary = page.request.get(f"/api/runs/{run_id}/nodes/train/outputs/trained_model").json()
    cut = summary["dendrogram"]["cut_height"]
    assert cut is not None and summary["k"] == 3

    page.goto(f"/runs/{run_id}/nodes/train/outputs/trained_model")
    expect(page.get_by_role("heading", name="Dendrogram")).to_be_visible()
    tree = page.get_by_test_id("dendrogram")
    expect(tree).to_be_visible()
    expect(tree).to_have_attribute("data-leaves", "50")
    expect(tree).to_have_attribute("data-links", "49")
    expect(tree).to_have_attribute("data-truncated", "true")
    expect(tree).to_have_attribute("data-cut", str(cut))
    expect(page.get_by_test_id("dendrogram-link")).to_have_count(49)
    expect(page.get_by_test_id("dendrogram-cut")).to_be_visible()
    expect(page.get_by_test_id("dendrogram-note")).to_contain_text("Showing the last 49 merges of 149")
    # the cut line lies between the two highest links' tops (the last two merges are undone)
    cut_line = page.get_by_test_id("dendrogram-cut").locator("line").bounding_box()
    assert cut_line is not None
    tops = sorted(
        box["y"]
        for box in (link.bounding_box() for link in page.get_by_test_id("dendrogram-link").all())
        if box
    )
    assert tops[0] < tops[1] < cut_line["y"] < tops[2]
    expect(page.get_by_test_id("centroid-table").locator("tbody tr")).to_have_count(3)
    tree.scroll_into_view_if_needed()
    screenshot("hierarchical-dendrogram")
