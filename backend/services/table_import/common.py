"""What both importers share: the limits, the errors, column types and how tables are stored.

Column types and row-group sizes are the modules' (one rule for uploads, samples and outputs).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import pyarrow as pa
import pyarrow.parquet as pq

from modules.storage import rows_per_group

DELIMITERS = [",", "\t", ";", "|"]
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 8 << 20  # text parsed at a time; peak memory is a small multiple of this
MAX_ROW_BYTES = 64 << 20  # one row longer than this is refused rather than buffered
READ_BUFFER_BYTES = 64 << 10  # per column read; Arrow would otherwise read whole column chunks (pre_buffer)
TEXT_BYTES_PER_CELL = 8  # a Parquet file's text may decode to this many bytes per cell allowed
TEXT_SLICE_BYTES = 64 << 20  # text decoded at a time while copying a Parquet file
GROUP_BYTES = 32 << 20  # parsed rows kept at most before a row group is written (long text)
MAX_TYPE_RETRIES = 8  # re-parses allowed to settle column types before unsettled columns become text

NO_ROWS = "The file has column names but no data rows: there is nothing to cluster."


class InvalidDataset(Exception):
    code = "0018"
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatasetTooLarge(InvalidDataset):
    """The file claims more rows or cells than the server accepts (413)."""

    status_code = 413


@dataclass(frozen=True)
class TableLimits:
    max_rows: int
    max_cells: int

    def check(self, n_rows: int, n_cells: int, *, counted_so_far: bool = False) -> None:
        """Refuse a table of `n_rows` rows and `n_cells` cells (or of at least that many, while counting)."""
        if n_rows > self.max_rows:
            has = f"more than {self.max_rows:,}" if counted_so_far else f"{n_rows:,}"
            raise DatasetTooLarge(
                f"The file has {has} rows; the server accepts at most {self.max_rows:,} "
                "(setting STUDIO_MAX_ROWS)."
            )
        if n_cells > self.max_cells:
            has = f"more than {self.max_cells:,}" if counted_so_far else f"{n_cells:,}"
            raise DatasetTooLarge(
                f"The file has {has} cells (rows × columns); the server accepts at most "
                f"{self.max_cells:,} (setting STUDIO_MAX_CELLS)."
            )

    def check_text(self, n_bytes: int) -> None:
        """Refuse text decoding to more than TEXT_BYTES_PER_CELL bytes per allowed cell (counted so far)."""
        budget = self.max_cells * TEXT_BYTES_PER_CELL
        if n_bytes > budget:
            raise DatasetTooLarge(
                f"The file's text decodes to more than {budget:,} bytes; the server accepts "
                f"{TEXT_BYTES_PER_CELL} bytes of text per cell it accepts (setting STUDIO_MAX_CELLS)."
            )


@dataclass(frozen=True)
class ImportedTable:
    n_rows: int
    schema: pa.Schema
    source_format: str  # "csv" (delimited text of any delimiter) or "parquet"


def parquet_writer(out: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A writer for a stored table: dictionary encoding only where it pays.

    Row groups are small (see modules.storage.ROW_GROUP_CELLS), so a dictionary never outgrows its page
    and Arrow would dictionary-encode every unique number: 4× slower to write and larger than plain.
    """
    return pq.ParquetWriter(out, schema, use_dictionary=dictionary_columns(schema))


class GroupedWriter:
    """A stored table written in row groups of `rows_per_group` rows, whatever size the pieces come in.

    Pieces are kept (not copied) until a group is full, or until they hold `max_bytes` (long text):
    then what is kept is written as a smaller group. `close` writes the rest as the last group.
    """

    def __init__(self, out: Path, schema: pa.Schema, max_bytes: int = GROUP_BYTES) -> None:
        self.writer = parquet_writer(out, schema)
        self.group_rows = rows_per_group(len(schema))
        self.max_bytes = max_bytes
        self.pending: list[pa.Table] = []
        self.n_pending = self.pending_bytes = 0

    def write(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.n_pending += table.num_rows
        self.pending_bytes += table.nbytes
        if self.pending_bytes >= self.max_bytes:
            self._write_pending()
        elif self.n_pending >= self.group_rows:
            whole = pa.concat_tables(self.pending)
            full = whole.num_rows - whole.num_rows % self.group_rows
            self.writer.write_table(whole.slice(0, full), row_group_size=self.group_rows)
            rest = whole.slice(full)
            self.pending, self.n_pending = ([rest] if rest.num_rows else []), rest.num_rows
            self.pending_bytes = rest.nbytes

    def close(self) -> None:
        """Write the last group and the footer."""
        self._write_pending()
        self.writer.close()

    def abandon(self) -> None:
        """Close the file without writing what is pending (the caller removes it)."""
        self.pending, self.n_pending, self.pending_bytes = [], 0, 0
        self.writer.close()

    def _write_pending(self) -> None:
        if self.pending:
            self.writer.write_table(pa.concat_tables(self.pending), row_group_size=self.group_rows)
        self.pending, self.n_pending, self.pending_bytes = [], 0, 0


Item = TypeVar("Item")
_END = object()


def prefetched(items: Iterator[Item]) -> Generator[Item, None, None]:
    """`items`, each produced in a helper thread while the caller works on the one before.

    Parsing a chunk and writing the previous one then overlap (Arrow releases the GIL in both). An
    exception raised producing an item is raised here, in its place; when the caller stops early, the
    item being produced is finished and dropped.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="table-import") as pool:
        pending = pool.submit(next, items, _END)
        try:
            while (item := pending.result()) is not _END:
                pending = pool.submit(next, items, _END)
                yield cast(Item, item)
        finally:
            if not pending.cancel():
                pending.exception()  # wait: `items` must not be running when it is closed below
            close = getattr(items, "close", None)
            if close is not None:
                close()


def dictionary_columns(schema: pa.Schema) -> list[str]:
    """The text-like columns, where repeated values are common."""
    return [
        field.name
        for field in schema
        if pa.types.is_string(field.type)
        or pa.types.is_large_string(field.type)
        or pa.types.is_binary(field.type)
        or pa.types.is_dictionary(field.type)
    ]


def tidy_names(raw: list[str]) -> list[str]:
    """Name unnamed columns and refuse duplicate names."""
    names, seen = [], set()
    for i, name in enumerate(raw):
        name = name.strip() or f"Column {i + 1}"
        if name in seen:
            raise InvalidDataset(f"The column name {name!r} appears more than once in the header.")
        seen.add(name)
        names.append(name)
    if not names:
        raise InvalidDataset("The file has no columns.")
    return names


def refuse_nul_in_names(names: list[str]) -> None:
    for name in names:
        if "\x00" in name:
            raise InvalidDataset(f"The column name {name!r} contains a NUL character.")


def null_as_text(arrow_type: pa.DataType) -> pa.DataType:
    return pa.string() if pa.types.is_null(arrow_type) else arrow_type
