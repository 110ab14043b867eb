"""On the Dask executor a dataset stored partitioned is read in parts: validating (and starting a run of) a
graph that feeds it to a module that cannot run part by part is 0161 naming that module; the modules that
can pass. On the local executor the same graph is valid (it reads the dataset whole)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from tests.api.conftest import upload
from tests.api.test_partitioned_datasets import _frame
from tests.graphs import edge, iris_graph, node

pytestmark = pytest.mark.slow


@pytest.fixture(params=["dask", "local"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Uploads over 10 kB stored partitioned; the Dask executor on the session's LocalCluster."""
    executor = request.param
    extra: dict[str, Any] = {}
    if executor == "dask":
        extra["STUDIO_DASK_SCHEDULER"] = request.getfixturevalue("dask_cluster").scheduler_address
    return Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}",
        STUDIO_EXECUTOR=executor,
        STUDIO_WARM_WORKERS=False,
        STUDIO_WARM_UP=False,
        STUDIO_PARTITION_THRESHOLD_BYTES=10_000,
        STUDIO_PARTITION_BYTES=8_000,
        **extra,
    )


def test_a_module_that_cannot_run_in_parts_is_refused_before_the_run(
    client: TestClient, alice: dict[str, str], settings: Settings
) -> None:
    big = upload(
        client, alice, _frame().drop(columns=["name"]).to_csv(index=False).encode(), "big.csv"
    ).json()
    small = upload(client, alice, b"x,y\n1,2\n3,4\n5,6\n", "small.csv").json()
    graph = iris_graph(big["id"], sweep=False)
    graph["nodes"][1]["params"]["init"] = "first_n"
    graph["nodes"] += [node("split", "split_data"), node("small", "dataset", dataset_id=small["id"])]
    graph["nodes"] += [node("split_small", "split_data")]
    graph["edges"] += [
        edge("data", "dataset", "split", "dataset"),
        edge("small", "dataset", "split_small", "dataset"),
    ]

    checked = client.post("/api/graphs/validate", headers=alice, json={"graph": graph})
    assert checked.status_code == 200, checked.text
    refusals = [e for e in checked.json()["errors"] if e["code"] == "0161"]
    if settings.executor == "local":
        assert checked.json()["valid"], checked.json()["errors"]
        return
    assert [(e["node_id"], e["message"].split(":")[1].strip()[:32]) for e in refusals] == [
        ("split", "Split Data cannot run part by pa")
    ]
    assert checked.json()["errors"] == refusals  # Dataset, Train and Assign run in parts

    exp = client.post("/api/experiments", headers=alice, json={"name": "Big", "graph": graph}).json()
    started = client.post(f"/api/experiments/{exp['id']}/runs", headers=alice)
    assert started.status_code == 400
    assert [e["code"] for e in started.json()["detail"]["errors"]] == ["0161"]
