"""A partitioned table as a node output: stored as a folder of Parquet parts written on the workers of a
real LocalCluster, read back whole by the server's readers and lazily by a node task on Dask, paged
from the parts that hold the page, and removed (deleted or garbage-collected) folder and all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import modules
from backend.executor import ArtefactStore
from backend.executor.remote_artefacts import RemoteArtefacts
from backend.services import node_outputs
from modules.partitioned import PartitionedTable
from modules.ports import DATA_TABLE
from modules.storage import write_table

pytestmark = pytest.mark.slow

N_PARTS, PART_ROWS = 3, 40


@pytest.fixture
def whole(tmp_path: Path) -> tuple[pd.DataFrame, list[Path]]:
    """A frame and its part files."""
    frame = pd.DataFrame(
        {
            "x": np.arange(N_PARTS * PART_ROWS, dtype=float),
            "name": [f"r{i}" for i in range(N_PARTS * PART_ROWS)],
        }
    )
    folder = tmp_path / "dataset.parquet"
    folder.mkdir()
    for p in range(N_PARTS):
        write_table(frame.iloc[p * PART_ROWS : (p + 1) * PART_ROWS], folder / f"part-{p:05d}.parquet")
    return frame, sorted(folder.glob("part-*.parquet"))


def test_a_partitioned_output_is_stored_in_parts_and_read_back(
    tmp_path: Path, dask_client: Any, whole: tuple[pd.DataFrame, list[Path]]
) -> None:
    frame, files = whole
    table = PartitionedTable.from_parquet(files, dask_client)
    normalized = modules.run_module(
        "normalize_data",
        {"method": "minmax"},
        {"dataset": table},
        modules.RunContext(cluster=lambda: dask_client),
    )["transformed_dataset"]
    expected = frame.assign(x=frame["x"] / frame["x"].max())

    store = ArtefactStore(tmp_path / "artefacts")
    ref = store.write(normalized, DATA_TABLE)
    stored = store.path(ref)
    assert stored.is_dir() and stored.suffix == ".parquet"
    assert sorted(path.name for path in stored.iterdir()) == [f"part-{p:05d}.parquet" for p in range(N_PARTS)]
    assert not list(stored.parent.glob("*.tmp"))  # the staging folder is gone
    assert store.exists(ref)

    pd.testing.assert_frame_equal(store.read(ref), expected)  # the server reads it whole
    read = store.read_input(ref, lambda: dask_client)  # a node task on Dask reads it lazily, in its parts
    assert isinstance(read, PartitionedTable) and read.lengths == (PART_ROWS,) * N_PARTS
    pd.testing.assert_frame_equal(read.gather(), expected)
    assert isinstance(store.read_input(ref), pd.DataFrame)  # elsewhere (the local executor): whole

    page = node_outputs.rows(store, ref, PART_ROWS - 2, 4)  # across the first two parts
    assert page["total"] == N_PARTS * PART_ROWS
    assert [row[1] for row in page["rows"]] == [f"r{i}" for i in range(PART_ROWS - 2, PART_ROWS + 2)]

    store.delete_key(ref.key)
    assert not stored.exists() and not store.exists(ref)

    kept = store.write(normalized, DATA_TABLE)
    dropped = store.write(normalized, DATA_TABLE)
    assert store.collect_garbage({kept.key}) == 1
    assert store.exists(kept) and not store.exists(dropped)


def test_a_partitioned_output_at_an_artefacts_url_is_put_in_parts_and_read_on_another_machine(
    tmp_path: Path, dask_client: Any, whole: tuple[pd.DataFrame, list[Path]]
) -> None:
    frame, files = whole
    url = f"file://{tmp_path / 'shared'}"
    table = PartitionedTable.from_parquet(files, dask_client)
    selected = modules.run_module(
        "select_columns",
        {"column_set": {"names": ["name"]}},
        {"dataset": table},
        modules.RunContext(cluster=lambda: dask_client),
    )["results_dataset"]

    writer = ArtefactStore(tmp_path / "a" / "artefacts", url)
    ref = writer.write(selected, DATA_TABLE)  # each part put by the task that wrote it, then their list
    assert remote_names(url) == [
        *(f"{ref.key}.p{p:05d}.parquet" for p in range(N_PARTS)),
        f"{ref.key}.parquet.parts",
    ]
    assert not list(writer.root.glob("*/*"))  # nothing in the writing machine's folder

    reader = ArtefactStore(tmp_path / "b" / "artefacts", url)
    assert reader.exists(ref)
    read = reader.read_input(ref, lambda: dask_client)  # the parts read by the workers from the URL
    assert isinstance(read, PartitionedTable) and read.lengths == (PART_ROWS,) * N_PARTS
    assert all(str(file).startswith("file://") for file in read.files)
    pd.testing.assert_frame_equal(read.gather(), frame[["name"]])
    pd.testing.assert_frame_equal(reader.read(ref), frame[["name"]])  # the server: fetched into its folder
    assert sorted(path.name for path in reader.path(ref).iterdir()) == [
        f"part-{p:05d}.parquet" for p in range(N_PARTS)
    ]
    assert not list(reader.root.glob("*/*.tmp"))

    writer.delete_key(ref.key)
    assert remote_names(url) == []


def test_partitioned_outputs_stored_before_the_url_was_set_are_put_there(
    tmp_path: Path, dask_client: Any, whole: tuple[pd.DataFrame, list[Path]]
) -> None:
    frame, files = whole
    url = f"file://{tmp_path / 'shared'}"
    root = tmp_path / "artefacts"
    ref = ArtefactStore(root).write(PartitionedTable.from_parquet(files, dask_client), DATA_TABLE)
    assert ArtefactStore(root, url).upload_missing() == N_PARTS + 1
    assert ArtefactStore(root, url).upload_missing() == 0  # there already
    elsewhere = ArtefactStore(tmp_path / "b" / "artefacts", url)
    pd.testing.assert_frame_equal(elsewhere.read(ref), frame)


def remote_names(url: str) -> list[str]:
    return [relative.split("/", 1)[1] for relative in RemoteArtefacts(url).listing()]
