"""Tables on edges are stored as Arrow IPC; those an earlier version stored as Parquet stay readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from backend.executor import ArtefactStore
from backend.services import node_outputs
from backend.services.outputs import table_page
from modules.ports import DATA_TABLE
from modules.storage import write_table
from tests.services.test_parquet_pages import typed_frame


def test_a_table_is_stored_as_arrow_and_read_back_as_it_was_written(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    frame = typed_frame()
    frame["Assignments"] = pd.arrays.IntegerArray(np.arange(len(frame)) % 3, np.arange(len(frame)) % 7 == 0)
    ref = store.write(frame, DATA_TABLE)
    assert store.path(ref).suffix == ".arrow"
    pd.testing.assert_frame_equal(store.read(ref), frame)
    pd.testing.assert_frame_equal(node_outputs.read(store, ref), frame)
    assert node_outputs.rows(store, ref, 10, 5) == table_page(frame, 10, 5)


def test_numeric_columns_are_read_without_a_copy(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    ref = store.write(pd.DataFrame({"x": np.arange(300_000.0), "y": np.ones(300_000)}), DATA_TABLE)
    read = store.read(ref)
    assert not read["x"].to_numpy().flags.owndata  # a view of the memory-mapped file
    assert read["x"].to_numpy()[299_999] == 299_999.0


def test_an_output_an_earlier_version_stored_as_parquet_is_still_read(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    frame = typed_frame()
    ref = store.write(frame, DATA_TABLE)
    arrow_file = store.path(ref)
    earlier = arrow_file.with_suffix(".parquet")
    write_table(frame, earlier)  # as the earlier version wrote it, under the same key
    arrow_file.unlink()
    assert store.exists(ref) and store.path(ref) == earlier
    pd.testing.assert_frame_equal(store.read(ref), frame)
    pd.testing.assert_frame_equal(node_outputs.read(store, ref), pd.read_parquet(earlier))
    assert node_outputs.rows(store, ref, 2400, 200) == table_page(pd.read_parquet(earlier), 2400, 200)
    with node_outputs.as_parquet(store, ref) as source:
        assert source == earlier
    store.delete_key(ref.key)
    assert not earlier.exists()


def test_a_table_output_is_handed_over_as_parquet_and_the_copy_removed(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    frame = typed_frame()
    ref = store.write(frame, DATA_TABLE)
    with node_outputs.as_parquet(store, ref) as source:
        kept = tmp_path / "kept.parquet"
        shutil.copyfile(source, kept)
    assert not source.exists()
    assert sorted(p.name for p in store.path(ref).parent.iterdir()) == [store.path(ref).name]
    pd.testing.assert_frame_equal(pd.read_parquet(kept), frame)
    assert pq.read_metadata(kept).num_rows == len(frame)
