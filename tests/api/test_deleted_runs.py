"""A deleted run never writes again: its id is never given out twice and its outputs never land anywhere.

The attack this reproduces: user X runs a sweep on a private upload and deletes the experiment mid-run;
on SQLite the freed run id went to the next run created (user Y's), and when X's orphaned coordinator
finished, it wrote X's outputs into Y's run, where Y could read X's private columns.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from backend.models import NodeRun, NodeRunDataset, Run
from tests.api.conftest import upload
from tests.api.test_runs import iris_graph, run_experiment, wait_for

pytestmark = pytest.mark.slow

SECRET = "secret_salary"


def private_upload(client: TestClient, headers: dict[str, str]) -> str:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(40_000, 3)), columns=["a", "b", SECRET])
    response = upload(client, headers, frame.to_csv(index=False).encode(), "private.csv")
    assert response.status_code == 201, response.text
    return response.json()["id"]


def slow_sweep_graph(dataset_id: str) -> dict:
    graph = iris_graph(dataset_id)
    for node in graph["nodes"]:
        if node["id"] == "range":
            node["params"].update(n_clusters_range="2-40", n_seeds=10, iterations=10000)
    return graph


def wait_until_running(client: TestClient, headers: dict[str, str], run_id: int, node: str) -> None:
    deadline = time.monotonic() + 60
    while client.get(f"/api/runs/{run_id}", headers=headers).json()["nodes"][node]["status"] != "running":
        assert time.monotonic() < deadline, f"{node} never started"
        time.sleep(0.05)


def wait_until_over(client: TestClient, run_id: int, timeout: float = 120) -> None:
    """Until no coordinator drives the run any more (a deleted run's too)."""
    deadline = time.monotonic() + timeout
    while client.app.state.runs.is_live(run_id):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"run {run_id} still has a coordinator"
        time.sleep(0.05)


def stored_keys(client: TestClient) -> set[str]:
    store = client.app.state.runs.store  # type: ignore[attr-defined]
    return {path.name.split(".", 1)[0] for path in store.root.glob("*/*")}


def referenced_keys(client: TestClient) -> set[str]:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        return {
            ref["key"]
            for outputs in session.scalars(select(NodeRun.outputs).where(NodeRun.outputs.is_not(None)))
            for ref in (outputs or {}).values()
        }


def test_deleting_an_experiment_mid_run_leaks_nothing_into_the_next_run(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    private = private_upload(client, alice)
    x = client.post("/api/experiments", headers=alice, json={"name": "X", "graph": slow_sweep_graph(private)})
    x_run = run_experiment(client, alice, x.json()["id"], nodes=["sweep"])["id"]
    wait_until_running(client, alice, x_run, "sweep")

    assert client.delete(f"/api/experiments/{x.json()['id']}", headers=alice).status_code == 204
    # Deleting waited for the run to stop: nothing drives it any more, and it is gone.
    assert not client.app.state.runs.is_live(x_run)  # type: ignore[attr-defined]
    assert client.get(f"/api/runs/{x_run}", headers=alice).status_code == 404

    # Y's next run (same node ids as X's graph) gets a new id and only ever Y's own outputs.
    y = client.post("/api/experiments", headers=bob, json={"name": "Y", "graph": iris_graph("sample-iris")})
    y_run = run_experiment(client, bob, y.json()["id"], nodes=["sweep"])["id"]
    assert y_run > x_run, "a deleted run's id was given out again"
    assert wait_for(client, bob, y_run)["status"] == "succeeded"
    wait_until_over(client, x_run)
    for node_id in ("data", "sweep"):
        rows = client.get(
            f"/api/runs/{y_run}/nodes/{node_id}/outputs/"
            + ("dataset" if node_id == "data" else "sweep_results")
            + "/rows",
            headers=bob,
        )
        assert rows.status_code == 200
        assert SECRET not in rows.json()["columns"]
    data_rows = client.get(f"/api/runs/{y_run}/nodes/data/outputs/dataset/rows", headers=bob).json()
    assert data_rows["total"] == 150  # Iris, not X's 40,000 private rows
    # Nothing X's run computed is left on disk: every stored file belongs to a recorded output.
    assert stored_keys(client) <= referenced_keys(client)


def test_a_coordinator_whose_run_vanished_writes_nothing(client: TestClient, alice: dict[str, str]) -> None:
    """Even when the rows disappear without the run manager being told (another server, a bug)."""
    private = private_upload(client, alice)
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "X", "graph": slow_sweep_graph(private)}
    )
    run_id = run_experiment(client, alice, exp.json()["id"], nodes=["sweep"])["id"]
    wait_until_running(client, alice, run_id, "sweep")
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        session.execute(delete(Run).where(Run.id == run_id))
        session.commit()
    client.app.state.runs.cancel(run_id)  # type: ignore[attr-defined]  # as any stop would
    wait_until_over(client, run_id)
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        assert session.scalars(select(NodeRun).where(NodeRun.run_id == run_id)).all() == []
        assert session.scalars(select(NodeRunDataset)).all() == []
    assert stored_keys(client) <= referenced_keys(client)


def test_deleting_an_experiment_removes_its_outputs_from_disk(
    client: TestClient, alice: dict[str, str]
) -> None:
    kept = client.post(
        "/api/experiments", headers=alice, json={"name": "k", "graph": iris_graph("sample-iris")}
    )
    gone = client.post(
        "/api/experiments",
        headers=alice,
        json={"name": "g", "graph": iris_graph("sample-iris", n_clusters=4)},
    )
    for exp in (kept, gone):
        run = run_experiment(client, alice, exp.json()["id"])["id"]
        assert wait_for(client, alice, run)["status"] == "succeeded"
    before = stored_keys(client)
    assert client.delete(f"/api/experiments/{gone.json()['id']}", headers=alice).status_code == 204
    after = stored_keys(client)
    assert after < before, "the deleted experiment's own outputs are removed at once"
    assert after == referenced_keys(client), "outputs shared with the kept experiment (cache) stay"


def test_ids_of_deleted_objects_are_never_given_out_again(client: TestClient, alice: dict[str, str]) -> None:
    first = client.post(
        "/api/experiments", headers=alice, json={"name": "a", "graph": iris_graph("sample-iris")}
    )
    run_id = run_experiment(client, alice, first.json()["id"], nodes=["data"])["id"]
    assert wait_for(client, alice, run_id)["status"] == "succeeded"
    assert client.delete(f"/api/experiments/{first.json()['id']}", headers=alice).status_code == 204
    second = client.post(
        "/api/experiments", headers=alice, json={"name": "b", "graph": iris_graph("sample-iris")}
    )
    assert second.json()["id"] > first.json()["id"]
    assert run_experiment(client, alice, second.json()["id"], nodes=["data"])["id"] > run_id
