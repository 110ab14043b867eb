"""The studio with STUDIO_EXECUTOR=dask on a LocalCluster of 2 worker processes: an experiment runs end to
end on the cluster, each node's log names its worker, and health reports the executor and its workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.executor.dask import WARM_UP_PLUGIN
from modules.samples import load_sample
from tests.api.conftest import upload
from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.conftest import dask_settings
from tests.graphs import iris_graph

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(tmp_path: Path, dask_cluster: Any) -> Settings:
    """The studio on the session's LocalCluster, warm-up included (as a real deployment)."""
    return dask_settings(tmp_path, dask_cluster)


def worker_warm_up(dask_worker: Any) -> str:
    return str(dask_worker.plugins[WARM_UP_PLUGIN].detail)


def test_an_experiment_runs_on_the_dask_cluster(client: TestClient, alice: dict[str, str]) -> None:
    health = client.get("/api/health").json()
    assert {k: health[k] for k in ("status", "executor", "workers", "executor_status")} == {
        "status": "ok",
        "executor": "dask",
        "workers": 2,
        "executor_status": "ok",
    }
    executor = client.app.state.runs.executor  # type: ignore[attr-defined]
    warmed = executor.client.run(worker_warm_up)
    assert len(warmed) == 2 and all(detail.startswith("ready after ") for detail in warmed.values())

    iris = load_sample("sample-iris")
    dataset = upload(client, alice, iris.to_csv(index=False).encode(), "iris.csv").json()
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "Iris on Dask", "graph": iris_graph(dataset["id"])}
    ).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"], timeout=300)

    assert run["status"] == "succeeded", run
    assert all(node["status"] == "succeeded" for node in run["nodes"].values())
    workers = set(executor.client.scheduler_info()["workers"])
    for node_id in run["nodes"]:
        log = client.get(f"/api/runs/{run['id']}/nodes/{node_id}/log", headers=alice).text
        first = log.splitlines()[0]
        assert first.startswith("Ran on Dask worker ") and first[len("Ran on Dask worker ") : -1] in workers
    assigned = all_rows(client, alice, run["id"], "assign", "results_dataset")
    assert len(assigned) == 150 and set(np.unique(assigned["Assignments"])) == {0, 1, 2}


def test_without_a_scheduler_address_the_studio_starts_a_local_cluster_of_its_own(tmp_path: Path) -> None:
    from backend.main import create_app
    from backend.migrate import upgrade

    settings = Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}",
        STUDIO_EXECUTOR="dask",
        STUDIO_DASK_WORKERS=1,
        STUDIO_WARM_UP=False,
    )
    upgrade(settings.database_url)
    app = create_app(settings)
    with TestClient(app) as own:
        health = own.get("/api/health").json()
        cluster = app.state.runs.executor.cluster
        assert cluster is not None and cluster.status.name == "running"
    assert (health["executor"], health["workers"], health["executor_status"]) == ("dask", 1, "ok")
    assert cluster.status.name == "closed"  # it went with the studio
