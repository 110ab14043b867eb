"""Turn an uploaded file into a typed Parquet table: CSV/TSV (delimiter detected) or Parquet.

Memory is bounded by a chunk, never by the file or by what it decompresses to:

- Parquet is checked against the row and cell limits from its footer before any data is read, then
  copied batch by batch.
- Delimited text is cut into chunks at row boundaries and parsed chunk by chunk (Arrow's own parser
  and type inference, each chunk in parallel blocks), counting rows against the limits as it goes; see
  :func:`delimited.import_text` for how column types stay those of a whole-file read. Each byte is read
  once, into one reused buffer, and checked as UTF-8 there (decoding only what is not ASCII); a chunk is
  parsed in a helper thread while the one before is written.

Every way a file can be unusable becomes :class:`InvalidDataset` (error code 0018) with a message that
says where it went wrong; a file over a limit is :class:`DatasetTooLarge`. Nothing here writes anywhere
but the caller's output path and a scratch file beside the upload, both removed by the caller on failure.
"""

from __future__ import annotations

from pathlib import Path

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

__all__ = [
    "MAX_TYPE_RETRIES",
    "NO_ROWS",
    "READ_BUFFER_BYTES",
    "DatasetTooLarge",
    "ImportedTable",
    "InvalidDataset",
    "TableLimits",
    "import_table",
    "text_chunks",
]


def import_table(
    path: Path, filename: str, out: Path, limits: TableLimits, *, chunk_bytes: int = CHUNK_BYTES
) -> ImportedTable:
    """Parse the upload at `path` (named `filename` by the client) and write it to `out` as Parquet."""
    if path.stat().st_size == 0:
        raise InvalidDataset("The file is empty.")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        return import_parquet(path, out, limits)
    return import_text(path, filename, head, out, limits, chunk_bytes)
