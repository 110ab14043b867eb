"""Trained models leave the canvas (issue 11), in a real browser: a model trained on one part of Iris is
saved from its output view, dropped from the palette into a new experiment beside the other part, and
scores it exactly as the run that trained it did; deployed as a web service, the service page's Python
sample (run here, with the key the page shows once) gives the same assignments, and a regenerated key
stops the old one while the other key goes on working. Screenshots: tests/e2e/screenshots/models-*.png.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests import graphs
from tests.e2e.e2e_helpers import (
    RUN_TIMEOUT_S,
    connect,
    drop_on_canvas,
    new_experiment,
    node,
    output_url,
    run_new_experiment,
    sign_up_and_sign_in,
)

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_MS = RUN_TIMEOUT_S * 1000
SPLIT = {"fraction": 0.7, "randomize": True, "seed": 5}
TRAINING_EXPERIMENT = "Iris, trained on 70 %"
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def split_iris() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Iris → Split Data (70 % / 30 %, seeded): the same split in every experiment."""
    nodes = [
        graphs.node("data", "dataset", 0, 0, dataset_id="sample-iris"),
        graphs.node("split", "split_data", 0, 160, **SPLIT),
    ]
    return nodes, [graphs.edge("data", "dataset", "split", "dataset")]


def training_graph() -> dict[str, Any]:
    """K-Means trained on the first part; the trained model assigns the second part."""
    nodes, edges = split_iris()
    nodes += [
        graphs.node("kmeans", "kmeans_clustering", 320, 0, n_clusters=3, seed=7),
        graphs.node("train", "train_clustering_model", 160, 320),
        graphs.node("assign", "assign_data_to_clusters", 160, 480),
    ]
    edges += [
        graphs.edge("kmeans", "untrained_model", "train", "untrained_model"),
        graphs.edge("split", "results_dataset1", "train", "dataset"),
        graphs.edge("train", "trained_model", "assign", "trained_model"),
        graphs.edge("split", "results_dataset2", "assign", "dataset"),
    ]
    return {"nodes": nodes, "edges": edges}


def output_rows(page: Page, run_id: int, node_id: str, port: str) -> tuple[list[str], list[list[Any]]]:
    answer = page.request.get(f"/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/rows?offset=0&limit=1000")
    assert answer.ok, answer.text()
    body = answer.json()
    assert body["total"] == len(body["rows"])
    return body["columns"], body["rows"]


def column(table: tuple[list[str], list[list[Any]]], name: str) -> list[Any]:
    columns, rows = table
    at = columns.index(name)
    return [row[at] for row in rows]


def save_trained_model(
    page: Page, run_id: int, name: str, screenshot: Callable[[str], Path]
) -> dict[str, Any]:
    """Save the Train node's model from its output page; the saved model as the API lists it."""
    page.goto(output_url(run_id, "train", "trained_model"))
    expect(page.get_by_test_id("centroid-heatmap")).to_be_visible()
    page.get_by_role("button", name="Save as trained model").click()
    dialog = page.get_by_role("dialog", name="Save as trained model")
    expect(dialog.get_by_label("Model name")).to_be_focused()
    dialog.get_by_label("Model name").fill(name)
    dialog.get_by_label(re.compile("Description")).fill("K-Means, k = 3, trained on 70 % of Iris")
    screenshot("models-save-dialog")
    dialog.get_by_role("button", name="Save model").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"Saved “{name}”")).to_be_visible()
    saved = [m for m in page.request.get("/api/models").json()["data"] if m["name"] == name]
    assert len(saved) == 1, saved
    return saved[0]


