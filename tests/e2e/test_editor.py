"""The editor end to end, in Debian Chromium against a real server: build the Iris experiment by drag
and drop, run it, look at the clusters, save, reload; the editing comforts; refusals and failures."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_helpers import (
    centre_of,
    connect,
    drop_on_canvas,
    iris_graph,
    new_experiment,
    node,
    sign_up_and_sign_in,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
IRIS_CSV = ROOT / "modules" / "samples" / "iris.csv"
RUN_TIMEOUT_MS = 90_000
MODULES = ["dataset", "kmeans_clustering", "train_clustering_model", "assign_data_to_clusters"]


def saved_graph(page: Page, experiment_id: int) -> dict:
    response = page.request.get(f"/api/experiments/{experiment_id}")
    assert response.ok, response.text()
    return response.json()["graph"]


def test_build_run_visualize_save_reload(
    page: Page, tmp_path: Path, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    experiment_id = new_experiment(page, name="Iris by hand")
    palette = page.get_by_role("complementary", name="Module palette")

    # Upload a CSV with the palette's upload button: it appears under My datasets.
    csv = tmp_path / "iris-upload.csv"
    shutil.copy(IRIS_CSV, csv)
    palette.get_by_test_id("dataset-file-input").set_input_files(str(csv))
    uploaded = palette.get_by_test_id("palette-dataset-iris-upload")
    expect(uploaded).to_be_visible()
    expect(uploaded).to_contain_text("150 rows × 5 columns")

    # Drag the dataset and three modules onto the canvas.
    drop_on_canvas(page, uploaded, 0.62, 0.12)
    drop_on_canvas(page, palette.get_by_test_id("palette-item-kmeans_clustering"), 0.22, 0.12)
    drop_on_canvas(page, palette.get_by_test_id("palette-item-train_clustering_model"), 0.4, 0.42)
    drop_on_canvas(page, palette.get_by_test_id("palette-item-assign_data_to_clusters"), 0.6, 0.72)
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", "idle")
    expect(node(page, "dataset")).to_contain_text("iris-upload")

    # Wire them handle to handle.
    connect(
        page,
        node(page, "kmeans_clustering"),
        "untrained_model",
        node(page, "train_clustering_model"),
        "untrained_model",
    )
    connect(page, node(page, "dataset"), "dataset", node(page, "train_clustering_model"), "dataset")
    connect(
        page,
        node(page, "train_clustering_model"),
        "trained_model",
        node(page, "assign_data_to_clusters"),
        "trained_model",
    )
    connect(page, node(page, "dataset"), "dataset", node(page, "assign_data_to_clusters"), "dataset")
    expect(page.locator(".react-flow__edge")).to_have_count(4)

    # The trainer's column set picks from the uploaded table's columns, by name or with rules.
    properties = page.get_by_role("complementary", name="Properties")
    node(page, "train_clustering_model").click()
    expect(properties.get_by_label("Label column")).to_contain_text("species · string")
    properties.get_by_label("Column Set").click()
    columns = page.get_by_role("dialog", name=re.compile("Select columns"))
    expect(columns.get_by_test_id("column-preview")).to_contain_text("4 columns selected")
    columns.get_by_role("tab", name="With rules").click()
    expect(columns.get_by_test_id("column-preview")).to_contain_text(
        "sepal_length, sepal_width, petal_length, petal_width"
    )
    screenshot("column-set-dialog")
    columns.get_by_role("button", name="Cancel").click()
    node(page, "dataset").click()
    expect(properties.get_by_label("Dataset")).to_have_value(re.compile(".+"))
    screenshot("properties-dataset")

    # Number of Centroids = 3 in the generated properties panel.
    node(page, "kmeans_clustering").click()
    centroids = properties.get_by_label("Number of Centroids")
    centroids.fill("3")
    expect(centroids).to_have_value("3")
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    expect(page.get_by_test_id("validation-status")).to_have_text("Ready to run")
    screenshot("editor-built")

    # Run (it saves first); every node ends succeeded, live from the event stream.
    page.get_by_role("button", name="Run", exact=True).click()
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", "succeeded", timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-run-status", "succeeded")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    expect(node(page, "train_clustering_model")).to_contain_text("Succeeded")
    screenshot("editor-run-succeeded")

    # The cluster chart of Assign's results, from its output port.
    node(page, "assign_data_to_clusters").locator(
        ".react-flow__handle.source[data-handleid='results_dataset']"
    ).click()
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    if viewer.get_by_test_id("output-placeholder").count():
        pytest.fail("the output viewer (features/visualize) is not in this build")
    for cluster in ("Cluster 0", "Cluster 1", "Cluster 2"):
        expect(viewer.get_by_text(cluster, exact=False).first).to_be_visible(timeout=20_000)
    screenshot("output-cluster-chart")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # Save (nothing left to save after the run), reload: the same graph, the last run's statuses.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    before = saved_graph(page, experiment_id)
    page.reload()
    expect(page).to_have_url(re.compile(rf"/experiments/{experiment_id}$"))
    for module in MODULES:
        expect(node(page, module)).to_have_attribute("data-status", "succeeded")
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    assert saved_graph(page, experiment_id) == before
    assert sorted(n["module"] for n in before["nodes"]) == sorted(MODULES)
    km = next(n for n in before["nodes"] if n["module"] == "kmeans_clustering")
    assert km["params"]["n_clusters"] == 3
    node(page, "kmeans_clustering").click()
    expect(properties.get_by_label("Number of Centroids")).to_have_value("3")
    screenshot("editor-after-reload")


def test_wrong_type_and_second_edge_are_refused(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page)
    palette = page.get_by_role("complementary", name="Module palette")
    drop_on_canvas(page, palette.get_by_test_id("palette-dataset-Iris"), 0.25, 0.15)
    drop_on_canvas(page, palette.get_by_test_id("palette-dataset-Wine"), 0.7, 0.15)
    drop_on_canvas(page, palette.get_by_test_id("palette-item-train_clustering_model"), 0.45, 0.55)
    iris = node(page, "dataset", 0)
    wine = node(page, "dataset", 1)
    train = node(page, "train_clustering_model")

    # A table into the model input: refused, with the reason.
    connect(page, iris, "dataset", train, "untrained_model")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    toast = page.get_by_test_id("toast").filter(has_text="Connection refused")
    expect(toast).to_contain_text("Dataset is a data table; Untrained model takes an untrained cluster model")

    # The right input works once; a second edge into it is refused.
    connect(page, iris, "dataset", train, "dataset")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    connect(page, wine, "dataset", train, "dataset")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.get_by_test_id("toast").filter(has_text="already has a connection")).to_be_visible()

    # While dragging over a port that does not fit, a hint says why.
    out = wine.locator(".react-flow__handle.source[data-handleid='dataset']")
    into = train.locator(".react-flow__handle.target[data-handleid='untrained_model']")
    box = out.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 10, box["y"] + 10, steps=3)
    x, y = centre_of(into)
    page.mouse.move(x, y, steps=12)
    expect(page.locator(".connection-hint")).to_contain_text("takes an untrained cluster model")
    screenshot("editor-connection-refused")
    page.mouse.up()
    expect(page.locator(".react-flow__edge")).to_have_count(1)


def test_paste_then_undo_removes_all_pasted_nodes(page: Page) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page)
    palette = page.get_by_role("complementary", name="Module palette")
    spots = [(0.15, 0.15), (0.45, 0.15), (0.75, 0.15), (0.3, 0.45), (0.6, 0.45)]
    for fx, fy in spots:
        drop_on_canvas(page, palette.get_by_test_id("palette-item-kmeans_clustering"), fx, fy)
    nodes = page.locator(".react-flow__node")
    expect(nodes).to_have_count(5)

    page.locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    page.keyboard.press("Control+a")
    expect(page.locator(".react-flow__node.selected")).to_have_count(5)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(nodes).to_have_count(10)
    expect(page.locator(".react-flow__node.selected")).to_have_count(5)
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(5)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(10)
    page.get_by_role("button", name="Undo").click()
    expect(nodes).to_have_count(5)

    # Duplicate and delete are single steps too.
    page.locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    expect(page.locator(".react-flow__node.selected")).to_have_count(0)
    node(page, "kmeans_clustering", 0).click()
    page.keyboard.press("Control+d")
    expect(nodes).to_have_count(6)
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(5)
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(6)


def test_parameter_edits_undo_in_one_step(page: Page) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page)
    drop_on_canvas(page, page.get_by_test_id("palette-item-kmeans_clustering"), 0.4, 0.3)
    iterations = page.get_by_role("complementary", name="Properties").get_by_label("Iterations")
    iterations.click()
    iterations.press("Control+a")
    iterations.press_sequentially("2500", delay=30)
    expect(iterations).to_have_value("2500")
    page.get_by_role("button", name="Undo").click()
    expect(iterations).to_have_value("100")
    page.get_by_role("button", name="Redo").click()
    expect(iterations).to_have_value("2500")

    # An invalid value is marked at once, and the mode hides what does not apply.
    iterations.fill("0")
    expect(iterations).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("complementary", name="Properties")).to_contain_text("Must be ≥ 1")
    page.get_by_label("Create trainer mode").select_option("range")
    expect(page.get_by_label("Number of Centroids", exact=True)).to_have_count(0)
    expect(page.get_by_label("Range for Number of Centroids")).to_have_value("2-5")
    page.get_by_label("Range for Number of Centroids").fill("2-4, 8")
    expect(page.get_by_test_id("range-preview")).to_contain_text("2, 3, 4, 8")


def test_a_failing_node_shows_its_code_and_log(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page, name="Too many centroids", graph=iris_graph("sample-iris", n_clusters=200))
    expect(node(page, "kmeans_clustering")).to_be_visible()
    page.get_by_role("button", name="Run", exact=True).click()
    train = node(page, "train_clustering_model")
    expect(train).to_have_attribute("data-status", "failed", timeout=RUN_TIMEOUT_MS)
    expect(train).to_contain_text("0021")
    expect(node(page, "kmeans_clustering")).to_have_attribute("data-status", re.compile("succeeded|cached"))
    expect(node(page, "assign_data_to_clusters")).to_have_attribute(
        "data-status", re.compile("cancelled|idle|queued")
    )
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-run-status", "failed")
    screenshot("editor-run-failed")

    train.locator(".module-node-line.is-failed").click()
    log = page.get_by_role("dialog", name=re.compile("Log of Train Clustering Model"))
    expect(log).to_contain_text("0021")
    expect(log.get_by_test_id("node-log")).to_be_visible()
    screenshot("node-log")
    log.get_by_role("button", name="Close", exact=True).first.click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Double-clicking a failed node opens its log too.
    train.dblclick()
    expect(page.get_by_role("dialog", name=re.compile("Log of Train Clustering Model"))).to_be_visible()


def test_a_409_on_save_offers_reload_or_a_copy(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    experiment_id = new_experiment(page, name="Shared draft", graph=iris_graph("sample-iris"))
    expect(node(page, "kmeans_clustering")).to_be_visible()

    # Someone else saves first (same account, another client).
    current = page.request.get(f"/api/experiments/{experiment_id}").json()
    other = page.request.put(
        f"/api/experiments/{experiment_id}",
        data={"name": "Shared draft", "version": current["version"], "graph": current["graph"]},
    )
    assert other.ok, other.text()

    node(page, "kmeans_clustering").click()
    page.get_by_label("Comment").fill("my change")
    page.keyboard.press("Control+s")
    dialog = page.get_by_role("dialog", name="Someone saved first")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("your save was based on version")
    screenshot("save-conflict")
    dialog.get_by_role("button", name="Save as a copy").click()
    expect(page).not_to_have_url(re.compile(rf"/experiments/{experiment_id}$"))
    expect(page.get_by_test_id("experiment-name")).to_have_text("Shared draft (copy)")
    expect(node(page, "kmeans_clustering")).to_contain_text("my change")

    # Reload drops the local change instead.
    page.goto(f"/experiments/{experiment_id}")
    node(page, "kmeans_clustering").click()
    page.get_by_label("Comment").fill("another change")
    other = page.request.put(
        f"/api/experiments/{experiment_id}", data={"version": current["version"] + 1, "description": "bumped"}
    )
    assert other.ok, other.text()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("dialog", name="Someone saved first").get_by_role("button", name="Reload").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    expect(node(page, "kmeans_clustering")).not_to_contain_text("another change")


def test_run_history_opens_a_past_run_and_restores_it(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    experiment_id = new_experiment(page, name="History", graph=iris_graph("sample-iris"))
    page.get_by_role("button", name="Run", exact=True).click()
    expect(node(page, "assign_data_to_clusters")).to_have_attribute(
        "data-status", re.compile("succeeded|cached"), timeout=RUN_TIMEOUT_MS
    )

    # Change the draft: delete Assign and save.
    node(page, "assign_data_to_clusters").click()
    page.keyboard.press("Delete")
    expect(page.locator(".react-flow__node")).to_have_count(3)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.get_by_role("tab", name="Runs").click()
    page.get_by_role("button", name=re.compile(r"^Open run \d+$")).first.click()
    banner = page.get_by_test_id("readonly-banner")
    expect(banner).to_contain_text("read-only")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    expect(node(page, "assign_data_to_clusters")).to_have_attribute(
        "data-status", re.compile("succeeded|cached")
    )
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
    screenshot("history-read-only")

    banner.get_by_role("button", name="Restore this version").click()
    expect(page.get_by_test_id("readonly-banner")).to_have_count(0)
    expect(page.locator(".react-flow__node")).to_have_count(4)
    expect(page.get_by_test_id("save-state")).to_have_text("Unsaved changes")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    assert len(saved_graph(page, experiment_id)["nodes"]) == 4


def test_export_and_import_report_problems(
    page: Page, tmp_path: Path, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page, name="Round trip", graph=iris_graph("sample-iris"))
    expect(page.locator(".react-flow__node")).to_have_count(4)
    page.get_by_role("button", name="More actions").click()
    with page.expect_download() as download_info:
        page.get_by_role("menuitem", name="Export graph as JSON").click()
    exported = tmp_path / "exported.json"
    download_info.value.save_as(exported)
    data = json.loads(exported.read_text())
    assert data["format"] == "cluster-studio-graph"
    assert len(data["graph"]["nodes"]) == 4 and len(data["graph"]["edges"]) == 4

    # Break it: a bad parameter and an input left unconnected.
    graph = data["graph"]
    next(n for n in graph["nodes"] if n["module"] == "kmeans_clustering")["params"]["n_clusters"] = 1
    graph["edges"] = [e for e in graph["edges"] if e["target_port"] != "trained_model"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    page.get_by_test_id("import-file-input").set_input_files(str(broken))
    dialog = page.get_by_role("dialog", name="Import “broken.json”")
    problems = dialog.get_by_role("list", name="Problems in the imported graph")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("K-Means Clustering")
    expect(problems).to_contain_text("Assign Data to Clusters")
    screenshot("import-problems")
    dialog.get_by_role("button", name="Import anyway").click()
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    expect(page.get_by_test_id("validation-status")).to_contain_text("problem")
    kmeans = node(page, "kmeans_clustering")
    expect(kmeans.locator(".module-node-issue")).to_be_visible()
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__edge")).to_have_count(4)

    # Not a graph at all.
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    page.get_by_test_id("import-file-input").set_input_files(str(junk))
    expect(page.get_by_test_id("toast").filter(has_text="Cannot import junk.json")).to_contain_text(
        '"nodes" and "edges"'
    )


def test_dropping_a_file_anywhere_uploads_it(page: Page) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page)
    text = IRIS_CSV.read_text()
    page.evaluate(
        """(text) => {
            const file = new File([text], 'dropped-iris.csv', { type: 'text/csv' })
            const data = new DataTransfer()
            data.items.add(file)
            const target = document.querySelector('.properties')
            for (const type of ['dragenter', 'dragover', 'drop']) {
                target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }))
            }
        }""",
        text,
    )
    expect(page.get_by_test_id("palette-dataset-dropped-iris")).to_be_visible()
    expect(page.get_by_test_id("toast").filter(has_text="Uploaded dropped-iris.csv")).to_be_visible()

    # A file the server cannot parse shows its 0018 error where it was dropped.
    page.evaluate(
        """() => {
            const file = new File(['a,b\\n1,2,3\\n4\\n'], 'broken.csv', { type: 'text/csv' })
            const data = new DataTransfer()
            data.items.add(file)
            for (const type of ['dragenter', 'dragover', 'drop']) {
                document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }))
            }
        }"""
    )
    upload = page.get_by_test_id("palette-upload").filter(has_text="broken.csv")
    expect(upload).to_contain_text("0018")


def sweep_graph() -> dict:
    """A sweep long enough to watch and cancel: k = 2…30 × 3 seeds on 100,000 rows."""
    return {
        "nodes": [
            {
                "id": "data",
                "module": "dataset",
                "params": {"dataset_id": "sample-synthetic-100k"},
                "position": {"x": 280, "y": 0},
            },
            {
                "id": "range",
                "module": "kmeans_clustering",
                "params": {"trainer_mode": "range", "n_clusters_range": "2-30", "n_seeds": 3},
                "position": {"x": 0, "y": 0},
            },
            {
                "id": "sweep",
                "module": "sweep_clustering",
                "params": {"sweep_mode": "grid"},
                "position": {"x": 140, "y": 170},
            },
        ],
        "edges": [
            {
                "id": "e1",
                "source": "range",
                "source_port": "untrained_model",
                "target": "sweep",
                "target_port": "untrained_model",
            },
            {
                "id": "e2",
                "source": "data",
                "source_port": "dataset",
                "target": "sweep",
                "target_port": "dataset",
            },
        ],
    }


def test_live_progress_and_cancel_run(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page, name="Long sweep", graph=sweep_graph())
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)
    page.get_by_role("button", name="Run", exact=True).click()
    sweep = node(page, "sweep_clustering")
    expect(sweep).to_have_attribute("data-status", "running", timeout=RUN_TIMEOUT_MS)
    expect(sweep.get_by_role("progressbar")).to_be_visible()
    expect(sweep).to_contain_text(re.compile(r"Running · \d+%"), timeout=20_000)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-run-status", "running")
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()
    screenshot("editor-run-progress")
    page.get_by_role("button", name="Cancel run").click()
    expect(sweep).to_have_attribute("data-status", "cancelled", timeout=20_000)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-run-status", "cancelled")
    expect(node(page, "dataset")).to_have_attribute("data-status", re.compile("succeeded|cached"))
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_enabled()


def test_run_selected_runs_only_what_it_needs(page: Page) -> None:
    sign_up_and_sign_in(page)
    new_experiment(page, name="Partial", graph=iris_graph("sample-iris"))
    expect(page.get_by_role("button", name="Run selected")).to_have_count(0)
    node(page, "train_clustering_model").click()
    page.get_by_role("button", name="Run selected").click()
    # (Another test may have trained the same model on the same data: then it is reused.)
    expect(node(page, "train_clustering_model")).to_have_attribute(
        "data-status", re.compile("succeeded|cached"), timeout=RUN_TIMEOUT_MS
    )
    expect(node(page, "kmeans_clustering")).to_have_attribute("data-status", re.compile("succeeded|cached"))
    expect(node(page, "assign_data_to_clusters")).to_have_attribute("data-status", "idle")

    # The node menu visualises an output (the trained model here).
    node(page, "train_clustering_model").get_by_role(
        "button", name="Actions for Train Clustering Model"
    ).click()
    expect(page.get_by_role("menuitem", name="Visualize Results dataset")).to_be_enabled()
    page.get_by_role("menuitem", name="Visualize Trained model").click()
    expect(
        page.get_by_role("dialog", name=re.compile("Train Clustering Model — Trained model"))
    ).to_be_visible()
    page.keyboard.press("Escape")

    # A second full run reuses what did not change.
    page.get_by_role("button", name="Run", exact=True).click()
    expect(node(page, "assign_data_to_clusters")).to_have_attribute(
        "data-status", re.compile("succeeded|cached"), timeout=RUN_TIMEOUT_MS
    )
    expect(node(page, "train_clustering_model")).to_have_attribute("data-status", "cached")
    expect(node(page, "train_clustering_model")).to_contain_text("Cached")

    # An edit makes the edited node's result and everything downstream stale: they show idle again,
    # while what the edit does not touch keeps its status.
    node(page, "kmeans_clustering").click()
    page.get_by_role("complementary", name="Properties").get_by_label("Iterations").fill("50")
    for module in ("kmeans_clustering", "train_clustering_model", "assign_data_to_clusters"):
        expect(node(page, module)).to_have_attribute("data-status", "idle")
    expect(node(page, "dataset")).to_have_attribute("data-status", re.compile("succeeded|cached"))


def test_box_select_auto_layout_and_leave_guard(page: Page, screenshot: Callable[[str], Path]) -> None:
    sign_up_and_sign_in(page)
    experiment_id = new_experiment(page, name="Layout", graph=iris_graph("sample-iris"))
    nodes = page.locator(".react-flow__node")
    expect(nodes).to_have_count(4)

    # Shift-drag on the empty canvas draws a selection box around every node.
    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane is not None
    page.keyboard.down("Shift")
    page.mouse.move(pane["x"] + 8, pane["y"] + 8)
    page.mouse.down()
    page.mouse.move(pane["x"] + pane["width"] - 8, pane["y"] + pane["height"] - 8, steps=12)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(page.locator(".react-flow__node.selected")).to_have_count(4)
    expect(page.get_by_role("complementary", name="Properties")).to_contain_text("4 modules selected")

    # Auto-layout moves the nodes into layers, in one undo step.
    before = {m: node(page, m).bounding_box() for m in ("dataset", "kmeans_clustering")}
    page.get_by_role("button", name="Auto-layout").click()
    page.wait_for_timeout(400)
    train = node(page, "train_clustering_model").bounding_box()
    assign = node(page, "assign_data_to_clusters").bounding_box()
    data = node(page, "dataset").bounding_box()
    assert data and train and assign
    assert data["y"] < train["y"] < assign["y"], (data, train, assign)
    screenshot("editor-auto-layout")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    assert before["dataset"] is not None

    # Leaving with unsaved changes asks first.
    node(page, "kmeans_clustering").click()
    page.get_by_label("Comment").fill("not saved yet")
    page.get_by_role("link", name="Experiments").click()
    leave = page.get_by_role("dialog", name="Leave without saving?")
    expect(leave).to_be_visible()
    leave.get_by_role("button", name="Stay").click()
    expect(page).to_have_url(re.compile(rf"/experiments/{experiment_id}$"))
    page.get_by_role("link", name="Experiments").click()
    page.get_by_role("dialog", name="Leave without saving?").get_by_role(
        "button", name="Save and leave"
    ).click()
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()
    assert any(n["comment"] == "not saved yet" for n in saved_graph(page, experiment_id)["nodes"])
