"""Turn an uploaded file into a typed table (CSV, TSV with the delimiter detected, or Parquet).

Every way a file can be unusable becomes :class:`InvalidDataset` (error code 0018) with a message
that says where it went wrong; nothing here writes anywhere but the caller's temporary path.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DELIMITERS = [",", "\t", ";", "|"]
SNIFF_BYTES = 64 * 1024


class InvalidDataset(Exception):
    code = "0018"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def arrow_column_type(arrow_type: pa.DataType) -> str:
    """The studio's column type for an Arrow type: numeric, string, boolean or datetime."""
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "numeric"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "datetime"
    return "string"


def source_format(path: Path) -> str:
    """`parquet` or `csv` (delimited text of any delimiter)."""
    with path.open("rb") as handle:
        return "parquet" if handle.read(4) == b"PAR1" else "csv"


def read_table(path: Path, filename: str) -> pa.Table:
    """Parse the file at `path` (named `filename` by the client) into an Arrow table."""
    size = path.stat().st_size
    if size == 0:
        raise InvalidDataset("The file is empty.")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as exc:
            raise InvalidDataset(f"The Parquet file could not be read: {exc}") from None
    else:
        table = _read_text_table(path, filename, head)
    return _tidy(table)


def _read_text_table(path: Path, filename: str, head: bytes) -> pa.Table:
    if b"\x00" in head:
        raise InvalidDataset("The file looks binary (it contains NUL bytes); upload CSV, TSV or Parquet.")
    _check_utf8(path)
    text_head = head.decode("utf-8", "ignore").lstrip("\ufeff")
    delimiter = "\t" if filename.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text_head)
    bad_rows: list[pacsv.InvalidRow] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row)
        return "error"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        if bad_rows:
            row = bad_rows[0]
            number = row.number if row.number is not None else _line_of(path, row.text)
            where = f"line {number}" if number is not None else "a row"
            raise InvalidDataset(
                f"Inconsistent row length at {where}: expected {row.expected_columns} fields "
                f"(as in the header), found {row.actual_columns}: {row.text[:80]!r}"
            ) from None
        raise InvalidDataset(f"The file could not be parsed as delimited text: {exc}") from None
    if table.num_rows == 0:
        raise InvalidDataset("The file has a header but no data rows.")
    return table


def _line_of(path: Path, row_text: str) -> int | None:
    """The 1-based line number of the first line equal to `row_text` (Arrow does not always say)."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if line.rstrip("\r\n") == row_text:
                return number
    return None


def _check_utf8(path: Path) -> None:
    """Refuse text that is not UTF-8, saying on which line the first bad byte is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                line += chunk[: exc.start].count(b"\n")
                raise InvalidDataset(
                    f"The file is not UTF-8 text: invalid byte 0x{chunk[exc.start]:02x} at byte {bad} "
                    f"(line {line}). Save it as UTF-8 and upload again."
                ) from None
            offset += len(chunk)
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InvalidDataset(
                "The file is not UTF-8 text: it ends in the middle of a character."
            ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if not counts or counts[0] == 0:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _tidy(table: pa.Table) -> pa.Table:
    """Name unnamed columns, refuse duplicate names, make all-empty columns strings."""
    names, seen = [], set()
    for i, name in enumerate(table.column_names):
        name = name.strip() or f"Column {i + 1}"
        if name in seen:
            raise InvalidDataset(f"The column name {name!r} appears more than once in the header.")
        seen.add(name)
        names.append(name)
    table = table.rename_columns(names)
    if table.num_columns == 0:
        raise InvalidDataset("The file has no columns.")
    for i, column in enumerate(table.columns):
        if pa.types.is_null(column.type):
            table = table.set_column(i, names[i], column.cast(pa.string()))
    return table
