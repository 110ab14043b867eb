"""How values are stored on disk: uploaded tables as Parquet, node outputs (tables handed from node to
node) as uncompressed Arrow IPC files read by memory map, models as the portable ``.npz`` (no pickle).

The port types (:mod:`modules.ports`) name these writers and readers; the server's artefact store and
its dataset import call them through the port type, never by kind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from pandas.api import types as ptypes

from modules.trained_model import dump_model, load_model

__all__ = [
    "ARROW_SUFFIX",
    "arrow_files",
    "arrow_part",
    "own_columns",
    "joined",
    "read_arrow_files",
    "shared_files",
    "PARQUET_SUFFIX",
    "PART_PREFIX",
    "is_partitioned",
    "parquet_has_nulls",
    "parquet_parts",
    "write_partitioned",
    "ROW_GROUP_CELLS",
    "arrow_table",
    "frame_from_arrow",
    "read_arrow",
    "read_model",
    "read_stored_table",
    "read_table",
    "rows_per_group",
    "write_arrow_table",
    "write_model",
    "write_table",
]

#: Cells per stored row group: a page of rows reads about 8 MB, not the whole table.
ROW_GROUP_CELLS = 1 << 20
PARQUET_SUFFIX = ".parquet"
ARROW_SUFFIX = ".arrow"


def rows_per_group(n_columns: int) -> int:
    return max(1024, min(1 << 20, ROW_GROUP_CELLS // max(1, n_columns)))


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)  # files want a plain index and string column names
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    return frame


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Parquet in row groups of about a million cells, so that a page of rows reads megabytes, not the
    table; dictionaries only for text (numbers would be dictionary-encoded value by value)."""
    frame = _storable(frame)
    text_columns = [
        str(name)
        for name, dtype in frame.dtypes.items()
        if not (ptypes.is_numeric_dtype(dtype) or ptypes.is_datetime64_any_dtype(dtype))  # bool is numeric
    ]
    frame.to_parquet(
        path, index=False, row_group_size=rows_per_group(frame.shape[1]), use_dictionary=text_columns
    )


def read_table(path: Path) -> pd.DataFrame:
    """A stored Parquet table, one file or partitioned (:func:`write_partitioned`: its parts in order)."""
    return pd.read_parquet(path)


#: How the part files of a partitioned table are named: ``part-00000.parquet``, … (zero-padded, so that
#: their names sort in row order, as readers of the folder list them).
PART_PREFIX = "part-"


def is_partitioned(path: Path) -> bool:
    """Whether a stored Parquet table is partitioned: a folder of part files rather than one file."""
    return path.is_dir()


def parquet_parts(path: Path) -> list[Path]:
    """The files a stored Parquet table reads from, in row order: itself, or a partitioned one's parts."""
    if not is_partitioned(path):
        return [path]
    return sorted(path.glob(f"{PART_PREFIX}*{PARQUET_SUFFIX}"))


def parquet_has_nulls(metadata: pq.FileMetaData, name: str) -> bool:
    """Whether the row groups' statistics of a Parquet file count a missing value in its flat column
    `name` (pandas reads an integer column with one as float)."""
    schema = metadata.schema
    leaf = next((i for i in range(len(schema)) if schema.column(i).path == name), None)
    if leaf is None:
        return False
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(leaf).statistics
        if stats is not None and stats.has_null_count and stats.null_count > 0:
            return True
    return False


