"""Tables on edges are stored as Arrow IPC; those an earlier version stored as Parquet stay readable."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

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


def test_an_appended_result_stores_only_its_own_columns_and_reads_back_whole(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    frame = shareable_frame()
    source = store.write(frame, DATA_TABLE)
    task_store = ArtefactStore(tmp_path)  # a node task's own
    table = task_store.read_input(source)
    new = pd.DataFrame({"Assignments": pd.array(np.arange(len(frame)) % 4, dtype="Int64"), "d0": 1.5})
    appended = pd.concat([table, new], axis=1)
    ref = task_store.write(appended, DATA_TABLE, [source])
    path = store.path(ref)
    part = path.with_name(f"{ref.key}.0.arrow")
    assert part.stat().st_ino == store.path(source).stat().st_ino  # the input's file, linked
    assert path.stat().st_size < store.path(source).stat().st_size  # only the two new columns
    pd.testing.assert_frame_equal(store.read(ref), appended)
    pd.testing.assert_frame_equal(node_outputs.read(store, ref), appended)
    assert node_outputs.rows(store, ref, 1234, 100) == table_page(appended, 1234, 100)
    with node_outputs.as_parquet(store, ref) as parquet:
        pd.testing.assert_frame_equal(pd.read_parquet(parquet), appended)

    # appended again (Assign after Train): the first input's file is linked again; the Int64 column
    # of the second was copied when read, so that file's columns are written again
    again = task_store.read_input(ref)
    twice = pd.concat([again, pd.DataFrame({"more": np.arange(len(frame))})], axis=1)
    ref2 = task_store.write(twice, DATA_TABLE, [ref])
    path2 = store.path(ref2)
    assert path2.with_name(f"{ref2.key}.0.arrow").stat().st_ino == part.stat().st_ino
    assert not path2.with_name(f"{ref2.key}.1.arrow").exists()
    pd.testing.assert_frame_equal(store.read(ref2), twice)
    numbers = pd.concat(
        [again[["x", "n", "text", "d0"]], pd.DataFrame({"more": np.ones(len(frame))})], axis=1
    )
    ref3 = task_store.write(numbers, DATA_TABLE, [ref])  # not "Assignments": only the first file shared
    assert store.path(ref3).with_name(f"{ref3.key}.0.arrow").exists()
    pd.testing.assert_frame_equal(store.read(ref3), numbers)

    # deleting the source keeps what was appended to it readable; deleting an output removes its parts
    store.delete_key(source.key)
    pd.testing.assert_frame_equal(store.read(ref), appended)
    store.delete_key(ref.key)
    assert not part.exists()
    assert store.collect_garbage({ref2.key, ref3.key}) == 0
    pd.testing.assert_frame_equal(store.read(ref2), twice)


def test_a_table_that_is_not_its_input_plus_columns_is_written_whole(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    frame = pd.DataFrame({"x": np.arange(100.0), "y": np.arange(100.0)})
    source = store.write(frame, DATA_TABLE)
    table = store.read_input(source)
    for value in (
        pd.concat([table[["y", "x"]], pd.DataFrame({"z": np.ones(100)})], axis=1),  # reordered
        pd.concat([table + 1, pd.DataFrame({"z": np.ones(100)})], axis=1),  # other values
        table.copy(),  # no column of its own
        pd.DataFrame({"z": np.ones(100)}),  # Result Only
    ):
        ref = store.write(value, DATA_TABLE, [source])
        assert not store.path(ref).with_name(f"{ref.key}.0.arrow").exists()
        pd.testing.assert_frame_equal(store.read(ref), value.reset_index(drop=True))


def test_columns_read_with_a_copy_are_written_again(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    source = store.write(typed_frame(), DATA_TABLE)  # integers with gaps, categories, flags: copied
    table = store.read_input(source)
    ref = store.write(
        pd.concat([table, pd.DataFrame({"z": np.ones(len(table))})], axis=1), DATA_TABLE, [source]
    )
    assert not store.path(ref).with_name(f"{ref.key}.0.arrow").exists()
    assert store.read(ref).shape == (len(table), table.shape[1] + 1)


def shareable_frame() -> pd.DataFrame:
    """Columns a frame read from Arrow wraps without a copy: numbers without gaps, text."""
    n = 3000
    return pd.DataFrame(
        {
            "x": np.linspace(0, 1, n),
            "n": np.arange(n),
            "text": [None if i % 11 == 0 else f"row {i}" for i in range(n)],
        }
    )


def test_float_columns_of_any_layout_come_back_with_their_missing_values(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    values = np.arange(40.0).reshape(10, 4)
    values[4, 1], values[6, 2] = np.nan, np.inf
    every_other = pd.DataFrame(values, columns=list("abcd")).iloc[::2]  # strided columns, index 0, 2, …
    ref = store.write(every_other, DATA_TABLE)
    back = store.read(ref)
    pd.testing.assert_frame_equal(back, every_other.reset_index(drop=True))
    assert np.isnan(back.loc[2, "b"]) and back.loc[3, "c"] == np.inf
    assert node_outputs.rows(store, ref, 2, 1)["rows"] == [[16.0, None, 18.0, 19.0]]


def test_where_hard_links_fail_an_appended_result_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ArtefactStore(tmp_path)
    source = store.write(shareable_frame(), DATA_TABLE)
    table = store.read_input(source)
    appended = pd.concat([table, pd.DataFrame({"d0": np.ones(len(table))})], axis=1)

    def no_links(*_: object) -> None:
        raise OSError(errno.EMLINK, "Too many links")

    monkeypatch.setattr(os, "link", no_links)
    ref = store.write(appended, DATA_TABLE, [source])
    assert sorted(p.name for p in store.path(ref).parent.glob(f"{ref.key}.*")) == [f"{ref.key}.arrow"]
    pd.testing.assert_frame_equal(store.read(ref), appended)
