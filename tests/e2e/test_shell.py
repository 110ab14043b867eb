"""The app shell in a real browser, served by a real server from the production build."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_helpers import centre_of, drag_with_steps, sign_up_and_sign_in

pytestmark = pytest.mark.e2e


def test_health_answers(server_url: str) -> None:
    with urllib.request.urlopen(f"{server_url}/api/health", timeout=5) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"
    assert body["version"]


def test_shell_loads_with_canvas(page: Page, screenshot: Callable[[str], Path]) -> None:
    response = page.goto("/")
    assert response is not None and response.ok
    expect(page).to_have_title("Cluster Studio")
    expect(page.get_by_role("banner")).to_contain_text("Cluster Studio")
    expect(page.get_by_role("complementary", name="Module palette")).to_be_visible()
    expect(page.get_by_role("heading", name="Modules")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search modules")).to_be_visible()
    expect(page.locator(".react-flow")).to_be_visible()
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    expect(page.locator(".react-flow__controls")).to_be_visible()
    expect(page.locator(".react-flow__background")).to_be_visible()
    expect(page.get_by_role("complementary", name="Properties")).to_contain_text(
        "Select a module to see its properties"
    )
    expect(page.get_by_test_id("server-status")).to_contain_text("Server connected")

    # The canvas fills the space between the panels (React Flow needs an explicit height).
    canvas = page.locator(".react-flow").bounding_box()
    assert canvas is not None and canvas["height"] > 500 and canvas["width"] > 600

    # The palette settles on entries or a calm notice, never a spinner forever.
    palette = page.get_by_role("complementary", name="Module palette")
    expect(palette.locator("[data-testid^='palette-item-'], .palette-notice").first).to_be_visible()
    screenshot("shell")


def test_deep_link_serves_the_app(page: Page, screenshot: Callable[[str], Path]) -> None:
    response = page.goto("/experiments/1")
    assert response is not None and response.status == 200, "a deep link must serve index.html, not 404"
    expect(page.get_by_test_id("editor")).to_be_visible()
    expect(page.get_by_test_id("experiment-name")).to_have_text("Experiment 1")
    expect(page.locator(".react-flow")).to_be_visible()
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    page.reload()
    expect(page).to_have_url(re.compile(r"/experiments/1$"))
    expect(page.locator(".react-flow")).to_be_visible()
    screenshot("deep-link")


def test_zoom_controls_change_the_viewport(page: Page) -> None:
    page.goto("/")
    viewport = page.locator(".react-flow__viewport")
    expect(viewport).to_be_visible()
    before = viewport.get_attribute("style")
    page.locator(".react-flow__controls-zoomin").click()
    expect(viewport).not_to_have_attribute("style", before or "")


def test_drag_a_module_from_the_real_catalogue(page: Page, screenshot: Callable[[str], Path]) -> None:
    """Signed in, the palette lists the server's catalogue; an entry dropped on the canvas becomes a
    node that a stepped mouse drag moves."""
    sign_up_and_sign_in(page)
    page.goto("/")
    palette = page.get_by_role("complementary", name="Module palette")
    expect(palette.locator("[data-testid^='palette-item-'], .palette-notice").first).to_be_visible()
    entries = palette.locator("[data-testid^='palette-item-']")
    if entries.count() == 0:
        pytest.skip(f"the palette shows no modules: {palette.locator('.palette-notice').inner_text()!r}")

    kmeans = palette.get_by_test_id("palette-item-kmeans_clustering")
    entry = kmeans if kmeans.count() else entries.first
    module_id = (entry.get_attribute("data-testid") or "").removeprefix("palette-item-")
    pane = page.locator(".react-flow__pane")
    pane_box = pane.bounding_box()
    assert pane_box is not None
    entry.drag_to(pane, target_position={"x": pane_box["width"] * 0.4, "y": pane_box["height"] * 0.35})

    node = page.locator(f".react-flow__node[data-module='{module_id}']")
    expect(node).to_have_count(1)
    expect(node).to_have_attribute("data-status", "idle")
    expect(page.get_by_role("complementary", name="Properties")).not_to_contain_text(
        "Select a module to see its properties"
    )

    # Moving a node needs stepped mouse moves.
    before = node.bounding_box()
    assert before is not None
    x, y = centre_of(node)
    drag_with_steps(page, node, (x + 160, y + 120))
    after = node.bounding_box()
    assert after is not None
    assert after["x"] - before["x"] > 100 and after["y"] - before["y"] > 80, (before, after)
    screenshot("real-catalogue")


CATALOGUE_STUB = Path(__file__).resolve().parent / "catalogue_stub.json"


def test_editor_with_a_stubbed_catalogue(page: Page, screenshot: Callable[[str], Path]) -> None:
    """Palette → canvas drops, a node move and a handle-to-handle connection, against a module
    catalogue shaped like shared/spec/modules.md (served by the test, whatever the server has yet)."""
    page.route(
        "**/api/modules",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=CATALOGUE_STUB.read_text()
        ),
    )
    page.goto("/experiments/7")
    palette = page.get_by_role("complementary", name="Module palette")
    kmeans = palette.get_by_test_id("palette-item-kmeans_clustering")
    expect(kmeans).to_have_text("K-Means Clustering")
    groups = palette.locator(".palette-group").evaluate_all("els => els.map(el => el.dataset.category)")
    assert groups[0] == "Saved Datasets"
    assert "Machine Learning / Train" in groups

    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    kmeans.drag_to(pane, target_position={"x": box["width"] * 0.3, "y": box["height"] * 0.2})
    palette.get_by_test_id("palette-item-train_clustering_model").drag_to(
        pane, target_position={"x": box["width"] * 0.5, "y": box["height"] * 0.5}
    )
    km_node = page.locator(".react-flow__node[data-module='kmeans_clustering']")
    train_node = page.locator(".react-flow__node[data-module='train_clustering_model']")
    expect(km_node).to_have_count(1)
    expect(train_node).to_have_count(1)
    properties = page.get_by_role("complementary", name="Properties")
    expect(properties.get_by_role("heading", name="Train Clustering Model")).to_be_visible()

    # Move the K-Means node with stepped mouse moves.
    before = km_node.bounding_box()
    assert before is not None
    x, y = centre_of(km_node)
    drag_with_steps(page, km_node, (x + 60, y + 40))
    after = km_node.bounding_box()
    assert after is not None
    assert after["x"] - before["x"] > 40 and after["y"] - before["y"] > 25, (before, after)

    # Connect K-Means' output to Train's untrained-model input, handle to handle.
    source = km_node.locator(".react-flow__handle.source[data-handleid='untrained_model']")
    target = train_node.locator(".react-flow__handle.target[data-handleid='untrained_model']")
    drag_with_steps(page, source, centre_of(target))
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_contain_text("2 modules")
    expect(page.get_by_role("contentinfo")).to_contain_text("1 connection")

    km_node.click()
    expect(properties.get_by_role("heading", name="K-Means Clustering")).to_be_visible()
    expect(properties).to_contain_text("Number of Centroids")
    screenshot("editor-stubbed-catalogue")

    page.get_by_role("searchbox", name="Search modules").fill("cluster")
    expect(palette.get_by_test_id("palette-item-dataset")).to_have_count(0)
    expect(palette.get_by_test_id("palette-item-assign_data_to_clusters")).to_be_visible()
