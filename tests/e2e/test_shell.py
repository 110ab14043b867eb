"""The app shell in a real browser, served by a real server from the production build: accounts,
the experiments list, deep links and the editor frame."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_helpers import (
    PASSWORD,
    centre_of,
    drag_with_steps,
    new_experiment,
    node,
    sign_up_and_sign_in,
)

pytestmark = pytest.mark.e2e


def test_health_answers(server_url: str) -> None:
    with urllib.request.urlopen(f"{server_url}/api/health", timeout=5) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"
    assert body["version"]


def test_a_visitor_is_sent_to_sign_in_and_back(page: Page, screenshot: Callable[[str], Path]) -> None:
    response = page.goto("/experiments/1")
    assert response is not None and response.status == 200, "a deep link must serve index.html, not 404"
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fexperiments%2F1$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot("signin")

    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    username = f"e2e-{uuid.uuid4().hex[:8]}"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("short")
    expect(page.get_by_text("At least 8 characters")).to_have_class(re.compile("field-error"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    screenshot("signup")
    page.get_by_role("button", name="Create account").click()
    # Experiment 1 belongs to nobody here: the editor says so instead of showing someone else's.
    expect(page).to_have_url(re.compile(r"/experiments/1$"))
    expect(
        page.get_by_role("heading", name=re.compile("Experiment not found|No such experiment"))
    ).to_be_visible()

    page.get_by_role("link", name="Go to your experiments").click()
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()
    expect(page.get_by_text("No experiments yet")).to_be_visible()
    screenshot("experiments-empty")

    # Signing out and in again with the form.
    page.get_by_role("button", name=f"Account: {username}").click()
    page.get_by_role("menuitem", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()


def test_experiments_list_new_rename_save_as_delete(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    page.goto("/")
    page.get_by_role("button", name="New experiment").click()
    expect(page).to_have_url(re.compile(r"/experiments/\d+$"))
    expect(page.get_by_test_id("experiment-name")).to_have_text("Untitled experiment")
    page.get_by_role("link", name="Experiments").click()

    row = page.locator("[data-testid^='experiment-row-']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Never run")
    expect(row).to_contain_text("just now")
    page.get_by_role("button", name="Rename Untitled experiment").click()
    page.get_by_label("New name for Untitled experiment").fill("Iris study")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Iris study", exact=True)).to_be_visible()

    page.get_by_role("button", name="Save Iris study as…").click()
    dialog = page.get_by_role("dialog", name="Save As")
    dialog.get_by_label("Name of the copy").fill("Iris study v2")
    dialog.get_by_role("button", name="Save copy").click()
    expect(page.get_by_role("link", name="Iris study v2", exact=True)).to_be_visible()
    expect(row).to_have_count(2)
    screenshot("experiments-list")

    page.get_by_role("button", name="Delete Iris study v2").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete experiment").click()
    expect(row).to_have_count(1)
    expect(page.get_by_role("link", name="Iris study v2", exact=True)).to_have_count(0)


def test_editor_frame_and_deep_link_reload(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    experiment_id = new_experiment(page, name="Frame check")
    expect(page.get_by_test_id("editor")).to_be_visible()
    expect(page.get_by_role("complementary", name="Module palette")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search modules")).to_be_visible()
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    expect(page.locator(".react-flow__controls")).to_be_visible()
    expect(page.get_by_role("complementary", name="Properties")).to_contain_text(
        "Select a module to see its properties"
    )
    expect(page.get_by_test_id("server-status")).to_contain_text("Server connected")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    canvas = page.locator(".react-flow").bounding_box()
    assert canvas is not None and canvas["height"] > 500 and canvas["width"] > 600
    palette = page.get_by_role("complementary", name="Module palette")
    groups = palette.locator(".palette-group").evaluate_all("els => els.map(el => el.dataset.category)")
    assert groups[0] == "Saved Datasets"
    assert "Machine Learning / Train" in groups
    expect(palette.get_by_test_id("palette-dataset-Iris")).to_be_visible()
    screenshot("editor-empty")

    page.reload()
    expect(page).to_have_url(re.compile(rf"/experiments/{experiment_id}$"))
    expect(page.get_by_test_id("experiment-name")).to_have_text("Frame check")

    # "/" focuses the search; it filters modules and datasets.
    page.locator(".react-flow__pane").click()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search modules")).to_be_focused()
    page.keyboard.type("cluster")
    expect(palette.get_by_test_id("palette-item-dataset")).to_have_count(0)
    expect(palette.get_by_test_id("palette-item-assign_data_to_clusters")).to_be_visible()


def test_zoom_controls_change_the_viewport(page: Page) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page)
    viewport = page.locator(".react-flow__viewport")
    expect(viewport).to_be_visible()
    before = viewport.get_attribute("style")
    page.locator(".react-flow__controls-zoomin").click()
    expect(viewport).not_to_have_attribute("style", before or "")


def test_drag_a_module_and_move_it(page: Page) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page)
    palette = page.get_by_role("complementary", name="Module palette")
    kmeans = palette.get_by_test_id("palette-item-kmeans_clustering")
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    kmeans.drag_to(pane, target_position={"x": box["width"] * 0.4, "y": box["height"] * 0.35})
    km = node(page, "kmeans_clustering")
    expect(km).to_have_count(1)
    expect(km).to_have_attribute("data-status", "idle")
    expect(
        page.get_by_role("complementary", name="Properties").get_by_role("heading", name="K-Means Clustering")
    ).to_be_visible()

    before = km.bounding_box()
    assert before is not None
    x, y = centre_of(km)
    drag_with_steps(page, km, (x + 160, y + 120))
    after = km.bounding_box()
    assert after is not None
    assert after["x"] - before["x"] > 100 and after["y"] - before["y"] > 80, (before, after)
    # One drag is one undo step.
    page.get_by_role("button", name="Undo").click()
    back = km.bounding_box()
    assert back is not None and abs(back["x"] - before["x"]) < 3 and abs(back["y"] - before["y"]) < 3, (
        before,
        back,
    )
