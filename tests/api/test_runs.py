"""The whole path over HTTP: upload → experiment → run → SSE → outputs equal the headless engine → caching."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import modules
from backend.executor import ArtefactRef
from backend.models import NodeRun
from modules.samples import load_sample
from tests.api.conftest import upload
from tests.graphs import iris_graph

pytestmark = pytest.mark.slow


def follow_events(client: TestClient, headers: dict[str, str], run_id: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    with client.stream("GET", f"/api/runs/{run_id}/events", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1].get("final"):
                    break
    return events


def wait_for(client: TestClient, headers: dict[str, str], run_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}", headers=headers).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def all_rows(client: TestClient, headers: dict[str, str], run_id: int, node: str, port: str) -> pd.DataFrame:
    url = f"/api/runs/{run_id}/nodes/{node}/outputs/{port}/download?format=csv"
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return pd.read_csv(io.StringIO(response.text))


def run_experiment(client: TestClient, headers: dict[str, str], exp_id: int, **body: Any) -> dict[str, Any]:
    started = client.post(f"/api/experiments/{exp_id}/runs", headers=headers, json=body or None)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    return started.json()


def test_the_iris_experiment_end_to_end(client: TestClient, alice: dict[str, str]) -> None:
    iris = load_sample("sample-iris")
    dataset = upload(client, alice, iris.to_csv(index=False).encode(), "iris.csv").json()
    graph = iris_graph(dataset["id"])
    exp = client.post("/api/experiments", headers=alice, json={"name": "Iris", "graph": graph}).json()

    first = run_experiment(client, alice, exp["id"])
    events = follow_events(client, alice, first["id"])
    assert events[0]["type"] == "snapshot" and events[-1] == {
        **events[-1],
        "type": "run",
        "status": "succeeded",
    }
    seen = {(e["node_id"], e["status"]) for e in events if e.get("type") == "node"}
    for node in ("data", "kmeans", "train", "assign", "range", "sweep"):
        assert (node, "succeeded") in seen, node
    run = client.get(f"/api/runs/{first['id']}", headers=alice).json()
    assert run["status"] == "succeeded"
    assert all(n["status"] == "succeeded" and not n["cached"] for n in run["nodes"].values())
    assert all(n["duration_ms"] is not None and n["finished_at"] for n in run["nodes"].values())
    for node in run["nodes"].values():  # where the worker's time went, as its log's last line says
        timings = node["timings"]
        assert timings["total_ms"] == node["duration_ms"]
        outside = sum(timings[f"{part}_ms"] for part in ("inputs", "outputs", "charts", "other"))
        assert abs(timings["module_ms"] + outside - timings["total_ms"]) < 1e-6

    # The same graph through the headless engine gives the same tables.
    reference = modules.run_graph(graph, lambda _id: pd.read_csv(io.StringIO(iris.to_csv(index=False))))
    for node, port in [
        ("assign", "results_dataset"),
        ("train", "results_dataset"),
        ("sweep", "sweep_results"),
    ]:
        served = all_rows(client, alice, first["id"], node, port)
        expected = reference[(node, port)].drop(columns=["Seconds"], errors="ignore")
        served = served.drop(columns=["Seconds"], errors="ignore")
        assert list(served.columns) == list(expected.columns)
        for column in expected.columns:
            if pd.api.types.is_numeric_dtype(expected[column]):
                np.testing.assert_allclose(
                    served[column].to_numpy(float),
                    expected[column].to_numpy(float),
                    rtol=1e-12,
                    err_msg=f"{node}.{port}.{column}",
                )
            else:
                assert served[column].astype(str).tolist() == expected[column].astype(str).tolist()
    model = client.get(f"/api/runs/{first['id']}/nodes/train/outputs/trained_model", headers=alice).json()
    assert model["type"] == "trained_cluster_model" and model["k"] == 3
    np.testing.assert_allclose(
        np.array(model["centroids"]), reference[("train", "trained_model")].model.centroids
    )

    # Unchanged: every node is reused.
    second = run_experiment(client, alice, exp["id"])
    rerun = wait_for(client, alice, second["id"])
    assert rerun["status"] == "succeeded"
    assert all(n["cached"] for n in rerun["nodes"].values()), rerun["nodes"]
    assert all(n["timings"] is None for n in rerun["nodes"].values())  # no worker ran them

    # One parameter changed: that node and its descendants recompute, the rest is reused.
    graph["nodes"][1]["params"]["n_clusters"] = 4
    saved = client.put(f"/api/experiments/{exp['id']}", headers=alice, json={"graph": graph, "version": 1})
    assert saved.status_code == 200
    third = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"])
    recomputed = {node for node, n in third["nodes"].items() if not n["cached"]}
    assert recomputed == {"kmeans", "train", "assign"}
    four = client.get(f"/api/runs/{third['id']}/nodes/train/outputs/trained_model", headers=alice).json()
    assert four["k"] == 4


def test_run_selected_runs_only_what_the_nodes_need(client: TestClient, alice: dict[str, str]) -> None:
    graph = iris_graph("sample-iris")
    exp = client.post("/api/experiments", headers=alice, json={"name": "Select", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"], nodes=["train"])["id"])
    assert run["status"] == "succeeded"
    assert set(run["nodes"]) == {"data", "kmeans", "train"}


def test_an_invalid_graph_is_refused_with_its_errors(client: TestClient, alice: dict[str, str]) -> None:
    graph = iris_graph("sample-iris")
    graph["edges"] = [e for e in graph["edges"] if e["target"] != "assign" or e["target_port"] != "dataset"]
    exp = client.post("/api/experiments", headers=alice, json={"name": "Broken", "graph": graph}).json()
    response = client.post(f"/api/experiments/{exp['id']}/runs", headers=alice)
    assert response.status_code == 400
    errors = response.json()["detail"]["errors"]
    assert any(e["node_id"] == "assign" and e.get("port") == "dataset" for e in errors), errors


def test_a_failing_node_reports_its_code_and_stops_its_descendants(
    client: TestClient, alice: dict[str, str]
) -> None:
    # More centroids than Iris has rows: only running finds out (0021, too few usable rows).
    graph = iris_graph("sample-iris", n_clusters=200)
    exp = client.post("/api/experiments", headers=alice, json={"name": "Fails", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"])
    assert run["status"] == "failed"
    assert run["nodes"]["train"]["status"] == "failed"
    assert run["nodes"]["train"]["error"]["code"] == "0021"
    assert "200" in run["nodes"]["train"]["error"]["message"]
    assert run["nodes"]["assign"]["status"] == "cancelled"
    assert run["nodes"]["sweep"]["status"] == "succeeded"
    log = client.get(f"/api/runs/{run['id']}/nodes/train/log", headers=alice)
    assert log.status_code == 200 and "0021" in log.text


def test_visualization_payloads(client: TestClient, alice: dict[str, str]) -> None:
    graph = iris_graph("sample-iris")
    exp = client.post("/api/experiments", headers=alice, json={"name": "Charts", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"])
    base = f"/api/runs/{run['id']}/nodes"
    clusters = client.get(f"{base}/assign/outputs/results_dataset/visualization", headers=alice).json()
    assert clusters["kind"] == "clusters" and clusters["k"] == 3
    assert sum(c["count"] for c in clusters["cluster_sizes"]) == 150 and len(clusters["ellipses"]) == 3
    assert len(clusters["points"]["x"]) == 150 and len(clusters["centroids"]) == 3
    sweep = client.get(f"{base}/sweep/outputs/sweep_results/visualization", headers=alice).json()
    assert sweep["kind"] == "sweep"
    # The run already computed the default chart data, so the first chart opens without waiting.
    store = client.app.state.runs.store  # type: ignore[attr-defined]
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = session.scalar(
            select(NodeRun.outputs).where(NodeRun.run_id == run["id"], NodeRun.node_id == "assign")
        )
    assert store.read_derived(ArtefactRef.from_json(stored["results_dataset"]), "visualization") is not None
    everything = client.get(
        f"{base}/assign/outputs/results_dataset/visualization?all_points=true", headers=alice
    )
    assert len(everything.json()["points"]["x"]) == 150
    summary = client.get(f"{base}/assign/outputs/results_dataset", headers=alice).json()
    assert summary["type"] == "data_table" and summary["n_rows"] == 150 and len(summary["preview"]) == 100
    rows = client.get(f"{base}/assign/outputs/results_dataset/rows?offset=148&limit=10", headers=alice).json()
    assert rows["total"] == 150 and len(rows["rows"]) == 2 and "Assignments" in rows["columns"]
    assert client.get(f"{base}/assign/outputs/nope", headers=alice).status_code == 404
