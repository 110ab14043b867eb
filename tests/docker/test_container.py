"""The studio in its Docker image, on PostgreSQL, over HTTP: `make test-docker` drives these.

`tests/docker/run.sh` builds the image, starts docker-compose.yml, runs
``test_a_fresh_container_runs_an_experiment``, restarts the containers, then runs
``test_everything_is_still_there_after_a_restart``. The first writes what it created to the file
named by STUDIO_DOCKER_STATE for the second. Without STUDIO_DOCKER_URL (the container's address)
both are skipped: the normal test run has no container.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

import modules
from modules.samples import load_sample
from tests.graphs import iris_graph

URL = os.environ.get("STUDIO_DOCKER_URL", "")
STATE = Path(os.environ.get("STUDIO_DOCKER_STATE", "/tmp/cluster-studio-docker-state.json"))
USERNAME = "docker-check"
PASSWORD = "correct horse battery"

pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(not URL, reason="STUDIO_DOCKER_URL is not set (make test-docker sets it)"),
]


@pytest.fixture
def api() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=URL, timeout=30) as client:
        yield client


def login(api: httpx.Client) -> dict[str, str]:
    response = api.post("/api/auth/login", json={"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 200, response.text
    api.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def run_and_wait(api: httpx.Client, headers: dict[str, str], exp_id: int) -> dict[str, Any]:
    started = api.post(f"/api/experiments/{exp_id}/runs", headers=headers)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = api.get(f"/api/runs/{started.json()['id']}", headers=headers).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {started.json()['id']} did not finish in 120 s")


def server_seconds(run: dict[str, Any]) -> float:
    """Time the server spent on the run, from its own timestamps."""
    started = datetime.fromisoformat(run["started_at"])
    finished = datetime.fromisoformat(run["finished_at"])
    return (finished - started).total_seconds()


def assignments(api: httpx.Client, headers: dict[str, str], run_id: int) -> pd.DataFrame:
    url = f"/api/runs/{run_id}/nodes/assign/outputs/results_dataset/download?format=csv"
    response = api.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return pd.read_csv(io.StringIO(response.text))


def test_a_fresh_container_runs_an_experiment(api: httpx.Client) -> None:
    health = api.get("/api/health").json()
    assert health["status"] == "ok" and health["database"] == "postgresql", health

    registered = api.post("/api/auth/register", json={"username": USERNAME, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    headers = login(api)
    iris = load_sample("sample-iris")
    csv = iris.to_csv(index=False).encode()
    uploaded = api.post("/api/datasets", headers=headers, files={"file": ("iris.csv", io.BytesIO(csv))})
    assert uploaded.status_code == 201, uploaded.text
    dataset = uploaded.json()
    assert dataset["n_rows"] == 150 and dataset["n_columns"] == 5

    graph = iris_graph(dataset["id"], seed=7)
    created = api.post("/api/experiments", headers=headers, json={"name": "Iris in Docker", "graph": graph})
    assert created.status_code == 201, created.text
    experiment = created.json()

    # The container's first run: every kernel comes from the cache compiled into the image.
    first = run_and_wait(api, headers, experiment["id"])
    assert first["status"] == "succeeded", first
    assert all(n["status"] == "succeeded" and not n["cached"] for n in first["nodes"].values())

    served = assignments(api, headers, first["id"])
    reference = modules.run_graph(graph, lambda _id: pd.read_csv(io.BytesIO(csv)))
    expected = reference[("assign", "results_dataset")]
    assert len(served) == 150
    assert served["Assignments"].tolist() == expected["Assignments"].tolist()
    assert set(served["Assignments"]) == {0, 1, 2}
    distances = [c for c in expected.columns if c.startswith("DistancesToClusterCenter")]
    np.testing.assert_allclose(served[distances].to_numpy(), expected[distances].to_numpy(), rtol=1e-9)

    # A later run of as much work (other parameters: only the dataset node is reused), to compare.
    graph_later = iris_graph(dataset["id"], seed=8, k_range="3-5")
    later_exp = api.post("/api/experiments", headers=headers, json={"name": "Again", "graph": graph_later})
    later = run_and_wait(api, headers, later_exp.json()["id"])
    assert later["status"] == "succeeded", later
    assert {k for k, n in later["nodes"].items() if n["cached"]} == {"data"}, later["nodes"]

    timings = {
        "first_run_s": server_seconds(first),
        "later_run_s": server_seconds(later),
        "first_run_nodes_ms": {k: n["duration_ms"] for k, n in first["nodes"].items()},
        "later_run_nodes_ms": {k: n["duration_ms"] for k, n in later["nodes"].items()},
    }
    print(f"\ncontainer timings: {json.dumps(timings)}")
    STATE.write_text(
        json.dumps(
            {
                "headers": headers,
                "dataset": dataset,
                "experiment_id": experiment["id"],
                "graph": experiment["graph"],  # as the server stored it
                "run_id": first["id"],
                "assignments": served["Assignments"].tolist(),
                "timings": timings,
            }
        )
    )


def test_everything_is_still_there_after_a_restart(api: httpx.Client) -> None:
    assert STATE.exists(), f"{STATE} is missing: run test_a_fresh_container_runs_an_experiment first"
    state = json.loads(STATE.read_text())
    assert api.get("/api/health").json()["database"] == "postgresql"

    # The session issued before the restart is still valid, and the password still signs in.
    old = state["headers"]
    me = api.get("/api/auth/me", headers=old)
    assert me.status_code == 200 and me.json()["username"] == USERNAME
    headers = login(api)

    dataset = api.get(f"/api/datasets/{state['dataset']['id']}", headers=headers)
    assert dataset.status_code == 200 and dataset.json()["n_rows"] == 150
    rows = api.get(f"/api/datasets/{state['dataset']['id']}/rows?limit=1000", headers=headers).json()
    iris = load_sample("sample-iris")
    assert rows["columns"] == list(iris.columns) and len(rows["rows"]) == 150
    np.testing.assert_allclose(
        np.array([r[:4] for r in rows["rows"]], dtype=float), iris.iloc[:, :4].to_numpy()
    )

    experiment = api.get(f"/api/experiments/{state['experiment_id']}", headers=headers).json()
    assert experiment["name"] == "Iris in Docker"
    assert experiment["graph"] == state["graph"]
    assert experiment["last_run"] is not None

    run = api.get(f"/api/runs/{state['run_id']}", headers=headers).json()
    assert run["status"] == "succeeded" and set(run["nodes"]) == {n["id"] for n in state["graph"]["nodes"]}
    # The run's outputs (artefacts on the studio-data volume) are still served.
    assert assignments(api, headers, state["run_id"])["Assignments"].tolist() == state["assignments"]

    # Running again reuses every node's stored output.
    again = run_and_wait(api, headers, state["experiment_id"])
    assert again["status"] == "succeeded" and all(n["cached"] for n in again["nodes"].values()), again
    print(f"\ncontainer timings before the restart: {json.dumps(state['timings'])}")


def test_the_dask_profile_runs_the_nodes_on_its_two_workers(api: httpx.Client) -> None:
    """After ``STUDIO_EXECUTOR=dask docker compose --profile dask up``: the same studio (volumes kept)
    runs its nodes on the scheduler's two workers, from the same image and the same data volume."""
    assert STATE.exists(), f"{STATE} is missing: run test_a_fresh_container_runs_an_experiment first"
    state = json.loads(STATE.read_text())
    deadline = time.monotonic() + 120  # the workers connect to the scheduler after the studio is up
    while (health := api.get("/api/health").json())["workers"] < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert health["executor"] == "dask" and health["executor_status"] == "ok", health
    assert health["workers"] == 2, health
    headers = login(api)

    # Another seed: every node but the dataset's runs again, on a worker, which reads its inputs and
    # writes its outputs on the shared volume.
    graph = iris_graph(state["dataset"]["id"], seed=11, k_range="2-6")  # a sweep over the workers too
    created = api.post("/api/experiments", headers=headers, json={"name": "Iris on Dask", "graph": graph})
    assert created.status_code == 201, created.text
    run = run_and_wait(api, headers, created.json()["id"])
    assert run["status"] == "succeeded", run
    ran = {node_id for node_id, n in run["nodes"].items() if not n["cached"]}
    assert ran == set(run["nodes"]) - {"data"}, run["nodes"]  # the dataset node's output is reused
    workers = set()
    for node_id in sorted(ran):
        log = api.get(f"/api/runs/{run['id']}/nodes/{node_id}/log", headers=headers).text
        assert log.startswith("Ran on Dask worker tcp://"), (node_id, log[:200])
        workers.add(log.split()[4].rstrip("."))
    print(f"\nnodes ran on the Dask workers {sorted(workers)}")

    csv = load_sample("sample-iris").to_csv(index=False).encode()
    reference = modules.run_graph(graph, lambda _id: pd.read_csv(io.BytesIO(csv)))
    served = assignments(api, headers, run["id"])
    assert served["Assignments"].tolist() == reference[("assign", "results_dataset")]["Assignments"].tolist()
    # what ran on the local executor before is still served from the volume
    assert assignments(api, headers, state["run_id"])["Assignments"].tolist() == state["assignments"]
