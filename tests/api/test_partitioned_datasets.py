"""Datasets above STUDIO_PARTITION_THRESHOLD_BYTES are stored partitioned (a folder of Parquet parts):
the same rows come back, pages cross part boundaries, runs give the in-memory engine's results, and a
failure or a deletion leaves no part behind."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import modules
from backend.core.config import Settings
from backend.services import datasets as dataset_service
from modules.storage import PARQUET_SUFFIX, PART_PREFIX, read_table, write_partitioned
from tests.api.conftest import sign_up, upload
from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.graphs import iris_graph

N_ROWS = 3000


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 0.0], [0.0, 6.0, 6.0]])
    labels = rng.integers(0, 3, N_ROWS)
    points = centres[labels] + rng.normal(size=(N_ROWS, 3))
    frame = pd.DataFrame(points, columns=["x", "y", "z"])
    frame["name"] = [f"row {i}" for i in range(N_ROWS)]
    frame["count"] = np.arange(N_ROWS, dtype=np.int64)
    frame.loc[N_ROWS - 5, "count"] = None  # a missing integer anywhere makes the column float
    return frame


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Every upload over 10 kB partitioned, in parts of about 8 kB (real datasets: 256 MB and 100 MB);
    the app of the ``client`` fixture runs with these."""
    return settings.model_copy(update={"partition_threshold_bytes": 10_000, "partition_bytes": 8_000})


def _stored(settings: Settings) -> list[Path]:
    return sorted(settings.dataset_dir.iterdir()) if settings.dataset_dir.exists() else []


def test_a_large_upload_is_stored_in_parts_and_reads_back_whole(
    client: TestClient, settings: Settings
) -> None:
    alice = sign_up(client, "alice")
    frame = _frame()
    created = upload(client, alice, frame.to_csv(index=False).encode(), "blobs.csv")
    assert created.status_code == 201, created.text
    assert created.json()["n_rows"] == N_ROWS
    [stored] = _stored(settings)
    assert stored.is_dir()
    parts = sorted(stored.iterdir())
    assert len(parts) >= 5 and all(
        p.name.startswith(PART_PREFIX) and p.suffix == PARQUET_SUFFIX for p in parts
    )
    back = read_table(stored)
    pd.testing.assert_frame_equal(back, pd.read_csv(io.StringIO(frame.to_csv(index=False))))

    # a page that starts in one part and ends in another equals that slice of the whole table
    first_part_rows = len(pd.read_parquet(parts[0]))
    offset = first_part_rows - 3
    page = client.get(f"/api/datasets/{created.json()['id']}/rows?offset={offset}&limit=7", headers=alice)
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == N_ROWS and body["columns"] == ["x", "y", "z", "name", "count"]
    assert [row[3] for row in body["rows"]] == [f"row {i}" for i in range(offset, offset + 7)]
    assert [row[4] for row in body["rows"]] == [float(i) for i in range(offset, offset + 7)]
    last = client.get(
        f"/api/datasets/{created.json()['id']}/rows?offset={N_ROWS - 6}&limit=10", headers=alice
    )
    assert [row[4] for row in last.json()["rows"]] == [2994.0, None, 2996.0, 2997.0, 2998.0, 2999.0]

    # deleting it removes every part
    assert client.delete(f"/api/datasets/{created.json()['id']}", headers=alice).status_code == 204
    assert _stored(settings) == []


def test_a_small_upload_stays_one_file(client: TestClient, settings: Settings) -> None:
    alice = sign_up(client, "alice")
    created = upload(client, alice, b"a,b\n1,2\n3,4\n", "small.csv")
    assert created.status_code == 201
    [stored] = _stored(settings)
    assert stored.is_file()


def test_a_run_on_a_partitioned_dataset_gives_the_in_memory_results(
    client: TestClient, settings: Settings
) -> None:
    alice = sign_up(client, "alice")
    csv = _frame().drop(columns=["name", "count"]).to_csv(index=False)
    dataset = upload(client, alice, csv.encode(), "blobs.csv").json()
    assert _stored(settings)[0].is_dir()
    graph = iris_graph(dataset["id"], sweep=False)
    exp = client.post("/api/experiments", headers=alice, json={"name": "Blobs", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"], timeout=120)
    assert run["status"] == "succeeded", run

    reference = modules.run_graph(graph, lambda _id: pd.read_csv(io.StringIO(csv)))
    served = all_rows(client, alice, run["id"], "assign", "results_dataset")
    expected = reference[("assign", "results_dataset")]
    assert len(served) == N_ROWS
    assert served["Assignments"].tolist() == expected["Assignments"].tolist()
    model = client.get(f"/api/runs/{run['id']}/nodes/train/outputs/trained_model", headers=alice).json()
    np.testing.assert_allclose(
        np.array(model["centroids"]), reference[("train", "trained_model")].model.centroids, rtol=0, atol=1e-9
    )

    # the results saved as a dataset are large too: stored in parts, the same rows
    saved = client.post(
        f"/api/runs/{run['id']}/nodes/assign/outputs/results_dataset/save-as-dataset",
        headers=alice,
        json={"name": "Assigned"},
    )
    assert saved.status_code == 201, saved.text
    stored = {p.name: p for p in _stored(settings)}
    assert len(stored) == 2 and all(p.is_dir() for p in stored.values())
    pages = [
        client.get(f"/api/datasets/{saved.json()['id']}/rows?offset={start}&limit=500", headers=alice).json()
        for start in range(0, N_ROWS, 500)
    ]
    assert [row[3] for page in pages for row in page["rows"]] == expected["Assignments"].tolist()

    # opened from the gallery by someone else: the parts are copied, every one
    assert (
        client.post(f"/api/experiments/{exp['id']}/publish", headers=alice, json={"title": "B"}).status_code
        == 200
    )
    carol = sign_up(client, "carol")
    opened = client.post(f"/api/gallery/{exp['id']}/open", headers=carol)
    assert opened.status_code == 201, opened.text
    copied = opened.json()["graph"]["nodes"][0]["params"]["dataset_id"]
    assert copied != dataset["id"]
    [copy_dir] = [p for p in _stored(settings) if p.name not in stored]
    assert copy_dir.is_dir() and len(list(copy_dir.iterdir())) >= 5
    pd.testing.assert_frame_equal(read_table(copy_dir), pd.read_csv(io.StringIO(csv)))
    assert client.get(f"/api/datasets/{copied}/rows", headers=carol).json()["total"] == N_ROWS


def test_partitioning_streams_the_rows_in_order(tmp_path: Path) -> None:
    frame = _frame()
    source = tmp_path / "whole.parquet"
    frame.to_parquet(source, index=False, row_group_size=700)
    target = tmp_path / "parts.parquet"
    n_parts = write_partitioned(source, target, source.stat().st_size // 4)
    assert n_parts in (4, 5)
    assert len(list(target.iterdir())) == n_parts
    pd.testing.assert_frame_equal(read_table(target), pd.read_parquet(source))


def test_a_failed_partitioning_leaves_nothing(settings: Settings, tmp_path: Path) -> None:
    """A file that cannot be read as Parquet: no folder of parts is left (the caller removes the file)."""
    written = tmp_path / "upload.parquet"
    written.write_bytes(b"not parquet" * 2000)
    target = tmp_path / "upload.parts"
    with pytest.raises(Exception):  # noqa: B017 - pyarrow's own error for a file that is not Parquet
        dataset_service.partition_if_large(settings, written, target)
    assert not target.exists()
