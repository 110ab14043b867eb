"""GET /api/experiments/{id}/export: the experiment as a Python script and as a notebook, which, run
outside the studio in a subprocess, give the studio run's results."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from modules.samples import load_sample
from tests.api.conftest import upload
from tests.api.test_runs import all_rows, follow_events, run_experiment
from tests.graphs import iris_graph

pytestmark = pytest.mark.slow

COMPARED = [("assign", "results_dataset"), ("train", "results_dataset"), ("sweep", "sweep_results")]


def studio_run(client: TestClient, headers: dict[str, str], tmp_path: Path) -> tuple[int, str, Path]:
    """An uploaded Iris (with a text column and a missing value) through the Iris graph, run in the
    studio: (experiment id, dataset id, the uploaded file)."""
    iris = load_sample("sample-iris")
    iris.loc[3, iris.columns[0]] = None
    csv = tmp_path / "my iris.csv"
    iris.to_csv(csv, index=False)
    dataset = upload(client, headers, csv.read_bytes(), "my iris.csv").json()
    graph = iris_graph(dataset["id"])
    exp = client.post("/api/experiments", headers=headers, json={"name": "Iris: by hand", "graph": graph})
    run = run_experiment(client, headers, exp.json()["id"])
    assert follow_events(client, headers, run["id"])[-1]["status"] == "succeeded"
    return exp.json()["id"], dataset["id"], csv


def assert_same_results(client: TestClient, headers: dict[str, str], exp_id: int, out: Path) -> None:
    run_id = client.get(f"/api/experiments/{exp_id}", headers=headers).json()["last_run"]["id"]
    for node, port in COMPARED:
        served = all_rows(client, headers, run_id, node, port).drop(columns=["Seconds"], errors="ignore")
        scripted = pd.read_csv(out / f"{node}.{port}.csv").drop(columns=["Seconds"], errors="ignore")
        assert list(scripted.columns) == list(served.columns)
        if "Assignments" in served.columns:  # identical assignments, row for row (-1: unassigned)
            assert scripted["Assignments"].fillna(-1).tolist() == served["Assignments"].fillna(-1).tolist()
            assert served["Assignments"].isna().sum() == 1  # the row with a missing feature value
        pd.testing.assert_frame_equal(scripted, served, check_dtype=False, rtol=1e-12)


def run_python(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def exported(client: TestClient, headers: dict[str, str], exp_id: int, fmt: str, media_type: str) -> str:
    """The export's text, checked to come as an attachment of its media type."""
    response = client.get(f"/api/experiments/{exp_id}/export?format={fmt}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert f'filename="iris_by_hand.{fmt}"' in response.headers["content-disposition"]
    return response.text


def test_the_exported_script_reproduces_the_studio_run(
    client: TestClient, alice: dict[str, str], tmp_path: Path
) -> None:
    exp_id, dataset_id, csv = studio_run(client, alice, tmp_path)
    text = exported(client, alice, exp_id, "py", "text/x-python")
    script = tmp_path / "iris_by_hand.py"
    script.write_text(text)
    name = client.get(f"/api/datasets/{dataset_id}", headers=alice).json()["name"]
    assert f"--dataset {dataset_id}=" in text and f"{name!r}: an uploaded dataset" in text

    # Without the uploaded dataset's file it says what to give; with it, it writes every output.
    refused = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 2 and dataset_id in refused.stderr
    done = run_python([str(script), "--dataset", f"{dataset_id}={csv}", "--out", "out"], tmp_path)
    assert "Outputs written to out/" in done.stdout
    assert (tmp_path / "out" / "train.trained_model.npz").exists()
    assert_same_results(client, alice, exp_id, tmp_path / "out")


def test_the_exported_notebook_runs_its_cells_to_the_same_results(
    client: TestClient, alice: dict[str, str], tmp_path: Path
) -> None:
    exp_id, dataset_id, csv = studio_run(client, alice, tmp_path)
    notebook: dict[str, Any] = json.loads(
        exported(client, alice, exp_id, "ipynb", "application/x-ipynb+json")
    )
    assert notebook["nbformat"] == 4 and notebook["cells"][0]["cell_type"] == "markdown"
    code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert any("plot.scatter" in cell for cell in code)  # the chart of the result
    # The cells as a user runs them, after pointing DATASETS at the file.
    name = client.get(f"/api/datasets/{dataset_id}", headers=alice).json()["name"]
    cells = [c.replace(json.dumps(f"<path or URL of {name}>"), repr(str(csv))) for c in code]
    (tmp_path / "notebook.py").write_text("\n\n".join(cells))
    run_python(["notebook.py"], tmp_path)
    assert_same_results(client, alice, exp_id, tmp_path / "outputs")


def test_export_is_for_those_who_can_see_the_experiment(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    exp = client.post("/api/experiments", headers=alice, json={"name": "Mine", "graph": iris_graph()}).json()
    assert client.get(f"/api/experiments/{exp['id']}/export", headers=bob).status_code == 404
    assert client.get(f"/api/experiments/{exp['id']}/export").status_code == 401
    assert client.get(f"/api/experiments/{exp['id']}/export?format=exe", headers=alice).status_code == 422
    sample_script = client.get(f"/api/experiments/{exp['id']}/export", headers=alice).text
    assert 'SAMPLES = ["sample-iris"]' in sample_script and "UPLOADED = []" in sample_script


def test_an_export_of_a_run_sets_the_seeds_it_drew_and_repeats_that_run(
    client: TestClient, alice: dict[str, str], bob: dict[str, str], tmp_path: Path
) -> None:
    # K-Means with its seed left empty: Train draws one at the run and logs it.
    graph = iris_graph(seed=None, sweep=False)  # type: ignore[arg-type]
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "Iris: by hand", "graph": graph}
    ).json()["id"]
    run_ids = []
    for _ in range(2):  # the second run reuses the first's outputs (same signature)
        run = run_experiment(client, alice, exp_id)
        assert follow_events(client, alice, run["id"])[-1]["status"] == "succeeded"
        run_ids.append(run["id"])
    logs = [client.get(f"/api/runs/{r}/nodes/train/log", headers=alice).text for r in run_ids]
    drawn = int(re.search(r"using seed (\d+)", logs[0]).group(1))  # type: ignore[union-attr]
    assert logs[1].startswith("Reused the output of an earlier identical run.")
    assert f"using seed {drawn}" in logs[1]  # the reused output's log comes with it

    plain = client.get(f"/api/experiments/{exp_id}/export?format=py", headers=alice).text
    assert "Seeds left empty in the studio (nodes kmeans)" in plain
    for run_id in run_ids:
        response = client.get(f"/api/experiments/{exp_id}/export?format=py&run={run_id}", headers=alice)
        assert response.status_code == 200
        text = response.text
        assert f"The seeds studio run {run_id} drew are set in GRAPH" in text
        assert f"kmeans seed {drawn}" in text and f'"seed": {drawn}' in text
        assert "Seeds left empty" not in text
    script = tmp_path / "iris_by_hand.py"
    script.write_text(text)
    run_python([str(script), "--out", "out"], tmp_path)
    for node, port in [("train", "results_dataset"), ("assign", "results_dataset")]:
        served = all_rows(client, alice, run_ids[0], node, port)
        scripted = pd.read_csv(tmp_path / "out" / f"{node}.{port}.csv")
        assert scripted["Assignments"].tolist() == served["Assignments"].tolist()
        pd.testing.assert_frame_equal(scripted, served, check_dtype=False, rtol=1e-12)

    # A run of another experiment, or none, is not found; another user sees no experiment at all.
    other = client.post("/api/experiments", headers=alice, json={"name": "Other", "graph": graph}).json()[
        "id"
    ]
    assert client.get(f"/api/experiments/{other}/export?run={run_ids[0]}", headers=alice).status_code == 404
    assert client.get(f"/api/experiments/{exp_id}/export?run=999999", headers=alice).status_code == 404
    assert client.get(f"/api/experiments/{exp_id}/export?run={run_ids[0]}", headers=bob).status_code == 404
    assert client.get(f"/api/experiments/{exp_id}/export?run=0", headers=alice).status_code == 422
