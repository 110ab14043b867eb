"""Turn an uploaded file into a typed Parquet table: CSV/TSV (delimiter detected) or Parquet.

Memory is bounded by a chunk, never by the file or by what it decompresses to:

- Parquet is checked against the row and cell limits from its footer before any data is read, then
  copied batch by batch.
- Delimited text is cut into chunks at row boundaries and parsed chunk by chunk (Arrow's own parser
  and type inference, each chunk in parallel blocks), counting rows against the limits as it goes; see
  :func:`delimited.import_text` for how column types stay those of a whole-file read. Each byte is read
  once, into one reused buffer, and checked as UTF-8 there (decoding only what is not ASCII); a chunk is
  parsed in a helper thread while the one before is written.

The upload may still be arriving (`growing`, see backend.services.growing_file): delimited text is then
parsed as it arrives, each chunk as soon as it is whole; Parquet and transcoded text wait for the whole
file (a Parquet footer is at its end).

Every way a file can be unusable becomes :class:`InvalidDataset` (error code 0018) with a message that
says where it went wrong; a file over a limit is :class:`DatasetTooLarge`. Nothing here writes anywhere
but the caller's output path and a scratch file beside the upload, both removed by the caller on failure.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from backend.services.growing_file import GrowingFile
from backend.services.table_import.common import (
    CHUNK_BYTES,
    MAX_TYPE_RETRIES,
    NO_ROWS,
    READ_BUFFER_BYTES,
    SNIFF_BYTES,
    DatasetTooLarge,
    ImportedTable,
    InvalidDataset,
    TableLimits,
)
from backend.services.table_import.delimited import import_text, text_chunks
from backend.services.table_import.parquet import import_parquet
from modules.storage import read_table

__all__ = [
    "MAX_TYPE_RETRIES",
    "NO_ROWS",
    "READ_BUFFER_BYTES",
    "DatasetTooLarge",
    "ImportedTable",
    "InvalidDataset",
    "TableLimits",
    "import_table",
    "read_file",
    "text_chunks",
]


def import_table(
    path: Path,
    filename: str,
    out: Path,
    limits: TableLimits,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    growing: GrowingFile | None = None,
) -> ImportedTable:
    """Parse the upload at `path` (named `filename` by the client) and write it to `out` as Parquet.

    With `growing` (the file at `path` still arriving), reads wait for the bytes they need.
    """
    if growing is None:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    else:
        head = growing.head(SNIFF_BYTES)
    if not head:
        raise InvalidDataset("The file is empty.")
    if head.startswith(b"PAR1"):
        if growing is not None:
            growing.wait_whole()
        return import_parquet(path, out, limits)
    return import_text(path, filename, head, out, limits, chunk_bytes, growing)


def read_file(path: Path, filename: str, limits: TableLimits | None = None) -> pd.DataFrame:
    """A CSV, TSV or Parquet file as the studio reads it once uploaded (the same column types): what an
    exported experiment script loads its uploaded datasets with."""
    with tempfile.TemporaryDirectory(prefix="studio-read-") as tmp:
        stored = Path(tmp) / "table.parquet"
        import_table(path, filename, stored, limits or TableLimits(max_rows=2**62, max_cells=2**62))
        return read_table(stored)
