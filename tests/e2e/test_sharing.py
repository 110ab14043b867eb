"""Sharing end to end, in Debian Chromium against a real server, one browser context per person:
A shares with B as a viewer, then as an editor; A publishes to the gallery and an anonymous visitor
finds it, signs up and opens a copy in Studio that runs; the read-only link works signed out, and a
revoked link shows "not found"."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import SCREENSHOTS, VIEWPORT
from tests.e2e.e2e_helpers import (
    PASSWORD,
    centre_of,
    connect,
    create_experiment,
    drag_with_steps,
    iris_graph,
    node,
    run_to_success,
    sign_up_and_sign_in,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
IRIS_CSV = ROOT / "modules" / "samples" / "iris.csv"
RUN_TIMEOUT_S = 90.0
RUN_TIMEOUT_MS = 90_000
MODULES = ["dataset", "kmeans_clustering", "train_clustering_model", "assign_data_to_clusters"]
# A module whose module, parameters and inputs ran before (in any experiment) reuses that output.
DONE = re.compile(r"^(succeeded|cached)$")
HOSTILE_SUMMARY = (
    "K-Means on the **Iris** measurements: three clusters, close to the three species.\n\n"
    "- normalised features\n- k = 3, seed 7\n\n"
    "<script>window.__pwned=1</script>\n\n"
    'An image: <img src=x onerror="window.__pwned=2">\n\n'
    "[click](javascript:window.__pwned=3) · [the Iris data](https://example.org/iris)"
)


class Person:
    """One user (or an anonymous visitor) in a browser context of their own."""

    def __init__(self, browser: Browser, server_url: str, signed_in: bool = True) -> None:
        self.context: BrowserContext = browser.new_context(
            base_url=server_url, viewport=VIEWPORT, device_scale_factor=1
        )
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.username = sign_up_and_sign_in(self.page) if signed_in else ""

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def people(browser: Browser, server_url: str) -> Iterator[Callable[..., Person]]:
    """`people()` → a new signed-in person; `people(signed_in=False)` → an anonymous visitor."""
    made: list[Person] = []

    def make(signed_in: bool = True) -> Person:
        person = Person(browser, server_url, signed_in)
        made.append(person)
        return person

    try:
        yield make
        for person in made:
            assert not person.errors, f"Uncaught errors in the page: {person.errors}"
    finally:
        for person in made:
            person.context.close()


def upload_iris(page: Page, name: str = "flowers.csv") -> str:
    uploaded = page.request.post(
        "/api/datasets",
        multipart={"file": {"name": name, "mimeType": "text/csv", "buffer": IRIS_CSV.read_bytes()}},
    )
    assert uploaded.status == 201, uploaded.text()
    return str(uploaded.json()["id"])


def experiment_with_run(owner: Person, name: str) -> int:
    """An experiment on an uploaded copy of Iris, run once (every node succeeded)."""
    experiment_id = create_experiment(owner.page, name, iris_graph(upload_iris(owner.page)))
    run_to_success(owner.page, experiment_id, RUN_TIMEOUT_S)
    return experiment_id


def open_editor(person: Person, experiment_id: int) -> None:
    person.page.goto(f"/experiments/{experiment_id}")
    expect(person.page.get_by_test_id("experiment-name")).to_be_visible()
    expect(person.page.locator(".react-flow__node")).to_have_count(4)


def open_share_dialog(person: Person) -> Any:
    person.page.get_by_role("button", name="Share", exact=True).click()
    dialog = person.page.get_by_role("dialog", name="Share")
    expect(dialog).to_be_visible()
    return dialog


# ---- A shares with B: viewer, then editor ---------------------------------------------------------


def test_viewer_sees_outputs_but_cannot_change_then_editor_saves(people: Callable[..., Person]) -> None:
    alice, bob = people(), people()
    experiment_id = experiment_with_run(alice, "Flowers shared")

    # A shares with B as a viewer from the Share dialog.
    open_editor(alice, experiment_id)
    dialog = open_share_dialog(alice)
    dialog.get_by_label("Username to share with").fill(bob.username)
    expect(dialog.get_by_label("Role for the new share")).to_have_value("viewer")
    dialog.get_by_role("button", name="Share", exact=True).click()
    row = dialog.get_by_test_id(f"share-row-{bob.username}")
    expect(row).to_be_visible()
    expect(row.get_by_label(f"Role of {bob.username}")).to_have_value("viewer")
    # An unknown name is refused, with the reason.
    dialog.get_by_label("Username to share with").fill("nobody-" + uuid.uuid4().hex[:6])
    dialog.get_by_role("button", name="Share", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("No user is called")
    dialog.get_by_label("Username to share with").fill("")
    alice.shot("share-dialog")
    dialog.get_by_role("button", name="Done").click()

    # B's list marks it as shared by A, as a viewer; no rename or delete there.
    bob.page.goto("/")
    listed = bob.page.get_by_test_id(f"experiment-row-{experiment_id}")
    expect(listed.get_by_test_id("role-badge")).to_have_text("Viewer")
    expect(listed.get_by_test_id("shared-by")).to_have_text(f"Shared by {alice.username}")
    expect(listed.get_by_role("button", name=re.compile("^(Rename|Delete) "))).to_have_count(0)

    # B opens it: A's run shows, outputs open, nothing can be changed.
    listed.get_by_role("link", name="Flowers shared", exact=True).click()
    page = bob.page
    banner = page.get_by_test_id("readonly-share-banner")
    expect(banner).to_contain_text(f"Shared by {alice.username} · you can view")
    expect(banner.get_by_role("button", name="Save a copy")).to_be_enabled()
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", DONE)
    expect(node(page, "dataset")).to_contain_text("flowers")
    expect(node(page, "dataset")).to_contain_text("150 rows × 5 columns")
    for name in ("Save", "Run", "Undo", "Redo"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Share", exact=True)).to_have_count(0)
    save_reason = page.locator(".disabled-reason").filter(
        has=page.get_by_role("button", name="Save", exact=True)
    )
    expect(save_reason).to_have_attribute("title", re.compile("View only"))
    palette = page.get_by_role("complementary", name="Module palette")
    expect(palette.get_by_test_id("palette-item-kmeans_clustering")).to_have_attribute("draggable", "false")
    node(page, "kmeans_clustering").click()
    expect(
        page.get_by_role("complementary", name="Properties").get_by_label("Number of Centroids")
    ).to_be_disabled()
    # Run selected shows for the selection, off too.
    expect(page.get_by_role("button", name="Run selected")).to_be_disabled()
    bob.shot("read-only-banner")
    # Delete does nothing; dragging a node does not move it; no edge can be drawn.
    page.keyboard.press("Delete")
    expect(page.locator(".react-flow__node")).to_have_count(4)

    # (Dragging a node that cannot move pans the view: compare it with another node.)
    def offset() -> tuple[float, float]:
        km, data = node(page, "kmeans_clustering").bounding_box(), node(page, "dataset").bounding_box()
        assert km is not None and data is not None
        return km["x"] - data["x"], km["y"] - data["y"]

    before = offset()
    start = node(page, "kmeans_clustering").bounding_box()
    assert start is not None
    drag_with_steps(page, node(page, "kmeans_clustering"), (start["x"] + 260, start["y"] + 200))
    assert offset() == before
    x, y = centre_of(node(page, "kmeans_clustering"))
    drag_with_steps(page, node(page, "kmeans_clustering"), (x - 260, y - 200))  # pan back
    connect(
        page,
        node(page, "kmeans_clustering"),
        "untrained_model",
        node(page, "assign_data_to_clusters"),
        "dataset",
    )
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.locator(".react-flow__controls-fitview").click()  # the port must not sit under the minimap
    node(page, "assign_data_to_clusters").locator(
        ".react-flow__handle.source[data-handleid='results_dataset']"
    ).click()
    viewer = page.get_by_role("dialog")
    expect(viewer.get_by_text("Cluster 0", exact=False).first).to_be_visible(timeout=20_000)
    bob.shot("read-only-output")
    page.keyboard.press("Escape")

    # The API refuses too.
    version = page.request.get(f"/api/experiments/{experiment_id}").json()["version"]
    refused = page.request.put(f"/api/experiments/{experiment_id}", data={"name": "mine", "version": version})
    assert refused.status == 403, refused.text()
    assert page.request.post(f"/api/experiments/{experiment_id}/runs").status == 403

    # A makes B an editor.
    dialog = open_share_dialog(alice)
    row = dialog.get_by_test_id(f"share-row-{bob.username}")
    row.get_by_label(f"Role of {bob.username}").select_option("editor")
    expect(alice.page.get_by_test_id("toast").filter(has_text=f"{bob.username} can now edit")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()

    # B reloads: a small note, and B can change and save.
    page.reload()
    expect(page.get_by_test_id("shared-note")).to_contain_text(f"Shared by {alice.username} · you can edit")
    expect(page.get_by_test_id("readonly-share-banner")).to_have_count(0)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_enabled()
    node(page, "kmeans_clustering").click()
    centroids = page.get_by_role("complementary", name="Properties").get_by_label("Number of Centroids")
    expect(centroids).to_be_enabled()
    centroids.fill("2")
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    bob.shot("editor-shared-note")

    # A sees B's change.
    alice.page.reload()
    node(alice.page, "kmeans_clustering").click()
    expect(
        alice.page.get_by_role("complementary", name="Properties").get_by_label("Number of Centroids")
    ).to_have_value("2")


# ---- publish → gallery → anonymous visitor signs up → Open in Studio ----------------------------------


def test_publish_then_a_visitor_opens_a_copy_in_studio(people: Callable[..., Person]) -> None:
    alice = people()
    experiment_id = experiment_with_run(alice, "Iris for the gallery")
    marker = f"e2e-{uuid.uuid4().hex[:6]}"
    title = f"Iris in three clusters {marker}"

    open_editor(alice, experiment_id)
    dialog = open_share_dialog(alice)
    dialog.get_by_role("tab", name="Publish to gallery").click()
    expect(dialog.get_by_test_id("publish-status")).to_contain_text("Not published")
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Tags").fill(f"iris, k-means, {marker}")
    dialog.get_by_label("Summary").fill(HOSTILE_SUMMARY)
    preview = dialog.get_by_test_id("summary-preview")
    expect(preview.locator("strong")).to_have_text("Iris")
    expect(preview.locator("script, img")).to_have_count(0)
    dialog.get_by_role("button", name="Publish", exact=True).click()
    expect(dialog.get_by_test_id("publish-status")).to_contain_text("In the gallery since")
    expect(dialog.get_by_role("button", name="Update")).to_be_visible()
    alice.shot("share-dialog-publish")
    dialog.get_by_role("button", name="Done").click()

    # A second entry, published through the API, so that the filters have something to leave out.
    wine = alice.page.request.post(
        "/api/experiments", data={"name": "Wine", "graph": {"nodes": [], "edges": []}}
    )
    published = alice.page.request.post(
        f"/api/experiments/{wine.json()['id']}/publish",
        data={
            "title": f"Wine cultivars {marker}",
            "summary_markdown": "Five clusters in *178 wines*.",
            "tags": ["wine", marker],
        },
    )
    assert published.ok, published.text()

    # An anonymous visitor finds it in the gallery, by a word and by a tag.
    visitor = people(signed_in=False)
    page = visitor.page
    page.goto("/gallery")
    expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
    page.get_by_label("Search the gallery").fill(marker)
    expect(page).to_have_url(re.compile(rf"q={marker}"))
    expect(page.get_by_test_id("gallery-card")).to_have_count(2)
    card = page.get_by_test_id("gallery-card").filter(has_text=title)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(alice.username)
    expect(card).to_contain_text("K-Means on the Iris measurements")
    assert page.locator("script:not([src]), img[onerror]").count() == 0
    visitor.shot("gallery")
    page.get_by_role("group", name="Filter by tag").get_by_role("button", name=re.compile(r"^iris")).click()
    expect(page).to_have_url(re.compile(r"tag=iris"))
    expect(page.get_by_test_id("gallery-card")).to_have_count(1)
    expect(card).to_have_count(1)
    visitor.shot("gallery-filtered")

    # The entry: the graph, the latest run, the summary rendered inert.
    card.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(rf"/gallery/{experiment_id}$"))
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", DONE)
    summary = page.get_by_test_id("gallery-summary")
    expect(summary).to_contain_text("three clusters")
    expect(summary.locator("a[href='https://example.org/iris']")).to_have_count(1)
    assert page.locator("script:not([src]), img[onerror], [onerror], [onclick]").count() == 0
    assert summary.locator("a[href^='javascript' i]").count() == 0
    summary.get_by_text("click", exact=True).click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.url.endswith(f"/gallery/{experiment_id}")
    page.get_by_role("button", name="Visualize Train Clustering Model Trained model").click()
    # Gallery visitors get the full viewer: the trained model's centroid heat map.
    expect(page.get_by_test_id("centroid-heatmap")).to_be_visible()
    page.keyboard.press("Escape")
    visitor.shot("gallery-entry")

    # Open in Studio: sign up first, then back here to finish the copy.
    page.get_by_role("button", name="Open in Studio").click()
    expect(page).to_have_url(re.compile(r"/signup\?next="))
    username = f"e2e-{uuid.uuid4().hex[:10]}"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/experiments/\d+$"), timeout=20_000)
    copy_id = int(page.url.rsplit("/", 1)[1])
    assert copy_id != experiment_id
    expect(page.get_by_test_id("experiment-name")).to_have_text("Iris for the gallery")
    expect(page.get_by_test_id("readonly-share-banner")).to_have_count(0)
    expect(page.get_by_role("button", name="Share", exact=True)).to_be_visible()

    # An independent copy: the visitor owns it and a copy of the dataset; no run history; it runs.
    copy = page.request.get(f"/api/experiments/{copy_id}").json()
    assert copy["my_role"] == "owner" and copy["owner"]["username"] == username
    assert page.request.get(f"/api/experiments/{copy_id}/runs").json() == []
    original_dataset = iris_dataset_of(alice.page.request.get(f"/api/experiments/{experiment_id}").json())
    copied_dataset = iris_dataset_of(copy)
    assert copied_dataset != original_dataset
    assert copied_dataset in {d["id"] for d in page.request.get("/api/datasets").json()}
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", "idle")
    page.get_by_role("button", name="Run", exact=True).click()
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", DONE, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-run-status", "succeeded")
    # The original is untouched.
    assert len(alice.page.request.get(f"/api/experiments/{experiment_id}/runs").json()) == 1


def iris_dataset_of(experiment: dict[str, Any]) -> str:
    return next(n["params"]["dataset_id"] for n in experiment["graph"]["nodes"] if n["module"] == "dataset")


# ---- the read-only link ------------------------------------------------------------------------------


def test_read_only_link_works_signed_out_until_revoked(people: Callable[..., Person]) -> None:
    alice = people()
    alice.context.grant_permissions(["clipboard-read", "clipboard-write"])
    experiment_id = experiment_with_run(alice, "Flowers by link")

    open_editor(alice, experiment_id)
    dialog = open_share_dialog(alice)
    switch = dialog.get_by_role("switch", name="Read-only link")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    url_field = dialog.get_by_test_id("link-url")
    expect(url_field).to_have_value(re.compile(r"/shared/[A-Za-z0-9_-]{20,}$"))
    link = url_field.input_value()
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("button", name="Copied")).to_be_visible()
    assert alice.page.evaluate("navigator.clipboard.readText()") == link
    alice.shot("share-dialog-link")
    dialog.get_by_role("button", name="Done").click()

    # Anyone holding it, signed out: the graph, the latest run, its outputs and charts.
    visitor = people(signed_in=False)
    page = visitor.page
    page.goto(link)
    expect(page.get_by_test_id("readonly-share-banner")).to_contain_text(
        f"Shared by {alice.username} · read-only link"
    )
    expect(page.locator(".react-flow__node")).to_have_count(4)
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", DONE)
    expect(page.get_by_test_id("public-run")).to_have_attribute("data-run-status", "succeeded")
    expect(page).to_have_url(re.compile(r"/shared/"))  # not sent to sign in
    visitor.shot("public-page")
    page.get_by_role("button", name=re.compile(r"^Visualize Assign .* Results dataset$")).click()
    viewer = page.get_by_role("dialog")
    for cluster in ("Cluster 0", "Cluster 1", "Cluster 2"):
        expect(viewer.get_by_text(cluster, exact=False).first).to_be_visible(timeout=20_000)
    visitor.shot("public-output")
    page.keyboard.press("Escape")

    # A turns it off: the link is "not found" at once.
    dialog = open_share_dialog(alice)
    switch = dialog.get_by_role("switch", name="Read-only link")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(dialog.get_by_test_id("link-url")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    visitor.shot("public-link-revoked")
