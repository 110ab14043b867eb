"""Importing a Parquet upload: checked from its footer, then copied batch by batch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from backend.services.table_import.common import (
    NO_ROWS,
    READ_BUFFER_BYTES,
    TEXT_SLICE_BYTES,
    ImportedTable,
    InvalidDataset,
    TableLimits,
    null_as_text,
    parquet_writer,
    refuse_nul_in_names,
    tidy_names,
)
from modules.storage import rows_per_group


def import_parquet(path: Path, out: Path, limits: TableLimits) -> ImportedTable:
    """Check the footer against the limits, then copy the file batch by batch.

    Text columns are read as dictionaries (values once, plus an index per row), so their decoded size
    is known before it exists: a few repeated long strings cannot expand into gigabytes unseen. Text
    may decode to at most TEXT_BYTES_PER_CELL × STUDIO_MAX_CELLS bytes in all, and is materialised
    TEXT_SLICE_BYTES at a time.
    """
    with path.open("rb") as handle:  # a handle, not the path: Arrow's messages then name no server path
        try:
            metadata = pq.ParquetFile(handle, pre_buffer=False).metadata
            schema = metadata.schema.to_arrow_schema()
            text = [field.name for field in schema if _is_flat_text(field.type)]
            source = pq.ParquetFile(
                handle,
                metadata=metadata,
                buffer_size=READ_BUFFER_BYTES,
                pre_buffer=False,
                read_dictionary=text,
            )
        except Exception as exc:
            raise _unreadable_parquet(exc, path) from None
        limits.check(metadata.num_rows, _claimed_cells(metadata))
        names = tidy_names(schema.names)
        refuse_nul_in_names(names)
        if metadata.num_rows == 0:
            raise InvalidDataset(NO_ROWS)
        out_schema = pa.schema(
            [
                field.with_name(name).with_type(null_as_text(field.type))
                for field, name in zip(schema, names, strict=True)
            ],
            metadata=schema.metadata,
        )
        batches = source.iter_batches(batch_size=rows_per_group(len(names)), use_threads=False)
        n_rows, text_bytes = 0, 0
        try:
            with parquet_writer(out, out_schema) as writer:
                while True:
                    try:
                        batch = next(batches, None)
                    except Exception as exc:
                        raise _unreadable_parquet(exc, path) from None
                    if batch is None:
                        break
                    row_text = _text_bytes_per_row(batch, set(text))
                    text_bytes += int(row_text.sum())
                    limits.check_text(text_bytes)
                    for start, stop in _slices(row_text, TEXT_SLICE_BYTES):
                        piece = batch.slice(start, stop - start)
                        columns = [
                            _decoded(column, field.type)
                            for column, field in zip(piece.columns, out_schema, strict=True)
                        ]
                        writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=out_schema))
                    n_rows += batch.num_rows
        except (ValueError, TypeError, NotImplementedError, pa.ArrowNotImplementedError) as exc:
            # A type Parquet cannot store back (a full disk is an OSError and goes on up).
            out.unlink(missing_ok=True)
            raise InvalidDataset(f"The Parquet file could not be stored: {_scrubbed(exc, path)}") from None
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    return ImportedTable(n_rows, out_schema, "parquet")


def _is_flat_text(arrow_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_binary(arrow_type)
        or pa.types.is_large_binary(arrow_type)
    )


def _text_bytes_per_row(batch: pa.RecordBatch, text: set[str]) -> np.ndarray:
    """Bytes each row's text columns decode to, from their dictionaries (nothing is decoded)."""
    total = np.zeros(batch.num_rows, dtype=np.int64)
    for field, column in zip(batch.schema, batch.columns, strict=True):
        if field.name in text and pa.types.is_dictionary(column.type):
            lengths = pc.take(pc.binary_length(column.dictionary), column.indices)
            total += lengths.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    return total


def _slices(row_bytes: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """Consecutive row ranges each holding at most `budget` bytes (or a single larger row)."""
    start, n_rows = 0, len(row_bytes)
    ends = np.cumsum(row_bytes)
    while start < n_rows:
        before = ends[start - 1] if start else 0
        stop = int(np.searchsorted(ends, before + budget, side="right"))
        stop = max(stop, start + 1)
        yield start, stop
        start = stop


def _decoded(column: pa.Array, target: pa.DataType) -> pa.Array:
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), target)
    if pa.types.is_dictionary(column.type) and not pa.types.is_dictionary(target):
        return column.cast(target)
    return column


def _claimed_cells(metadata: pq.FileMetaData) -> int:
    """Rows × leaf columns, or the values the column chunks say they hold if more (nested columns)."""
    values = sum(
        metadata.row_group(group).column(column).num_values
        for group in range(metadata.num_row_groups)
        for column in range(metadata.num_columns)
    )
    return max(metadata.num_rows * metadata.num_columns, values)


def _unreadable_parquet(exc: Exception, path: Path) -> InvalidDataset:
    return InvalidDataset(f"The Parquet file could not be read: {_scrubbed(exc, path)}")


def _scrubbed(exc: Exception, path: Path) -> str:
    """Arrow's message without the server's paths."""
    message = str(exc).replace(str(path), "the file").replace(str(path.parent), "")
    return re.sub(r"(?:/[\w.\-]+){2,}", "<path>", message)
