"""Runs under stress: many at once, cancel, a killed worker, and a restart in the middle of a run."""

from __future__ import annotations

import os
import signal
import time

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from backend.models import Experiment, ExperimentVersion, NodeRun, Run, User
from tests.api.test_runs import iris_graph, run_experiment, wait_for

pytestmark = pytest.mark.slow


def long_sweep_graph() -> dict:
    graph = iris_graph("sample-synthetic-100k")
    for node in graph["nodes"]:
        if node["id"] == "range":
            node["params"].update(n_clusters_range="2-40", n_seeds=20, iterations=10000)
        if node["id"] == "sweep":
            node["params"].update(sweep_mode="grid")
    return graph


def test_ten_runs_at_once_all_complete(client: TestClient, alice: dict[str, str]) -> None:
    runs = []
    for i in range(10):
        graph = iris_graph("sample-iris", n_clusters=2 + i % 5)
        graph["nodes"][1]["params"]["seed"] = i  # distinct work, so nothing is simply reused
        exp = client.post("/api/experiments", headers=alice, json={"name": f"e{i}", "graph": graph}).json()
        runs.append(run_experiment(client, alice, exp["id"])["id"])
    finished = [wait_for(client, alice, run_id, timeout=120) for run_id in runs]
    assert [r["status"] for r in finished] == ["succeeded"] * 10


def test_cancel_stops_a_long_sweep(client: TestClient, alice: dict[str, str]) -> None:
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "long", "graph": long_sweep_graph()}
    ).json()
    run_id = run_experiment(client, alice, exp["id"], nodes=["sweep"])["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/runs/{run_id}", headers=alice).json()["nodes"]["sweep"]["status"] != "running":
        assert time.monotonic() < deadline, "the sweep never started"
        time.sleep(0.05)
    time.sleep(0.5)
    asked = time.monotonic()
    assert client.post(f"/api/runs/{run_id}/cancel", headers=alice).status_code == 200
    run = wait_for(client, alice, run_id, timeout=10)
    took = time.monotonic() - asked
    assert run["status"] == "cancelled" and run["nodes"]["sweep"]["status"] == "cancelled"
    assert run["nodes"]["data"]["status"] == "succeeded"  # finished nodes keep their outputs
    print(f"\ncancel took {took:.2f} s (bench.bench_api gates it: < 2 s)")


def test_a_killed_worker_fails_the_node_clearly_and_the_server_keeps_serving(
    client: TestClient, alice: dict[str, str]
) -> None:
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "kill", "graph": long_sweep_graph()}
    ).json()
    run_id = run_experiment(client, alice, exp["id"], nodes=["sweep"])["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/runs/{run_id}", headers=alice).json()["nodes"]["sweep"]["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    for pid in client.app.state.runs.executor.worker_pids():  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
    run = wait_for(client, alice, run_id, timeout=20)
    assert run["status"] == "failed"
    error = run["nodes"]["sweep"]["error"]
    assert error["code"] == "0039" and "worker process" in error["message"] and "killed" in error["message"]
    # The pool recovers: a new run succeeds.
    small = client.post(
        "/api/experiments", headers=alice, json={"name": "ok", "graph": iris_graph("sample-iris")}
    )
    again = wait_for(client, alice, run_experiment(client, alice, small.json()["id"])["id"])
    assert again["status"] == "succeeded"


def test_runs_left_running_by_a_previous_process_become_interrupted(settings, client: TestClient) -> None:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        user = User(username="ghost", password_hash="x")
        session.add(user)
        session.flush()
        exp = Experiment(owner_id=user.id, name="was running", version=1)
        session.add(exp)
        session.flush()
        session.add(
            ExperimentVersion(experiment_id=exp.id, version=1, name="v", graph={"nodes": [], "edges": []})
        )
        run = Run(experiment_id=exp.id, experiment_version=1, status="running")
        session.add(run)
        session.flush()
        session.add(
            NodeRun(run_id=run.id, node_id="n", module_id="dataset", module_version="1", status="running")
        )
        session.commit()
        run_id = run.id
    restarted = TestClient(create_app(settings))
    with restarted, restarted.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        assert session.get(Run, run_id).status == "interrupted"
        node = session.query(NodeRun).filter_by(run_id=run_id).one()
        assert node.status == "interrupted" and node.error_message


def test_start_up_removes_artefacts_no_run_references(
    settings, client: TestClient, alice: dict[str, str]
) -> None:
    kept = client.post(
        "/api/experiments", headers=alice, json={"name": "kept", "graph": iris_graph("sample-iris")}
    )
    gone_graph = iris_graph("sample-iris", n_clusters=4)
    gone = client.post("/api/experiments", headers=alice, json={"name": "gone", "graph": gone_graph})
    for exp in (kept, gone):
        assert (
            wait_for(client, alice, run_experiment(client, alice, exp.json()["id"])["id"])["status"]
            == "succeeded"
        )
    store = client.app.state.runs.store  # type: ignore[attr-defined]
    before = {p.name for p in store.root.glob("*/*")}
    assert client.delete(f"/api/experiments/{gone.json()['id']}", headers=alice).status_code == 204
    (settings.data_dir / "tmp").mkdir(exist_ok=True)
    (settings.data_dir / "tmp" / "cut-off.upload").write_bytes(b"a,b\n1")
    (settings.data_dir / "tmp" / "cut-off.parts").mkdir()  # an upload stopped while stored in parts
    (settings.data_dir / "tmp" / "cut-off.parts" / "part-00000.parquet").write_bytes(b"PAR1")

    restarted = TestClient(create_app(settings))
    with restarted:
        after = {p.name for p in store.root.glob("*/*")}
        assert after < before, "the deleted experiment's own outputs are gone"
        assert not list((settings.data_dir / "tmp").glob("*"))
        # Everything the kept experiment's run needs is still there: its outputs still open.
        run = restarted.get(f"/api/experiments/{kept.json()['id']}/runs", headers=alice).json()[0]
        for node_id, node in run["nodes"].items():
            for port in node["outputs"]:
                url = f"/api/runs/{run['id']}/nodes/{node_id}/outputs/{port}"
                assert restarted.get(url, headers=alice).status_code == 200, url
