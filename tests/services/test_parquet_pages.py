"""Row pages read from the row groups (Parquet) or record batches (Arrow IPC) that hold them equal the
same slice of the whole table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from backend.services.outputs import table_page
from backend.services.parquet_pages import parquet_page, stored_table_page
from modules.storage import arrow_table, read_stored_table

N = 2_500


def typed_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    ints_with_gaps = pd.array(rng.integers(-50, 50, N), dtype="Int64")
    ints_with_gaps[::97] = pd.NA
    floats = rng.normal(size=N)
    floats[::31] = np.nan
    floats[5] = np.inf
    return pd.DataFrame(
        {
            "int": np.arange(N),
            "int with gaps": ints_with_gaps,
            "float": floats,
            "text": [None if i % 11 == 0 else f"row {i}" for i in range(N)],
            "category": pd.Categorical([["a", "b", "c"][i % 3] for i in range(N)]),
            "flag": [i % 3 == 0 for i in range(N)],
            "when": pd.date_range("2024-01-01", periods=N, freq="37min", tz="Europe/Paris"),
        }
    )


@pytest.fixture(params=["pandas", "arrow", "ipc"], ids=["written by pandas", "written by arrow", "Arrow IPC"])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "table.parquet"
    frame = typed_frame()
    if request.param == "ipc":  # how run outputs are stored, in batches of 300 rows here
        path = tmp_path / "table.arrow"
        table = arrow_table(frame)
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=300)
    elif request.param == "pandas":  # how run outputs of earlier versions are stored, with pandas' metadata
        frame.to_parquet(path, index=False, row_group_size=300)
    else:  # how uploads are stored
        table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
        pq.write_table(table, path, row_group_size=300)
    return path


@pytest.mark.parametrize(
    ("offset", "limit"),
    [(0, 100), (250, 100), (299, 2), (300, 300), (1234, 1000)]
    + [(2400, 1000), (2499, 5), (2500, 10), (9999, 3)],
)
def test_a_page_equals_the_slice_of_the_whole_table(stored: Path, offset: int, limit: int) -> None:
    expected = table_page(read_stored_table(stored), offset, limit)
    page = stored_table_page(stored, offset, limit)
    assert json.dumps(page, allow_nan=False) == json.dumps(expected, allow_nan=False)


def test_index_columns_recorded_by_pandas_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "indexed.parquet"
    pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[7, 8, 9]).to_parquet(path)
    assert parquet_page(path, 1, 5) == table_page(pd.read_parquet(path), 1, 5)
    assert parquet_page(path, 1, 5)["columns"] == ["x"]


def test_a_page_of_one_huge_row_group_is_read_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "one-group.parquet"
    pq.write_table(pa.table({"x": np.arange(300_000, dtype=np.int64)}), path, row_group_size=1 << 20)
    page = parquet_page(path, 250_000, 3)
    assert page["rows"] == [[250_000], [250_001], [250_002]] and page["total"] == 300_000
