"""The fast CSV path and its fallbacks store the same table.

The default chunk size parses a file of a few megabytes as one chunk, in parallel blocks (Arrow's
multi-threaded reader), while the next chunk is read and the previous one written; small chunks make
every file span many chunks, with type changes between them (second pass) and quoted line breaks across
block borders (one-block re-parse). All of them must give what one single-block Arrow read gives.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from backend.services.table_import import InvalidDataset, TableLimits, import_table, text_chunks
from backend.services.table_import.common import GroupedWriter, prefetched
from backend.services.table_import.encoding import check_utf8
from modules.storage import rows_per_group

GENEROUS = TableLimits(max_rows=10**9, max_cells=10**10)
CHUNK_SIZES = {"fast path": 8 << 20, "many chunks": 256 << 10, "tiny chunks": 16 << 10}


def single_block_read(path: Path, delimiter: str) -> pa.Table:
    """Arrow's read of the whole file as one block: every column typed from all its values."""
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=path.stat().st_size + 1),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    for i, column in enumerate(table.columns):
        if pa.types.is_null(column.type):
            table = table.set_column(i, table.field(i).name, column.cast(pa.string()))
    return table


def tricky_rows(n: int, delimiter: str, line_breaks: bool) -> list[str]:
    """Rows with quoted text (a line break in it if `line_breaks`) every 7th row, empty values, and
    types that change after 90 % of the rows."""
    late = int(n * 0.9)
    rows = []
    for i in range(n):
        inside = "\n" if line_breaks else " "
        note = f'"note {i}{inside}second line{delimiter} ""quoted"""' if i % 7 == 0 else f"note {i}"
        count = str(i) if i < late else f"{i}.5"  # int, then decimals
        flag = ("true" if i % 2 else "false") if i < late else "maybe"  # bool, then text
        code = f"{i % 1000:03d}" if i < late else f"C{i}"  # leading zeros kept as text
        empty = "" if i < late else str(i)  # empty, then ints
        value = "" if i % 11 == 0 else f"{i / 3:.6f}"  # missing decimals
        rows.append(delimiter.join([count, note, flag, code, empty, value]))
    return rows


