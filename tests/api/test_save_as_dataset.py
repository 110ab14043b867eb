"""Save as Dataset: a table output kept as one of the caller's datasets, a copy that outlives its run."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi.testclient import TestClient

from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.graphs import iris_graph


def finished_iris_run(client: TestClient, headers: dict[str, str]) -> tuple[int, int]:
    graph = iris_graph(sweep=False)
    exp = client.post("/api/experiments", headers=headers, json={"name": "Iris", "graph": graph}).json()
    run = wait_for(client, headers, run_experiment(client, headers, exp["id"])["id"])
    assert run["status"] == "succeeded", run
    return exp["id"], run["id"]


def save(client: TestClient, headers: dict[str, str], run_id: int, node: str, port: str, **body: Any) -> Any:
    url = f"/api/runs/{run_id}/nodes/{node}/outputs/{port}/save-as-dataset"
    return client.post(url, headers=headers, json=body)


def test_a_results_table_becomes_a_dataset_that_outlives_its_run(
    client: TestClient, alice: dict[str, str]
) -> None:
    exp_id, run_id = finished_iris_run(client, alice)
    saved = save(client, alice, run_id, "train", "results_dataset", name="Iris, clustered")
    assert saved.status_code == 201, saved.text
    info = saved.json()
    assert info["name"] == "Iris, clustered" and info["n_rows"] == 150 and info["sample"] is False
    types = {c["name"]: c["type"] for c in info["columns"]}
    assert types["species"] == "string" and types["Assignments"] == "numeric"
    assert types["DistancesToClusterCenter no.2"] == "numeric" and info["n_columns"] == 5 + 1 + 3
    output = all_rows(client, alice, run_id, "train", "results_dataset")
    assert client.delete(f"/api/experiments/{exp_id}", headers=alice).status_code == 204  # run gone too
    listed = client.get("/api/datasets", headers=alice).json()
    assert info["id"] in [d["id"] for d in listed]
    page = client.get(f"/api/datasets/{info['id']}/rows?limit=1000", headers=alice).json()
    kept = pd.DataFrame(page["rows"], columns=page["columns"])
    assert kept["Assignments"].tolist() == output["Assignments"].tolist()
    assert kept["species"].tolist() == output["species"].tolist()
    # and it is a dataset like any other: a graph can start from it
    graph = iris_graph(info["id"], sweep=False)
    report = client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).json()
    assert report["valid"], report["errors"]


def test_only_tables_and_only_readable_runs(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    _, run_id = finished_iris_run(client, alice)
    model = save(client, alice, run_id, "train", "trained_model", name="m")
    assert model.status_code == 400 and "model" in model.json()["detail"]
    assert save(client, bob, run_id, "train", "results_dataset", name="theirs").status_code == 404
    assert save(client, alice, run_id, "train", "no_such_port", name="x").status_code == 404
    assert save(client, alice, run_id, "train", "results_dataset", name="").status_code == 422
    assert save(client, alice, run_id, "train", "results_dataset").status_code == 422
    assert not [d for d in client.get("/api/datasets", headers=bob).json() if not d["sample"]]
