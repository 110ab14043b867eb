"""The partitioned pipeline on the Dask executor with the artefacts at an fsspec URL
(STUDIO_ARTEFACTS_URL, here file://): each partitioned output is put there as its parts (each by the
worker task that wrote it) and then the list of them; the next node's part tasks read the parts from the
URL; the server's views fetch them when its own copy is gone."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import modules
from backend.core.config import Settings
from tests.api.conftest import upload
from tests.api.test_partitioned_dask_runs import partitioning_settings
from tests.api.test_partitioned_datasets import _frame
from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.graphs import partitionable_pipeline

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(tmp_path: Path, dask_cluster: Any) -> Settings:
    """Partitioned uploads, the artefacts at a file:// URL (the fsspec path of STUDIO_ARTEFACTS_URL)
    as well as in the server's local folder."""
    return partitioning_settings(
        tmp_path, dask_cluster, STUDIO_ARTEFACTS_URL=f"file://{tmp_path / 'shared-artefacts'}"
    )


def test_partitioned_outputs_at_an_artefacts_url_are_put_there_in_parts_and_read_back(
    client: TestClient, alice: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    csv = _frame().drop(columns=["count"]).head(3000).to_csv(index=False)
    dataset = upload(client, alice, csv.encode(), "blobs.csv").json()
    graph = partitionable_pipeline(dataset["id"], select=["x", "y", "z"])
    exp = client.post("/api/experiments", headers=alice, json={"name": "Blobs", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"], timeout=300)
    assert run["status"] == "succeeded", run
    for node_id in ("data", "select", "norm", "train", "assign", "evaluate"):
        log = client.get(f"/api/runs/{run['id']}/nodes/{node_id}/log", headers=alice).text
        assert "part by part" in log, (node_id, log)

    shared = tmp_path / "shared-artefacts"
    parts_lists = sorted(shared.glob("*/*.parquet.parts"))
    assert len(parts_lists) == 6  # the six partitioned outputs, each a list of parts put after them
    for listed in parts_lists:
        key = listed.name.split(".", 1)[0]
        lengths = json.loads(listed.read_text())
        assert len(lengths) > 1 and sum(lengths) == 3000
        assert len(list(listed.parent.glob(f"{key}.p*.parquet"))) == len(lengths)

    # the server's own copies gone: the views fetch the parts from the URL
    for child in settings.artefact_dir.iterdir():
        shutil.rmtree(child)
    reference = modules.run_graph(graph, lambda _id: pd.read_csv(io.StringIO(csv)))
    served = all_rows(client, alice, run["id"], "assign", "results_dataset")
    assert served["Assignments"].tolist() == reference[("assign", "results_dataset")]["Assignments"].tolist()
    trained = all_rows(client, alice, run["id"], "train", "results_dataset")
    expected = reference[("train", "results_dataset")]
    np.testing.assert_allclose(trained.to_numpy(float), expected.to_numpy(float), rtol=0, atol=1e-9)
