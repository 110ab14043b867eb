"""Importing delimited text (CSV, TSV, any delimiter detected): chunk by chunk, types as a whole-file read."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from io import RawIOBase
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from backend.services.growing_file import GrowingFile
from backend.services.table_import.common import (
    DELIMITERS,
    MAX_ROW_BYTES,
    MAX_TYPE_RETRIES,
    NO_ROWS,
    SNIFF_BYTES,
    GroupedWriter,
    ImportedTable,
    InvalidDataset,
    TableLimits,
    null_as_text,
    prefetched,
    refuse_nul_in_names,
    tidy_names,
)
from backend.services.table_import.encoding import (
    TRANSCODED_BOMS,
    check_utf8,
    is_utf8,
    refuse_binary,
    refuse_control_characters,
    transcode_to_utf8,
)

# The order in which Arrow's CSV reader loosens an inferred column type (arrow/csv/inference_internal.h).
INFERENCE_ORDER: list[pa.DataType] = [
    pa.int64(),
    pa.bool_(),
    pa.date32(),
    pa.time32("s"),
    pa.timestamp("s"),
    pa.timestamp("ns"),
    pa.float64(),
    pa.string(),
]
_CONVERSION_ERROR = re.compile(
    r"^In CSV column #(?P<column>\d+): (?:Row #\d+: )?"
    r"CSV conversion error to .*?: invalid value '(?P<value>.*)'$",
    re.DOTALL,
)


def import_text(
    path: Path,
    filename: str,
    head: bytes,
    out: Path,
    limits: TableLimits,
    chunk_bytes: int,
    growing: GrowingFile | None = None,
) -> ImportedTable:
    """Import delimited text; with `growing`, UTF-8 text is parsed while it arrives (transcoded text
    waits for the whole file)."""
    transcoded = next((t for t in TRANSCODED_BOMS if head.startswith(t[0])), None)
    text_path = path
    try:
        if transcoded is not None:
            if growing is not None:
                growing.wait_whole()
                growing = None
            _, encoding, label = transcoded
            text_path = path.with_suffix(".utf8")
            transcode_to_utf8(path, text_path, encoding, label)
            with text_path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
            refuse_control_characters(head, label)
        else:
            refuse_binary(head)
        text_head = head.decode("utf-8", "ignore").lstrip("\ufeff")
        delimiter = "\t" if filename.lower().endswith((".tsv", ".tab")) else sniff_delimiter(text_head)
        importer = _DelimitedImport(text_path, delimiter, out, limits, chunk_bytes, growing)
        importer.check_utf8 = transcoded is None
        try:
            return importer.run()
        except InvalidDataset:
            if importer.check_utf8:  # text that is not UTF-8 says so first, wherever the other fault is
                importer.check_whole_file_utf8()
            raise
    finally:
        if text_path != path:
            text_path.unlink(missing_ok=True)


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


def text_chunks(path: Path, chunk_bytes: int) -> Iterator[tuple[bytes, int]]:
    """The file in pieces of about `chunk_bytes` that end at a row boundary, each with its byte offset."""
    for view, offset in _chunk_views(path, chunk_bytes):
        yield bytes(view), offset


def _chunk_views(
    path: Path, chunk_bytes: int, open_file: Callable[[], RawIOBase] | None = None
) -> Iterator[tuple[memoryview, int]]:
    """:func:`text_chunks` as views of one buffer, each valid until the next is asked for.

    The file is read straight into the buffer, after the start of the row the view before cut off
    (moved to the front): each byte is copied once, into memory that is already mapped. `open_file`
    gives an unbuffered reader of `path` (by default the file itself).
    """
    buffer, kept, offset = bytearray(chunk_bytes), 0, 0
    with open_file() if open_file is not None else path.open("rb", buffering=0) as handle:
        while True:
            if len(buffer) < kept + chunk_bytes:  # a long row: room for it and one more block
                longer = bytearray(kept + chunk_bytes)
                longer[:kept] = buffer[:kept]
                buffer = longer
            end = kept + _read_into(handle, buffer, kept, kept + chunk_bytes)
            if end == kept:
                if kept:
                    yield memoryview(buffer)[:kept], offset
                return
            cut = _row_boundary(buffer, end, quote_aware=True)
            if cut is None and end > MAX_ROW_BYTES:
                cut = _row_boundary(buffer, end, quote_aware=False)
                if cut is None:
                    raise InvalidDataset(
                        f"Line {lines_before(path, offset) + 1} is longer than {MAX_ROW_BYTES >> 20} MB; "
                        "is this really delimited text?"
                    )
            if cut is None:
                kept = end  # the row continues in the next block
                continue
            yield memoryview(buffer)[:cut], offset
            buffer[: end - cut] = buffer[cut:end]  # same size: allowed while a view is alive
            kept, offset = end - cut, offset + cut


def _read_into(handle: RawIOBase, buffer: bytearray, start: int, stop: int) -> int:
    """Fill `buffer[start:stop]` from the file (less only at its end); the bytes read."""
    filled = start
    with memoryview(buffer) as view:
        while filled < stop and (n_read := handle.readinto(view[filled:stop])):
            filled += n_read
    return filled - start


def lines_before(path: Path, offset: int) -> int:
    """How many line breaks the file has before byte `offset` (counted only when a message needs it)."""
    count = 0
    with path.open("rb") as handle:
        while offset > 0 and (block := handle.read(min(offset, 1 << 20))):
            count += block.count(b"\n")
            offset -= len(block)
    return count


def _row_boundary(data: bytearray, end: int, *, quote_aware: bool) -> int | None:
    """Just after the last line break in `data[:end]` outside double quotes (a `""` escape keeps the
    count even)."""
    if not quote_aware:
        cut = max(data.rfind(b"\n", 0, end), data.rfind(b"\r", 0, end))
        return cut + 1 if cut >= 0 else None
    if data.find(b'"', 0, end) < 0:
        cut = data.rfind(b"\n", 0, end)
        return cut + 1 if cut >= 0 else None
    quotes_before = data.count(b'"', 0, end)
    while (newline := data.rfind(b"\n", 0, end)) >= 0:
        quotes_before -= data.count(b'"', newline, end)
        if quotes_before % 2 == 0:
            return newline + 1
        end = newline
    return None


class _DelimitedImport:
    """Two passes at most, each one chunk at a time.

    Arrow infers a column's type as the first in :data:`INFERENCE_ORDER` that accepts every value. Each
    chunk is parsed with that inference; a column whose chunks all agree (ignoring all-empty chunks) has
    exactly that type for the whole file, and the first pass writes the chunks as they come. If a column's
    type changes between chunks, that pass only collects types, and a second pass parses the file again
    with explicit types: the loosest seen for each such column (the whole-file type cannot be tighter).
    Should that type refuse a value, the column moves to the next type accepting it and the second pass
    restarts; after :data:`MAX_TYPE_RETRIES` restarts every unsettled column becomes text, which accepts
    anything. Re-parsing the text, rather than casting what was parsed, keeps e.g. "007" as written.
    """

    def __init__(
        self,
        path: Path,
        delimiter: str,
        out: Path,
        limits: TableLimits,
        chunk_bytes: int,
        growing: GrowingFile | None = None,
    ):
        self.path, self.out, self.limits, self.chunk_bytes = path, out, limits, chunk_bytes
        self.growing = growing  # the file at `path` while it is still arriving
        self.parse_options = pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=self._on_bad_row)
        self.bad_rows: list[pacsv.InvalidRow] = []
        self.names: list[str] = []
        self.check_utf8 = False  # each chunk is checked before it is parsed (transcoded text needs not)

    def _chunks(self) -> Iterator[tuple[memoryview, int]]:
        """The file's chunks (see :func:`_chunk_views`), each as soon as it has arrived in full."""
        return _chunk_views(self.path, self.chunk_bytes, self.growing.open if self.growing else None)

    def check_whole_file_utf8(self) -> None:
        """Refuse text that is not UTF-8, saying where; looks at the whole file (once it has arrived)."""
        if self.growing is not None:
            self.growing.wait_whole()
        check_utf8(self.path)

    def _on_bad_row(self, row: pacsv.InvalidRow) -> str:
        self.bad_rows.append(row)
        return "error"

    def run(self) -> ImportedTable:
        seen_types, n_rows, written = self._first_pass()
        if n_rows == 0:
            raise InvalidDataset(NO_ROWS)
        types = [_loosest(kinds) for kinds in seen_types]
        if written is not None:
            return ImportedTable(n_rows, written, "csv")
        unsettled = {i for i, kinds in enumerate(seen_types) if len(kinds) > 1}
        for attempt in range(MAX_TYPE_RETRIES + 2):
            schema = pa.schema(list(zip(self.names, types, strict=True)))
            try:
                self._write_all(schema)
                return ImportedTable(n_rows, schema, "csv")
            except pa.ArrowInvalid as exc:
                types = self._loosen(types, unsettled, str(exc), give_up=attempt >= MAX_TYPE_RETRIES)
        raise InvalidDataset("The column types of the file could not be settled.")

    def _read_chunk(self, chunk: memoryview, first: bool, types: pa.Schema | None) -> pa.Table:
        """Parse a chunk, in parallel blocks; on any error again as one block in one thread, which
        reports the first bad row with its line and cannot split a quoted line break or a long row."""
        try:
            return self._read(chunk, first, types, threaded=True)
        except pa.ArrowInvalid:
            self.bad_rows.clear()
            return self._read(chunk, first, types, threaded=False)

    def _read(self, chunk: memoryview, first: bool, types: pa.Schema | None, *, threaded: bool) -> pa.Table:
        block_size = max(1 << 20, len(chunk) // 4) if threaded else len(chunk) + 1
        read_options = pacsv.ReadOptions(use_threads=threaded, block_size=block_size)
        if not first or types is not None:  # the header was read from the first chunk of the first pass
            read_options.column_names = self.names
            read_options.skip_rows = int(first)
        return pacsv.read_csv(
            pa.BufferReader(chunk),
            read_options=read_options,
            parse_options=self.parse_options,
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True, column_types=types),
        )

    def _first_pass(self) -> tuple[list[set[pa.DataType]], int, pa.Schema | None]:
        """Check the rows, count them against the limits, collect each chunk's column types, and write
        the table if no column's type changed between chunks (else return None as the schema)."""
        seen: list[set[pa.DataType]] = []
        n_rows = 0
        writer: GroupedWriter | None = None
        schema: pa.Schema | None = None
        tables = prefetched(self._checked_chunks())
        try:
            for index, table in enumerate(tables):
                if index == 0:
                    seen = [set() for _ in self.names]
                    schema = pa.schema(
                        [
                            (name, null_as_text(column.type))
                            for name, column in zip(self.names, table.columns, strict=True)
                        ]
                    )
                    writer = GroupedWriter(self.out, schema)
                n_rows += table.num_rows
                self.limits.check(n_rows, n_rows * len(self.names), counted_so_far=True)
                for kinds, column in zip(seen, table.columns, strict=True):
                    if not pa.types.is_null(column.type):
                        kinds.add(column.type)
                if writer is None:
                    continue
                assert schema is not None
                conformed = _conform(table, schema)
                if conformed is None:  # a type changed: the second pass writes the table
                    writer.abandon()
                    writer, schema = None, None
                    self.out.unlink(missing_ok=True)
                    continue
                writer.write(conformed)
            if writer is not None:
                writer.close()
        except BaseException:
            tables.close()  # the chunk being parsed is finished first: nothing runs on after this
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.abandon()
            self.out.unlink(missing_ok=True)
            raise
        return seen, n_rows, schema

    def _checked_chunks(self) -> Iterator[pa.Table]:
        """Each chunk parsed with inferred types, named as the header says (read from the first)."""
        for index, (chunk, offset) in enumerate(self._chunks()):
            if self.check_utf8 and not is_utf8(chunk):
                self.check_whole_file_utf8()  # says where
            table = self._parse_checked(chunk, index == 0, offset)
            if index == 0:
                self.names = tidy_names(table.column_names)
                refuse_nul_in_names(self.names)
            yield table.rename_columns(self.names)

    def _parse_checked(self, chunk: memoryview, first: bool, offset: int) -> pa.Table:
        """One chunk with inferred types; a malformed row is reported with its line in the file."""
        self.bad_rows.clear()
        try:
            return self._read_chunk(chunk, first, None)
        except pa.ArrowInvalid as exc:
            if self.bad_rows:
                row = self.bad_rows[0]
                number = _line_in(bytes(chunk), row.text) or row.number  # Arrow counts rows, not lines
                line = lines_before(self.path, offset) + number if number is not None else None
                where = f"line {line}" if line is not None else "a row"
                raise InvalidDataset(
                    f"Inconsistent row length at {where}: expected {row.expected_columns} fields "
                    f"(as in the header), found {row.actual_columns}: {row.text[:80]!r}"
                ) from None
            raise InvalidDataset(f"The file could not be parsed as delimited text: {exc}") from None

    def _write_all(self, schema: pa.Schema) -> None:
        """Parse every chunk with the types of `schema` and write them (nothing is kept on failure)."""
        chunks = self._chunks()
        typed = (self._read_chunk(chunk, index == 0, schema) for index, (chunk, _) in enumerate(chunks))
        tables = prefetched(typed)
        writer = GroupedWriter(self.out, schema)
        try:
            for table in tables:
                writer.write(table.rename_columns(self.names).cast(schema))
            writer.close()
        except BaseException:
            tables.close()
            with contextlib.suppress(Exception):
                writer.abandon()
            self.out.unlink(missing_ok=True)
            raise

    def _loosen(
        self, types: list[pa.DataType], unsettled: set[int], error: str, *, give_up: bool
    ) -> list[pa.DataType]:
        """The next types to try after `error` refused a value (see the class docstring)."""
        match = _CONVERSION_ERROR.match(error)
        column = int(match["column"]) if match else -1
        if give_up or column not in unsettled:
            if not unsettled:
                raise InvalidDataset(f"The file could not be parsed as delimited text: {error}")
            loosened = [pa.string() if i in unsettled else t for i, t in enumerate(types)]
            unsettled.clear()
            return loosened
        assert match is not None
        current = _inference_rank(types[column])
        loosened = list(types)
        loosened[column] = next(
            (t for t in INFERENCE_ORDER[current + 1 :] if _accepts(t, match["value"], self.parse_options)),
            pa.string(),
        )
        if pa.types.is_string(loosened[column]):
            unsettled.discard(column)
        return loosened


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table | None:
    """`table` with the types of `schema` if only all-empty columns differ, else None."""
    columns = []
    for column, field in zip(table.columns, schema, strict=True):
        if column.type == field.type:
            columns.append(column)
        elif pa.types.is_null(column.type):
            columns.append(pa.nulls(len(column), field.type))
        else:
            return None
    return pa.Table.from_arrays(columns, schema=schema)