def write_partitioned(source: Path, target: Path, partition_bytes: int) -> int:
    """Rewrite the Parquet file `source` as the folder `target` (which must not exist) of parts holding
    about `partition_bytes` of it each, rows in order; returns how many parts.

    Streams row groups (memory stays a batch, not the table). Rows per part come from the file's
    bytes per row; row groups stay no larger than :func:`write_table`'s. On failure the caller removes
    `target`.
    """
    source_file = pq.ParquetFile(source)
    schema = source_file.schema_arrow
    n_rows = source_file.metadata.num_rows
    bytes_per_row = source.stat().st_size / max(1, n_rows)
    rows_per_part = max(1, int(partition_bytes // max(bytes_per_row, 1e-9)))
    text_columns = [
        f.name
        for f in schema
        if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_boolean(f.type))
        and not pa.types.is_temporal(f.type)
    ]
    batch_rows = min(rows_per_part, rows_per_group(len(schema)))
    target.mkdir()
    parts = 0
    writer: pq.ParquetWriter | None = None
    in_part = 0
    try:
        for batch in source_file.iter_batches(batch_size=batch_rows, use_threads=False):
            start = 0
            while start < batch.num_rows:
                if writer is None or in_part == rows_per_part:
                    if writer is not None:
                        writer.close()
                    name = target / f"{PART_PREFIX}{parts:05d}{PARQUET_SUFFIX}"
                    writer = pq.ParquetWriter(name, schema, use_dictionary=text_columns)
                    parts, in_part = parts + 1, 0
                take = min(batch.num_rows - start, rows_per_part - in_part)
                writer.write_batch(batch.slice(start, take))
                start, in_part = start + take, in_part + take
        if writer is None:  # no rows: one empty part keeps the schema
            pq.ParquetWriter(target / f"{PART_PREFIX}00000{PARQUET_SUFFIX}", schema).close()
            parts = 1
    finally:
        if writer is not None:
            writer.close()
    return parts


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table with pandas' metadata (dtypes come back as they were); numeric
    columns without missing values are wrapped, not copied.

    float64 columns are wrapped as they are, NaN included: pandas' own conversion would scan each for
    NaN to mark them missing, and a reader gets NaN back either way. Their metadata is what pandas
    writes for a float64 column.
    """
    frame = _storable(frame)
    floats = {
        i for i, dtype in enumerate(frame.dtypes) if isinstance(dtype, np.dtype) and dtype == np.float64
    }
    if not floats:
        return pa.Table.from_pandas(frame, preserve_index=False)
    others = [i for i in range(frame.shape[1]) if i not in floats]
    rest = pa.Table.from_pandas(frame.iloc[:, others], preserve_index=False)
    metadata = json.loads(rest.schema.metadata[b"pandas"])
    converted = {
        i: (rest.column(j), rest.schema.field(j), metadata["columns"][j]) for j, i in enumerate(others)
    }
    columns, fields, described = [], [], []
    for i, name in enumerate(frame.columns):
        if i in converted:
            column, field, description = converted[i]
        else:
            column = pa.array(frame.iloc[:, i].to_numpy(), type=pa.float64(), from_pandas=False)
            field = pa.field(name, pa.float64())
            description = {
                "name": name,
                "field_name": name,
                "pandas_type": "float64",
                "numpy_type": "float64",
                "metadata": None,
            }
        columns.append(column)
        fields.append(field)
        described.append(description)
    metadata["columns"] = described
    schema = pa.schema(fields, {**rest.schema.metadata, b"pandas": json.dumps(metadata).encode()})
    return pa.Table.from_arrays(columns, schema=schema)


def write_arrow_table(table: pa.Table, path: Path) -> None:
    """An uncompressed Arrow IPC file: written at the speed of the disk cache, read back by memory map
    without decoding. The table's chunks as they are (one, from a frame), so that each column reads
    back as one array, wrapped without a copy; a page of rows still touches only its own bytes."""
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_ipc(path: Path) -> pa.Table:
    with pa.memory_map(str(path), "r") as source:
        return ipc.open_file(source).read_all()


def arrow_part(path: Path, index: int) -> Path:
    """Where part `index` of a table stored at `path` (``<stem>.arrow``) is: ``<stem>.<index>.arrow``."""
    return path.with_name(f"{path.name.removesuffix(ARROW_SUFFIX)}.{index}{ARROW_SUFFIX}")


def arrow_files(path: Path) -> list[Path]:
    """The files a stored Arrow table reads from: its parts (columns it shares with the table it was
    computed from, hard links to that table's files), then its own columns at `path`."""
    parts: list[Path] = []
    while (part := arrow_part(path, len(parts))).is_file():
        parts.append(part)
    return [*parts, path]


def read_arrow_files(path: Path) -> list[pa.Table]:
    """The tables of a stored Arrow table's files (:func:`arrow_files`), memory-mapped."""
    return [_read_ipc(file) for file in arrow_files(path)]


def joined(files: list[pa.Table]) -> pa.Table:
    """A stored table from its files' tables: their columns side by side, described by the last one's
    schema metadata (pandas' description of every column)."""
    *parts, own = files
    if not parts:
        return own
    columns = [column for part in files for column in part.columns]
    fields = [field for part in files for field in part.schema]
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, own.schema.metadata))


def read_arrow(path: Path) -> pa.Table:
    """A stored Arrow table, memory-mapped: its buffers are the files' pages (read-only), nothing is
    read until used."""
    return joined(read_arrow_files(path))


def _same_memory(ours: pa.ChunkedArray, theirs: pa.ChunkedArray) -> bool:
    """Whether two columns are the very same arrays in memory (so, equal: stored tables never change)."""
    if ours.type != theirs.type or ours.num_chunks != theirs.num_chunks:
        return False
    for a, b in zip(ours.chunks, theirs.chunks, strict=True):
        if a.offset != b.offset or len(a) != len(b):
            return False
        for x, y in zip(a.buffers(), b.buffers(), strict=True):
            if (x is None) != (y is None) or (x is not None and (x.address, x.size) != (y.address, y.size)):
                return False
    return True


def shared_files(table: pa.Table, stored: pa.Table, widths: list[int]) -> int:
    """How many of a stored table's files (of `widths` columns each) hold the table's first columns
    as they were read (memory-mapped, by :func:`read_arrow`): same order, same names, the same memory
    (an appended result built from its input without a copy). A file counts only whole, and not if
    the table would have no column of its own."""
    matched = width = 0
    for file_width in widths:
        end = width + file_width
        if end >= table.num_columns or stored.num_rows != table.num_rows:
            break
        if table.column_names[width:end] != stored.column_names[width:end] or not all(
            _same_memory(table.column(i), stored.column(i)) for i in range(width, end)
        ):
            break
        matched, width = matched + 1, end
    return matched


def own_columns(table: pa.Table, shared: int) -> pa.Table:
    """The columns after the first `shared` ones, with the whole table's schema metadata (pandas'
    description of every column, for reading the parts back as one frame)."""
    kept = range(shared, table.num_columns)
    return pa.Table.from_arrays(
        [table.column(i) for i in kept],
        schema=pa.schema([table.schema.field(i) for i in kept], table.schema.metadata),
    )


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """The frame `pandas.read_parquet` would give for the same table. One block per column, so numeric
    columns without missing values stay views of the table's (memory-mapped) buffers."""
    return table.to_pandas(split_blocks=True)


def read_stored_table(path: Path) -> pd.DataFrame:
    """A stored table of either format (node outputs of earlier versions are Parquet)."""
    if path.suffix == PARQUET_SUFFIX:
        return read_table(path)
    return frame_from_arrow(read_arrow(path))


def write_model(model: Any, path: Path) -> None:
    dump_model(model, path)


def read_model(path: Path) -> Any:
    return load_model(path)