CASES = {
    "comma, LF": (",", "\n", b"", "data.csv", False),
    "comma, quoted line breaks": (",", "\n", b"", "data.csv", True),
    "comma, CRLF, UTF-8 BOM, quoted line breaks": (",", "\r\n", codecs.BOM_UTF8, "data.csv", True),
    "semicolons": (";", "\n", b"", "data.csv", False),
    "TSV, quoted line breaks": ("\t", "\n", b"", "data.tsv", True),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_every_path_stores_what_one_whole_file_read_gives(tmp_path: Path, case: str) -> None:
    delimiter, newline, bom, filename, line_breaks = CASES[case]
    header = delimiter.join(["count", "note", "flag", "code", "empty", "value"])
    text = newline.join([header, *tricky_rows(80_000, delimiter, line_breaks)]) + newline
    source = tmp_path / "upload.upload"
    source.write_bytes(bom + text.encode())
    assert source.stat().st_size > 2 << 20  # several parallel blocks on the fast path
    expected = single_block_read(source, delimiter)
    types = [pa.float64(), pa.string(), pa.string(), pa.string(), pa.int64(), pa.float64()]
    assert expected.schema.types == types
    for label, chunk_bytes in CHUNK_SIZES.items():
        out = tmp_path / f"{label}.parquet"
        result = import_table(source, filename, out, GENEROUS, chunk_bytes=chunk_bytes)
        stored = pq.read_table(out)
        assert result.n_rows == stored.num_rows == expected.num_rows, label
        assert stored.schema.types == expected.schema.types, label
        assert stored.equals(expected), label


def test_stable_types_are_written_in_one_pass_in_full_row_groups(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i * 0.25},name {i % 17},\n" for i in range(100_000))
    source = tmp_path / "upload.upload"
    source.write_bytes(("a,b,c,d\n" + rows).encode())
    out = tmp_path / "out.parquet"
    result = import_table(source, "x.csv", out, GENEROUS, chunk_bytes=64 << 10)
    stored = pq.ParquetFile(out)
    group = rows_per_group(4)
    sizes = [stored.metadata.row_group(i).num_rows for i in range(stored.metadata.num_row_groups)]
    assert sizes == [group] * (100_000 // group) + [100_000 % group]
    assert result.schema.types == [pa.int64(), pa.float64(), pa.string(), pa.string()]
    assert stored.read().equals(single_block_read(source, ","))


def test_long_text_is_written_before_a_group_is_full(tmp_path: Path) -> None:
    # Rows of 10 kB text: a group's 500k rows would be gigabytes, so at most `max_bytes` is kept.
    pieces = [
        pa.table({"id": range(i * 100, i * 100 + 100), "text": ["t" * 10_000] * 100}) for i in range(20)
    ]
    out = tmp_path / "long-text.parquet"
    writer = GroupedWriter(out, pieces[0].schema, max_bytes=3 << 20)
    for piece in pieces:
        writer.write(piece)
    writer.close()
    stored = pq.ParquetFile(out)
    sizes = [stored.metadata.row_group(i).num_rows for i in range(stored.metadata.num_row_groups)]
    assert sizes == [400] * 5
    assert stored.read().equals(pa.concat_tables(pieces))


def test_text_chunks_are_independent_copies_cut_at_rows(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    long_row = "x," + "y" * 5000 + "\n"  # longer than a chunk: the buffer grows for it
    content = ("a,b\n" + "1,2\n" * 300 + long_row + "3,4\n" * 300).encode()
    path.write_bytes(content)
    chunks = list(text_chunks(path, 1000))
    assert b"".join(chunk for chunk, _ in chunks) == content
    assert all(chunk.endswith(b"\n") for chunk, _ in chunks)
    assert [offset for _, offset in chunks] == [
        sum(len(c) for c, _ in chunks[:i]) for i in range(len(chunks))
    ]
    assert any(long_row.encode() in chunk for chunk, _ in chunks)  # in one piece


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_the_utf8_check_decodes_only_what_is_not_ascii_and_says_where(tmp_path: Path) -> None:
    ascii_block = b"a,b\n" + b"1,2\n" * 1000
    accented = "Köln,東京\n".encode()
    # Valid: a multi-byte character cut by the border of two pieces, in every position.
    for shift in range(4):
        check_utf8(write(tmp_path / "ok.csv", b"x" * shift + accented * 50 + ascii_block), piece_bytes=7)
    # A piece of plain ASCII after one ending in the middle of a character is no continuation.
    cut = b"a\n" + "ö".encode()[:1] + b"\n" + b"1\n" * 100
    with pytest.raises(InvalidDataset, match=r"invalid byte 0xc3 at byte 2 \(line 2\)"):
        check_utf8(write(tmp_path / "cut.csv", cut), piece_bytes=3)
    bad = ascii_block + accented + b"3,\xff\n"
    line = bad.count(b"\n")
    with pytest.raises(InvalidDataset, match=rf"invalid byte 0xff at byte {len(bad) - 2} \(line {line}\)"):
        check_utf8(write(tmp_path / "bad.csv", bad), piece_bytes=64)
    with pytest.raises(InvalidDataset, match="ends in the middle of a character"):
        check_utf8(write(tmp_path / "end.csv", ascii_block + "東".encode()[:2]), piece_bytes=64)


def test_prefetched_keeps_order_raises_in_place_and_closes_what_it_reads() -> None:
    produced_in: set[str] = set()
    closed = threading.Event()

    def numbers(fail_at: int | None) -> Iterator[int]:
        try:
            for i in range(10):
                produced_in.add(threading.current_thread().name)
                if i == fail_at:
                    raise ValueError(f"bad item {i}")
                yield i
        finally:
            closed.set()

    assert list(prefetched(numbers(None))) == list(range(10))
    assert threading.current_thread().name not in produced_in
    received = []
    with pytest.raises(ValueError, match="bad item 4"):
        for item in prefetched(numbers(4)):
            received.append(item)
    assert received == [0, 1, 2, 3]
    closed.clear()
    for item in prefetched(numbers(None)):
        if item == 2:
            break
    assert closed.is_set()


def test_text_that_is_not_utf8_says_so_before_any_other_fault(tmp_path: Path) -> None:
    # Chunks are checked as they are read; a fault found earlier gives way to the encoding's.
    rows = [f"{i},{i}" for i in range(20_000)]
    latin1 = "José".encode("latin-1")
    bad_row_first = ("a,b\n1,2,3\n" + "\n".join(rows) + "\n").encode() + latin1 + b",1\n"
    over_the_limit = ("a,b\n" + "\n".join(rows) + "\n").encode() + latin1 + b",1\n"
    header_twice = ("a,a\n" + "\n".join(rows) + "\n").encode() + latin1 + b",1\n"
    cases = {"bad row": (bad_row_first, GENEROUS), "duplicate name": (header_twice, GENEROUS)}
    cases["over the limit"] = (over_the_limit, TableLimits(max_rows=1000, max_cells=10**9))
    for label, (content, limits) in cases.items():
        source = write(tmp_path / "upload.upload", content)
        line = content.count(b"\n")
        message = rf"not UTF-8 text: invalid byte 0xe9 at byte {len(content) - 4} \(line {line}\)"
        with pytest.raises(InvalidDataset, match=message):
            import_table(source, "x.csv", tmp_path / "out.parquet", limits, chunk_bytes=16 << 10)
        assert not (tmp_path / "out.parquet").exists(), label
    in_the_first_chunk = b"a,b\n" + latin1 + b",1\n" + b"2,3\n" * 20_000
    source = write(tmp_path / "upload.upload", in_the_first_chunk)
    with pytest.raises(InvalidDataset, match=r"invalid byte 0xe9 at byte 7 \(line 2\)"):
        import_table(source, "x.csv", tmp_path / "out.parquet", GENEROUS, chunk_bytes=16 << 10)