def _loosest(kinds: set[pa.DataType]) -> pa.DataType:
    """The type a column starts the second pass with: the latest in inference order (text if none)."""
    if not kinds:
        return pa.string()
    return max(kinds, key=lambda kind: (_inference_rank(kind), str(kind)))


def _inference_rank(arrow_type: pa.DataType) -> int:
    if pa.types.is_timestamp(arrow_type):  # with or without a time zone
        return 4 if arrow_type.unit == "s" else 5
    for rank, known in enumerate(INFERENCE_ORDER):
        if arrow_type == known:
            return rank
    return len(INFERENCE_ORDER) - 1


def _accepts(arrow_type: pa.DataType, value: str, parse_options: pacsv.ParseOptions) -> bool:
    """Whether Arrow's CSV converter turns `value` into `arrow_type`."""
    quoted = '"' + value.replace('"', '""') + '"'
    try:
        pacsv.read_csv(
            pa.BufferReader(f"v\n{quoted}\n".encode()),
            parse_options=pacsv.ParseOptions(delimiter=parse_options.delimiter),
            convert_options=pacsv.ConvertOptions(column_types={"v": arrow_type}, strings_can_be_null=True),
        )
    except pa.ArrowInvalid:
        return False
    return True


def _line_in(chunk: bytes, row_text: str) -> int | None:
    """The 1-based line of the chunk where a row reading `row_text` starts (a quoted line break
    inside a row makes this differ from Arrow's row number)."""
    text = row_text.encode()
    if chunk.startswith(text):
        return 1
    at = chunk.find(b"\n" + text)
    return chunk.count(b"\n", 0, at + 1) + 1 if at >= 0 else None
