"""Output visualisations in a real browser: the cluster chart, the paged table grid, the trained model,
the sweep chart, the error state, and the cluster chart of a 100,000-row result (first paint, all points).

Experiments are created and run through the API with the browser context's session cookie; the tests
open the standalone output page `/runs/<run>/nodes/<node>/outputs/<port>` that the editor links to.
Each test saves a screenshot to tests/e2e/screenshots/visualize-*.png.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.e2e_helpers import (
    clustering_graph,
    output_url,
    record,
    rendered_at,
    run_new_experiment,
    signed_up_page,
    wait_rendered,
)

pytestmark = pytest.mark.e2e

# Palette of clusters 0-4 (frontend/src/features/visualize/palette.ts).
CLUSTER_RGB = [
    (0x2F, 0x5B, 0xEA),
    (0xE8, 0x59, 0x0C),
    (0x0F, 0x9F, 0x8F),
    (0xC2, 0x41, 0x8A),
    (0x70, 0x48, 0xE8),
]


@pytest.fixture(scope="module")
def runs(browser: Browser, server_url: str) -> Iterator[dict[str, Any]]:
    """One user, the Iris experiment (with a sweep) and the 100k-row experiment, run once per module."""
    with signed_up_page(browser, server_url) as page:
        iris = run_new_experiment(page, "Iris clusters", clustering_graph("sample-iris", 3, sweep=True))
        big = run_new_experiment(
            page, "Blobs 100k", clustering_graph("sample-synthetic-100k", 5, sweep=False)
        )
        yield {"cookies": page.context.cookies(), "iris": iris, "big": big}


@pytest.fixture
def signed_in(page: Page, runs: dict[str, Any]) -> Page:
    page.context.add_cookies(runs["cookies"])
    return page


def canvas_colour_counts(page: Page, test_id: str, colours: list[tuple[int, int, int]]) -> list[int]:
    """How many canvas pixels of the chart are close to each colour (what was really drawn)."""
    return page.evaluate(
        """([testId, colours]) => {
            // ECharts may draw on more than one canvas layer: count them all.
            const counts = colours.map(() => 0)
            for (const canvas of document.querySelectorAll(`[data-testid='${testId}'] canvas`)) {
              const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
              for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] < 200) continue
                colours.forEach(([r, g, b], c) => {
                  if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) counts[c] += 1
                })
              }
            }
            return counts
        }""",
        [test_id, [list(c) for c in colours]],
    )


# ---- Iris ----------------------------------------------------------------------------------------


def test_cluster_chart_of_iris(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "assign", "results_dataset"))
    expect(page.get_by_role("heading", level=2, name="Results dataset")).to_be_visible()
    expect(page.get_by_role("tab", name="Clusters", selected=True)).to_be_visible()
    expect(page.get_by_role("tab", name="Table")).to_be_visible()
    wait_rendered(page, "cluster-chart")
    first_paint = rendered_at(page, "cluster-chart")
    record("cluster_chart_150_rows", {"first_paint_ms": round(first_paint)})

    legend = page.get_by_test_id("cluster-legend").get_by_test_id("legend-item")
    expect(legend).to_have_count(3)
    assert [legend.nth(i).get_attribute("aria-label") for i in range(3)] == [
        "Cluster 0",
        "Cluster 1",
        "Cluster 2",
    ]
    expect(legend.nth(0).locator(".legend-label")).to_have_text("Cluster 0")
    for i in range(3):
        expect(page.get_by_role("button", name=f"Cluster {i}", exact=True)).to_be_visible()

    chart = page.get_by_test_id("cluster-chart")
    expect(chart).to_have_attribute("data-ellipses", "3")
    expect(chart).to_have_attribute("data-centroids", "3")
    expect(chart).to_have_attribute("data-points", "150")
    expect(page.get_by_test_id("sample-note")).to_have_text("Showing all 150 points")
    # No switch when every point is already shown.
    expect(page.get_by_role("switch", name="Show all points")).to_have_count(0)
    drawn = canvas_colour_counts(page, "cluster-chart", CLUSTER_RGB[:3])
    assert all(count > 150 for count in drawn), f"cluster colours on the canvas: {drawn}"

    wait_rendered(page, "cluster-sizes-chart")
    expect(page.get_by_test_id("cluster-sizes-chart")).to_have_attribute("data-bars", "3")
    bars = canvas_colour_counts(page, "cluster-sizes-chart", CLUSTER_RGB[:3])
    assert all(count > 200 for count in bars), f"size bars on the canvas: {bars}"
    wait_rendered(page, "distance-histograms")
    expect(page.get_by_test_id("distance-histograms")).to_have_attribute("data-panels", "3")
    expect(page.get_by_role("heading", name="Cluster chart")).to_be_visible()
    expect(page.get_by_role("heading", name="Cluster sizes")).to_be_visible()
    expect(page.get_by_role("heading", name="Distance to cluster centre")).to_be_visible()
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href == f"/api/runs/{runs['iris']}/nodes/assign/outputs/results_dataset/download?format=csv"
    csv = page.request.get(href)
    assert csv.ok and csv.text().splitlines()[0].endswith("DistancesToClusterCenter no.2")
    screenshot("visualize-clusters-iris")

    # A legend entry hides its cluster's points, ellipse and centroid.
    page.get_by_role("button", name="Cluster 1", exact=True).click()
    expect(page.get_by_role("button", name="Cluster 1", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    wait_rendered(page, "cluster-chart")
    hidden = canvas_colour_counts(page, "cluster-chart", CLUSTER_RGB[:3])
    assert hidden[1] < drawn[1] / 10 and hidden[0] > 150 and hidden[2] > 150, hidden


def test_table_tab_scrolls_and_pages(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "assign", "results_dataset"))
    page.get_by_role("tab", name="Table").click()
    grid = page.get_by_role("grid")
    expect(grid).to_be_visible()
    expect(grid.get_by_role("columnheader")).to_have_count(10)  # row number + 9 columns
    expect(grid.get_by_test_id("column-header-Assignments")).to_be_visible()
    expect(grid.locator("[data-row='0'] [role=gridcell]").first).to_have_text("5.1")
    expect(page.get_by_test_id("grid-range")).to_have_text(re.compile(r"^Rows 1–\d+ of 150$"))

    # Column statistics with a histogram.
    grid.get_by_test_id("column-header-petal_length").click()
    stats = page.get_by_test_id("column-stats")
    expect(stats.get_by_role("heading", name="petal_length")).to_be_visible()
    expect(stats).to_contain_text("Median")
    expect(stats.get_by_role("img", name=re.compile(r"^Histogram of \d+ bins"))).to_be_visible()
    screenshot("visualize-table-iris")

    # Scroll to the end.
    grid.evaluate("(el) => { el.scrollTop = el.scrollHeight }")
    expect(page.get_by_test_id("grid-range")).to_contain_text("–150 of 150")
    last = grid.locator("[data-row='149']")
    expect(last).to_be_visible()
    expect(last.get_by_role("rowheader")).to_have_text("150")
    expect(last.locator(".is-loading")).to_have_count(0)
    assert grid.get_by_role("row").count() < 45, "only the rows in view (and a few more) are in the DOM"


def test_trained_model_view(signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "train", "trained_model"))
    expect(page.get_by_role("heading", level=2, name="Trained model")).to_be_visible()
    wait_rendered(page, "centroid-heatmap")
    heatmap = page.get_by_test_id("centroid-heatmap")
    expect(heatmap).to_have_attribute("data-clusters", "3")
    expect(heatmap).to_have_attribute("data-features", "4")
    expect(page.get_by_test_id("model-seed")).to_contain_text("7")
    expect(page.get_by_role("heading", name="Centroids")).to_be_visible()
    expect(page.get_by_role("heading", name="Parameters used")).to_be_visible()
    expect(page.get_by_test_id("parameter-list")).to_contain_text("Random number seed")
    table = page.get_by_test_id("centroid-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("thead")).to_contain_text("petal_width")
    wait_rendered(page, "model-sizes-chart")
    screenshot("visualize-model")
    page.get_by_role("button", name="Original units").click()
    expect(page.get_by_role("button", name="Original units")).to_have_attribute("aria-pressed", "true")


def test_sweep_view(signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "sweep", "sweep_results"))
    expect(page.get_by_role("tab", name="Metric vs k", selected=True)).to_be_visible()
    wait_rendered(page, "sweep-chart")
    chart = page.get_by_test_id("sweep-chart")
    expect(chart).to_have_attribute("data-metric", "Simplified Silhouette")
    expect(chart).to_have_attribute("data-ks", "7")
    expect(page.get_by_test_id("direction-note")).to_have_text("↑ Higher is better")
    best_k = chart.get_attribute("data-best-k")
    assert best_k is not None and 2 <= int(best_k) <= 8
    expect(page.get_by_test_id("best-note")).to_contain_text(f"k = {best_k}")
    screenshot("visualize-sweep")

    page.get_by_text("Davies-Bouldin", exact=True).click()
    expect(chart).to_have_attribute("data-metric", "Davies-Bouldin")
    expect(page.get_by_test_id("direction-note")).to_have_text("↓ Lower is better")
    wait_rendered(page, "sweep-chart")

    page.get_by_role("tab", name="Table").click()
    expect(page.get_by_role("grid").get_by_test_id("column-header-Number of centroids")).to_be_visible()
    expect(page.get_by_test_id("grid-range")).to_contain_text("of 21")


def test_untrained_model_and_missing_output(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "kmeans", "untrained_model"))
    expect(page.get_by_test_id("parameter-list")).to_contain_text("Number of Centroids")
    page.goto(output_url(runs["iris"], "assign", "no_such_port"))
    expect(page.get_by_role("alert")).to_contain_text("This output is no longer available")
    screenshot("visualize-missing")


# ---- 100,000 rows ----------------------------------------------------------------------------------


def test_cluster_chart_of_100k_rows(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    """The sampled chart draws (first paint reported); "Show all points" draws all 100,000."""
    page = signed_in
    url = output_url(runs["big"], "assign", "results_dataset")
    paints: list[float] = []
    viewer_paints: list[float] = []
    requests: list[float] = []
    for _ in range(4):
        page.goto(url)
        wait_rendered(page, "cluster-chart")
        paints.append(rendered_at(page, "cluster-chart"))
        viewer_paints.append(
            float(page.get_by_test_id("output-view").get_attribute("data-first-paint-ms") or "nan")
        )
        requests.append(
            page.evaluate(
                "() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/visualization'))"
                ".map((e) => e.responseEnd - e.startTime)[0]"
            )
        )
    cold, warm = paints[0], paints[1:]
    print(
        f"\n100k rows, cluster chart first paint from navigation: first {cold:.0f} ms, "
        f"then {', '.join(f'{p:.0f}' for p in warm)} ms (median {statistics.median(warm):.0f} ms); "
        f"from viewer mount: {', '.join(f'{p:.0f}' for p in viewer_paints)} ms; "
        f"/visualization request: {', '.join(f'{r:.0f}' for r in requests)} ms"
    )
    record(
        "cluster_chart_100k_rows",
        {"first_paint_cold_ms": round(cold), "first_paint_warm_median_ms": round(statistics.median(warm))},
    )

    chart = page.get_by_test_id("cluster-chart")
    expect(chart).to_have_attribute("data-points", "5000")
    expect(chart).to_have_attribute("data-clusters", "5")
    expect(chart).to_have_attribute("data-ellipses", "5")
    expect(page.get_by_test_id("sample-note")).to_have_text(
        "Showing 5,000 of 100,000 points (sampled per cluster)"
    )
    expect(page.get_by_test_id("cluster-legend").get_by_test_id("legend-item")).to_have_count(5)
    wait_rendered(page, "distance-histograms")
    screenshot("visualize-clusters-100k-sampled")

    switch = page.get_by_role("switch", name="Show all points")
    started = page.evaluate("performance.now()")
    switch.check()
    page.wait_for_selector(
        "[data-testid='cluster-chart'][data-all-points='true'][data-rendered='true']", timeout=30_000
    )
    all_ms = rendered_at(page, "cluster-chart") - started
    print(
        f"100k rows, 'Show all points' (fetch 100,000 points + draw): {all_ms:.0f} ms, "
        f"draw {chart.get_attribute('data-render-ms')} ms"
    )
    expect(switch).to_be_checked()
    expect(chart).to_have_attribute("data-points", "100000")
    expect(chart).to_have_attribute("data-mode", "large")
    expect(page.get_by_test_id("sample-note")).to_contain_text("Showing all 100,000 points")
    drawn = canvas_colour_counts(page, "cluster-chart", CLUSTER_RGB[:5])
    assert all(count > 100 for count in drawn), f"cluster colours on the canvas: {drawn}"
    screenshot("visualize-clusters-100k-all")

    # Back to the sample.
    switch.uncheck()
    page.wait_for_selector("[data-testid='cluster-chart'][data-all-points='false'][data-rendered='true']")
    expect(chart).to_have_attribute("data-points", "5000")


def test_table_of_100k_rows_pages_as_it_scrolls(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    pages: list[str] = []
    page.on("request", lambda request: pages.append(request.url) if "/rows?" in request.url else None)
    page.goto(output_url(runs["big"], "assign", "results_dataset"))
    page.get_by_role("tab", name="Table").click()
    grid = page.get_by_role("grid")
    expect(grid.locator("[data-row='0'] [role=gridcell]").first).not_to_have_text("")
    expect(page.get_by_test_id("grid-range")).to_contain_text("of 100,000")

    grid.evaluate("(el) => { el.scrollTop = 30 * 50000 }")
    row = grid.locator("[data-row='50000']")
    expect(row).to_be_visible()
    expect(row.get_by_role("rowheader")).to_have_text("50,001")
    expect(row.locator(".cell-placeholder")).to_have_count(0, timeout=10_000)
    assert any("offset=50000&limit=200" in url for url in pages), pages
    assert grid.get_by_role("row").count() < 60, "only the rows in view (and a few more) are in the DOM"
    screenshot("visualize-table-100k")

    grid.evaluate("(el) => { el.scrollTop = el.scrollHeight }")
    last = grid.locator("[data-row='99999']")
    expect(last).to_be_visible()
    expect(last.locator(".cell-placeholder")).to_have_count(0, timeout=10_000)
    expect(page.get_by_test_id("grid-range")).to_contain_text("–100,000 of 100,000")
    # Pages are fetched for where the grid is, not for every row scrolled past.
    assert len(pages) < 12, pages


def test_save_a_results_table_as_a_dataset(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "assign", "results_dataset"))
    page.get_by_test_id("save-as-dataset").click()
    dialog = page.get_by_role("dialog", name="Save as dataset")
    name = dialog.get_by_label("Dataset name")
    expect(name).to_be_focused()
    name.fill("Iris with clusters")
    screenshot("save-as-dataset")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Saved “Iris with clusters”")).to_be_visible()
    # the copy is one of the user's datasets, with the results' columns
    saved = [d for d in page.request.get("/api/datasets").json() if d["name"] == "Iris with clusters"]
    assert len(saved) == 1 and saved[0]["n_rows"] == 150
    assert "Assignments" in [c["name"] for c in saved[0]["columns"]]