def test_a_saved_model_scores_the_other_split_like_the_run_that_trained_it(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    trained_run = run_new_experiment(page, TRAINING_EXPERIMENT, training_graph())
    model = save_trained_model(page, trained_run, "Iris 70 %", screenshot)
    assert model["k"] == 3 and model["source"]["run_id"] == trained_run
    assert [c["name"] for c in model["feature_columns"]] == FEATURES

    # A new experiment: the same split, Assign Data to Clusters, and the saved model from the palette.
    nodes, edges = split_iris()
    nodes.append(graphs.node("assign", "assign_data_to_clusters", 160, 480))
    edges.append(graphs.edge("split", "results_dataset2", "assign", "dataset"))
    experiment_id = new_experiment(page, "Score the other 30 %", {"nodes": nodes, "edges": edges})
    palette = page.get_by_role("complementary", name="Module palette")
    entry = palette.get_by_test_id("palette-model-Iris 70 %")
    expect(entry).to_contain_text("K-Means · k = 3 · 4 columns")
    drop_on_canvas(page, entry, 0.7, 0.25)
    saved_node = node(page, "trained_model")
    expect(saved_node).to_contain_text("Iris 70 %")
    expect(page.get_by_role("combobox", name="Trained model")).to_have_value(model["id"])
    connect(page, saved_node, "trained_model", node(page, "assign_data_to_clusters"), "trained_model")
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    screenshot("models-palette-drop")

    page.get_by_role("button", name="Run", exact=True).click()
    expect(node(page, "assign_data_to_clusters")).to_have_attribute(
        "data-status", "succeeded", timeout=RUN_TIMEOUT_MS
    )
    new_run = page.request.get(f"/api/experiments/{experiment_id}").json()["last_run"]["id"]
    expected = output_rows(page, trained_run, "assign", "results_dataset")
    scored = output_rows(page, new_run, "assign", "results_dataset")
    assert len(column(scored, "Assignments")) == 45
    assert column(scored, "Assignments") == column(expected, "Assignments")
    screenshot("models-scored")

    # The models page lists it, with its source run.
    page.goto("/models")
    row = page.get_by_test_id(f"model-row-{model['id']}")
    expect(row).to_contain_text("Iris 70 %")
    expect(
        row.get_by_role("link", name=f"Experiment {model['source']['experiment_id']} · run {trained_run}")
    ).to_be_visible()
    screenshot("models-page")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Runs a sample as a user would: a separate Python, the code as pasted."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def score_status(score_url: str, key: str, rows: list[list[float]]) -> int:
    """The status a program with `key` gets (no browser session: plain HTTP)."""
    body = json.dumps({"dataframe_split": {"columns": FEATURES, "data": rows}}).encode()
    request = urllib.request.Request(
        score_url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_deployed_model_answers_its_python_sample_and_a_regenerated_key_stops_the_old_one(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    trained_run = run_new_experiment(page, TRAINING_EXPERIMENT, training_graph())
    model = save_trained_model(page, trained_run, "Iris 70 %", screenshot)
    expected = column(output_rows(page, trained_run, "assign", "results_dataset"), "Assignments")
    columns, rows = output_rows(page, trained_run, "split", "results_dataset2")
    other_part = [[row[columns.index(name)] for name in FEATURES] for row in rows]

    page.goto("/models")
    page.get_by_role("button", name="Deploy Iris 70 % as a web service").click()
    dialog = page.get_by_role("dialog", name="Deploy as web service")
    dialog.get_by_label("Service name").fill("Iris scoring")
    dialog.get_by_role("button", name="Deploy").click()

    # The service page shows both keys once.
    expect(page.get_by_test_id("service-name")).to_have_text("Iris scoring")
    expect(page.get_by_role("alert")).to_contain_text("you will not see them again")
    primary = page.get_by_test_id("service-key-primary-value").input_value()
    secondary = page.get_by_test_id("service-key-secondary-value").input_value()
    assert primary.startswith("csk_") and secondary.startswith("csk_") and primary != secondary
    expect(page.get_by_role("table", name="Input columns")).to_contain_text("petal_width")
    screenshot("models-service-keys")

    # The Python sample works as pasted (with the key shown), and on the other part of the split it
    # gives the assignments the training run gave.
    sample = page.get_by_test_id("sample-python").inner_text()
    assert f'API_KEY = "{primary}"' in sample and model["id"] not in sample
    pasted = run_python(sample)
    assert pasted.returncode == 0, pasted.stderr
    assert len(json.loads(pasted.stdout)["dataframe_split"]["data"]) == 1
    on_the_rest = re.sub(
        r'"data": \[\n.*?\n        \],', f'"data": {json.dumps(other_part)},', sample, flags=re.S
    )
    assert on_the_rest != sample
    scored = run_python(on_the_rest)
    assert scored.returncode == 0, scored.stderr
    answer = json.loads(scored.stdout)["dataframe_split"]
    assert [row[answer["columns"].index("Assignments")] for row in answer["data"]] == expected

    # The test form, with the secondary key.
    page.get_by_label("Service key for the test").fill(secondary)
    page.get_by_role("button", name="Score", exact=True).click()
    expect(page.get_by_role("table", name="Assignments")).to_be_visible()
    screenshot("models-service-page")

    # Regenerating the primary key: the old one gets 401 at once, the secondary still works.
    page.get_by_role("button", name="I have copied them").click()
    score_url = page.get_by_test_id("score-url").inner_text()
    page.get_by_role("button", name="Regenerate the primary key").click()
    confirm = page.get_by_role("dialog", name="Regenerate the primary key?")
    confirm.get_by_role("button", name="Regenerate primary key").click()
    new_primary = page.get_by_test_id("service-key-primary-value")
    expect(new_primary).to_have_value(re.compile("^csk_"))
    expect(page.get_by_test_id("service-key-secondary-value")).to_have_count(0)
    assert new_primary.input_value() != primary
    assert score_status(score_url, primary, other_part[:1]) == 401
    assert score_status(score_url, secondary, other_part[:1]) == 200
    assert score_status(score_url, new_primary.input_value(), other_part[:1]) == 200
    old_key = run_python(sample)
    assert old_key.returncode != 0 and "401" in old_key.stderr


def test_export_in_each_format_import_it_back_and_a_format_that_cannot_hold_the_model(
    page: Page, screenshot: Callable[[str], Path], tmp_path: Path
) -> None:
    sign_up_and_sign_in(page)
    graph = training_graph()
    for entry in graph["nodes"]:
        if entry["id"] == "kmeans":
            entry["params"]["metric"] = "cosine"
    trained_run = run_new_experiment(page, TRAINING_EXPERIMENT, graph)
    saved = page.request.post(
        "/api/models",
        data={"run_id": trained_run, "node_id": "train", "port": "trained_model", "name": "Cosine Iris"},
    )
    assert saved.status == 201, saved.text()
    model = saved.json()
    page.goto("/models")
    row = page.get_by_test_id(f"model-row-{model['id']}")
    expect(row).to_contain_text("k = 3 · cosine · normalised")

    def export(label: str) -> None:
        row.get_by_role("button", name="Export Cosine Iris").click()
        page.get_by_role("menuitem", name=re.compile(label)).click()

    with page.expect_download() as onnx:
        export("ONNX")
    assert onnx.value.suggested_filename == "Cosine-Iris.onnx"
    assert Path(onnx.value.path()).stat().st_size > 0

    # PMML has no cosine distance: the page says so in words instead of saving a broken file.
    export("PMML")
    problem = page.get_by_role("dialog", name="“Cosine Iris” cannot be exported as PMML 4.4")
    expect(problem.get_by_role("alert")).to_contain_text("PMML cannot express the cosine metric")
    screenshot("models-export-problem")
    problem.get_by_role("button", name="OK").click()

    with page.expect_download() as portable:
        export("Portable JSON")
    exported = tmp_path / portable.value.suggested_filename
    portable.value.save_as(exported)
    assert exported.suffix == ".json"

    page.get_by_role("button", name="Import").click()
    dialog = page.get_by_role("dialog", name="Import a model")
    dialog.get_by_label("Model file").set_input_files(str(exported))
    dialog.get_by_label(re.compile("^Name")).fill("Cosine Iris, imported")
    dialog.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported “Cosine Iris, imported”")).to_be_visible()
    imported = page.locator("tr", has_text="Cosine Iris, imported")
    expect(imported).to_contain_text("Imported")
    expect(imported).to_contain_text("k = 3 · cosine · normalised")
    screenshot("models-imported")
