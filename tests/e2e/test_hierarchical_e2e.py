"""A hierarchical model in a real browser: Iris → Hierarchical Clustering (Ward, 3 clusters) → Train,
run through the API; the trained model's output page shows the dendrogram with the cut line where the
model cut the tree, and says it shows only the last merges of the 150 rows.
Screenshot: tests/e2e/screenshots/hierarchical-dendrogram.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_helpers import output_url, run_new_experiment, sign_up_and_sign_in, trained_by

pytestmark = pytest.mark.e2e


def test_a_hierarchical_model_shows_its_dendrogram_with_the_cut(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    graph = trained_by("sample-iris", "tree", "hierarchical_clustering", linkage="ward", n_clusters=3)
    run_id = run_new_experiment(page, "Iris tree", graph)
    summary = page.request.get(f"/api/runs/{run_id}/nodes/train/outputs/trained_model").json()
    cut = summary["dendrogram"]["cut_height"]
    assert cut is not None and summary["k"] == 3

    page.goto(output_url(run_id, "train", "trained_model"))
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
