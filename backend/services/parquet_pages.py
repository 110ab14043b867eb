"""A page of rows straight from a stored table: only the rows it holds are read.

Parquet (uploads, and node outputs of earlier versions): the row groups that hold the page, in batches.
Arrow IPC (node outputs): memory-mapped, so slicing reads only the page's own bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from backend.core.memory import release_memory
from backend.services.outputs import page_payload
from backend.services.outputs.jsonsafe import JsonDict
from backend.services.table_import import READ_BUFFER_BYTES
from modules.storage import PARQUET_SUFFIX, parquet_has_nulls, parquet_parts, read_arrow

PAGE_BATCH_ROWS = 4096  # rows decoded at a time while skipping to the page


def stored_table_page(path: Path, offset: int, limit: int) -> JsonDict:
    """A page of a stored table of either format (see :func:`parquet_page` for what it holds)."""
    return (
        parquet_page(path, offset, limit)
        if path.suffix == PARQUET_SUFFIX
        else arrow_page(path, offset, limit)
    )


def arrow_page(path: Path, offset: int, limit: int) -> JsonDict:
    """``{columns, rows, total, offset, limit}`` of rows `offset` … `offset + limit` of an Arrow IPC file,
    converted as the whole table is read (:func:`modules.storage.read_stored_table`)."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    table = read_arrow(path)
    total = table.num_rows
    with_nulls = {
        name for name, column in zip(table.column_names, table.columns, strict=True) if column.null_count
    }
    page = _as_in_the_whole_table(table.slice(min(offset, total), limit), with_nulls.__contains__)
    payload = page_payload(page.to_pandas(), total, offset, limit)
    del table, page
    return payload


def parquet_page(path: Path, offset: int, limit: int) -> JsonDict:
    """``{columns, rows, total, offset, limit}`` of rows `offset` … `offset + limit` of the file (or of
    a partitioned table's parts, in order: only the parts holding the page are opened past their footer).

    Values are converted as `pandas.read_parquet` would convert the whole table (index columns
    recorded by pandas are left out), so a page equals the same slice of the whole frame.
    """
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    parts = parquet_parts(path)
    metadata = [pq.read_metadata(part) for part in parts]
    total = sum(m.num_rows for m in metadata)
    stop = min(total, offset + limit)
    pieces: list[pa.RecordBatch] = []
    schema: pa.Schema | None = None
    first_row = 0
    for part, meta in zip(parts, metadata, strict=True):
        if schema is None or (first_row < stop and first_row + meta.num_rows > offset):
            part_schema, part_pieces = _part_pieces(part, offset - first_row, stop - first_row)
            schema = schema or part_schema
            pieces += part_pieces
        first_row += meta.num_rows
    assert schema is not None
    page = _as_in_the_whole_table(
        pa.Table.from_batches(pieces, schema=schema),
        lambda name: any(parquet_has_nulls(meta, name) for meta in metadata),
    )
    payload = page_payload(page.to_pandas(), total, offset, limit)
    del pieces, page
    release_memory()  # cheap (well under a millisecond when little is free), and nothing lingers
    return payload


def _part_pieces(path: Path, offset: int, stop: int) -> tuple[pa.Schema, list[pa.RecordBatch]]:
    """The schema of one Parquet file and its rows `offset` … `stop` (clipped to the file), read from
    the row groups that hold them."""
    with path.open("rb") as handle:
        source = pq.ParquetFile(handle, buffer_size=READ_BUFFER_BYTES, pre_buffer=False)
        groups, position = _groups_holding(source.metadata, max(0, offset), stop)
        pieces: list[pa.RecordBatch] = []
        if groups:
            batch_rows = max(stop - offset, PAGE_BATCH_ROWS)
            for batch in source.iter_batches(batch_size=batch_rows, row_groups=groups, use_threads=False):
                start, end = max(position, offset), min(position + batch.num_rows, stop)
                if end > start:
                    pieces.append(batch.slice(start - position, end - start))
                position += batch.num_rows
                if position >= stop:
                    break
        return source.schema_arrow, pieces


def _as_in_the_whole_table(page: pa.Table, has_nulls: Callable[[str], bool]) -> pa.Table:
    """Integer columns with a missing value anywhere in the table become float, as pandas reads the
    whole table."""
    for i, field in enumerate(page.schema):
        if pa.types.is_integer(field.type) and has_nulls(field.name):
            page = page.set_column(i, field.with_type(pa.float64()), page.column(i).cast(pa.float64()))
    return page


def _groups_holding(metadata: pq.FileMetaData, start: int, stop: int) -> tuple[list[int], int]:
    """The row groups holding rows `start` … `stop` and the row the first of them begins at."""
    groups: list[int] = []
    first_row = row = 0
    for group in range(metadata.num_row_groups):
        n_rows = metadata.row_group(group).num_rows
        if row < stop and row + n_rows > start:
            if not groups:
                first_row = row
            groups.append(group)
        row += n_rows
    return groups, first_row
