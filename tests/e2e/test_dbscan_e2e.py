"""A DBSCAN model in a real browser: Iris → DBSCAN Clustering (eps 0.2, minimum samples 5, the
defaults) → Train, run through the API. scikit-learn finds two clusters and three noise rows (rows 42,
118 and 132); the results page's cluster chart draws the noise grey and counts it in the legend, the
table shows "Noise" in its Assignments column, and the model page reports the noise rows.
Screenshots: tests/e2e/screenshots/dbscan-clusters.png, dbscan-table.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_helpers import output_url, run_new_experiment, sign_up_and_sign_in, trained_by

pytestmark = pytest.mark.e2e

NOISE_ROWS = [41, 117, 131]  # 0-based, as scikit-learn's DBSCAN labels them -1 on normalised Iris


def test_dbscan_noise_is_grey_in_the_chart_and_reads_noise_in_the_table(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    run_id = run_new_experiment(
        page, "Iris density", trained_by("sample-iris", "density", "dbscan_clustering")
    )
    chart = page.request.get(f"/api/runs/{run_id}/nodes/train/outputs/results_dataset/visualization").json()
    assert chart["k"] == 2 and chart["noise_count"] == 3
    assert sorted(
        r for r, c in zip(chart["points"]["row"], chart["points"]["cluster"], strict=True) if c == -1
    ) == (NOISE_ROWS)

    page.goto(output_url(run_id, "train", "results_dataset"))
    legend = page.get_by_test_id("cluster-legend")
    expect(legend.get_by_test_id("legend-item")).to_have_count(3)
    expect(legend.get_by_role("button", name="Noise (3)")).to_be_visible()
    drawn = page.get_by_test_id("cluster-chart")
    expect(drawn).to_have_attribute("data-rendered", "true")
    expect(drawn).to_have_attribute("data-noise", "3")
    expect(drawn).to_have_attribute("data-clusters", "2")
    expect(drawn).to_have_attribute("data-centroids", "2")
    expect(drawn).to_have_attribute("data-points", "150")
    expect(page.get_by_test_id("noise-fact")).to_contain_text("3")
    expect(page.get_by_test_id("distance-histograms")).to_have_count(0)  # no score columns
    screenshot("dbscan-clusters")

    page.get_by_role("tab", name="Table").click()
    grid = page.get_by_role("grid")
    expect(grid.get_by_test_id("column-header-Assignments")).to_be_visible()
    row = grid.locator(f"[data-row='{NOISE_ROWS[0]}']")
    for top in range(0, 4000, 200):  # the grid renders the rows in view: scroll until row 42 is
        if row.count():
            break
        grid.evaluate(f"(el) => {{ el.scrollTop = {top} }}")
        page.wait_for_timeout(100)
    row.scroll_into_view_if_needed()
    expect(row.locator("[role=gridcell]").nth(5)).to_have_text("Noise")
    screenshot("dbscan-table")

    page.goto(output_url(run_id, "train", "trained_model"))
    expect(page.get_by_test_id("model-noise")).to_contain_text("3")
    expect(page.get_by_text("DBSCAN", exact=False).first).to_be_visible()
