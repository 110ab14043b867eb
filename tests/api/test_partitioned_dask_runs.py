"""The partitioned pipeline (Dataset → Select Columns → Normalize Data → Train (K-Means, First N) → Assign
→ Evaluate) run by the studio on the Dask executor (a LocalCluster of 2 worker processes) gives the
in-memory engine's results, for a dataset stored whole and one stored partitioned: the same
assignments, centroids within 1e-9, the same evaluation."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import modules
from backend.core.config import Settings
from tests.api.conftest import upload
from tests.api.test_partitioned_datasets import _frame
from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.conftest import dask_settings
from tests.graphs import partitionable_pipeline

pytestmark = pytest.mark.slow


def partitioning_settings(tmp_path: Path, dask_cluster: Any, **overrides: Any) -> Settings:
    """The studio on the Dask executor storing uploads over 40 kB partitioned, in parts of about 20 kB."""
    return dask_settings(
        tmp_path,
        dask_cluster,
        STUDIO_WARM_UP=False,
        STUDIO_PARTITION_THRESHOLD_BYTES=40_000,
        STUDIO_PARTITION_BYTES=20_000,
        **overrides,
    )


@pytest.fixture
def settings(tmp_path: Path, dask_cluster: Any) -> Settings:
    """Uploads over 40 kB stored partitioned (the larger one below, not the smaller)."""
    return partitioning_settings(tmp_path, dask_cluster)


@pytest.mark.parametrize("n_rows", [400, 3000], ids=["stored-whole", "stored-partitioned"])
def test_the_pipeline_on_dask_gives_the_in_memory_results(
    client: TestClient, alice: dict[str, str], settings: Settings, n_rows: int
) -> None:
    csv = _frame().drop(columns=["count"]).head(n_rows).to_csv(index=False)
    dataset = upload(client, alice, csv.encode(), "blobs.csv").json()
    [stored] = settings.dataset_dir.iterdir()
    assert stored.is_dir() == (n_rows == 3000)
    graph = partitionable_pipeline(dataset["id"], select=["x", "y", "z"])
    checked = client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).json()
    assert checked["errors"] == []
    exp = client.post("/api/experiments", headers=alice, json={"name": "Blobs", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"], timeout=300)
    assert run["status"] == "succeeded", run

    if n_rows == 3000:  # read, transformed, trained on and scored part by part; the tables stored in parts
        for node_id in ("data", "select", "norm", "train", "assign", "evaluate"):
            log = client.get(f"/api/runs/{run['id']}/nodes/{node_id}/log", headers=alice).text
            assert "part by part" in log, (node_id, log)
        stored_in_parts = [path for path in settings.artefact_dir.glob("*/*.parquet") if path.is_dir()]
        # the outputs of Dataset, Select, Normalize, Train's and Assign's results, Evaluate's silhouettes
        # per row: 3000 rows in parts of about 20 kB of the uploaded file's Parquet
        assert len(stored_in_parts) == 6
        assert all(len(list(path.glob("part-*.parquet"))) > 1 for path in stored_in_parts)
        # the precomputed cluster chart of a result stored in parts is drawn from a sample of its rows
        base = f"/api/runs/{run['id']}/nodes"
        chart = client.get(f"{base}/assign/outputs/results_dataset/visualization", headers=alice).json()
        assert chart["kind"] == "clusters" and chart["sampled_from_rows"] == n_rows

    reference = modules.run_graph(graph, lambda _id: pd.read_csv(io.StringIO(csv)))
    served = all_rows(client, alice, run["id"], "assign", "results_dataset")
    assert served["Assignments"].tolist() == reference[("assign", "results_dataset")]["Assignments"].tolist()
    trained = all_rows(client, alice, run["id"], "train", "results_dataset")
    expected_trained = reference[("train", "results_dataset")]
    assert list(trained.columns) == list(expected_trained.columns)
    assert trained["Assignments"].tolist() == expected_trained["Assignments"].tolist()
    np.testing.assert_allclose(trained.to_numpy(float), expected_trained.to_numpy(float), rtol=0, atol=1e-9)
    normalized = all_rows(client, alice, run["id"], "norm", "transformed_dataset")
    np.testing.assert_allclose(
        normalized.to_numpy(float),
        reference[("norm", "transformed_dataset")].to_numpy(float),
        rtol=0,
        atol=1e-9,
    )
    model = client.get(f"/api/runs/{run['id']}/nodes/train/outputs/trained_model", headers=alice).json()
    np.testing.assert_allclose(
        np.array(model["centroids"]), reference[("train", "trained_model")].model.centroids, rtol=0, atol=1e-9
    )
    silhouettes = all_rows(client, alice, run["id"], "evaluate", "row_silhouettes")
    expected_silhouettes = reference[("evaluate", "row_silhouettes")]
    assert list(silhouettes.columns) == list(expected_silhouettes.columns)
    np.testing.assert_allclose(
        silhouettes.to_numpy(float), expected_silhouettes.to_numpy(float), rtol=0, atol=1e-9
    )
    evaluation = all_rows(client, alice, run["id"], "evaluate", "evaluation_results")
    expected = reference[("evaluate", "evaluation_results")]
    for column in expected.columns:
        if pd.api.types.is_numeric_dtype(expected[column]):
            np.testing.assert_allclose(
                evaluation[column].to_numpy(float),
                expected[column].to_numpy(float),
                rtol=1e-9,
                err_msg=column,
            )
