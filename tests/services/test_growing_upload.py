"""Uploads parsed while they arrive: a reader of a growing file, and imports fed piece by piece.

A writer thread appends the file in pieces; after each piece it waits until the reader has caught up
(is waiting for more) or finished, so every import here really reads a file that is still growing.
Each import must store exactly what the import of the whole file stores, fail the same way, and
leave nothing behind when the upload is abandoned.
"""

from __future__ import annotations

import codecs
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backend.services.growing_file import GrowingFile, UploadAborted
from backend.services.table_import import InvalidDataset, TableLimits, import_table
from tests.services.test_csv_import_paths import CASES, CHUNK_SIZES, tricky_rows

GENEROUS = TableLimits(max_rows=10**9, max_cells=10**10)
DEADLINE_S = 60  # only a hung reader comes near it


class Feeder(threading.Thread):
    """Writes `content` to a growing file in `piece` bytes, each once the reader has caught up; then
    says the file is whole, or (with `abort_at`) aborts the upload after that many bytes."""

    def __init__(self, growing: GrowingFile, content: bytes, piece: int, abort_at: int | None = None):
        super().__init__(daemon=True)
        self.growing, self.content, self.piece, self.abort_at = growing, content, piece, abort_at
        self.reader_done = threading.Event()
        self.caught_up = 0  # pieces after which the reader was waiting for more

    def run(self) -> None:
        end = len(self.content) if self.abort_at is None else self.abort_at
        with self.growing.path.open("wb") as out:
            for start in range(0, end, self.piece):
                out.write(self.content[start : min(end, start + self.piece)])
                out.flush()
                self.growing.grew(min(end, start + self.piece))
                self._wait_for_reader()
        if self.abort_at is None:
            self.growing.complete()
        else:
            self.growing.abort()

    def _wait_for_reader(self) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not self.reader_done.is_set() and time.monotonic() < deadline:
            if self.growing.reader_waiting:
                self.caught_up += 1
                return
            time.sleep(0.0005)


def import_growing(
    tmp_path: Path,
    content: bytes,
    filename: str,
    *,
    piece: int = 64 << 10,
    abort_at: int | None = None,
    **kwargs,
) -> tuple[Path, Feeder]:
    """Import `content` while a feeder writes it; the output path and the feeder (joined)."""
    source, out = tmp_path / "growing.upload", tmp_path / "growing.parquet"
    source.touch()
    growing = GrowingFile(source)
    feeder = Feeder(growing, content, piece, abort_at)
    feeder.start()
    try:
        import_table(source, filename, out, kwargs.pop("limits", GENEROUS), growing=growing, **kwargs)
    finally:
        feeder.reader_done.set()
        feeder.join(DEADLINE_S)
    return out, feeder


def import_whole(tmp_path: Path, content: bytes, filename: str, **kwargs) -> Path:
    source, out = tmp_path / "whole.upload", tmp_path / "whole.parquet"
    source.write_bytes(content)
    import_table(source, filename, out, kwargs.pop("limits", GENEROUS), **kwargs)
    return out


def test_a_reader_waits_for_what_has_not_arrived_and_sees_the_end_only_when_whole(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.touch()
    growing = GrowingFile(path)
    content = bytes(range(256)) * 40
    feeder = Feeder(growing, content, piece=1000)
    feeder.start()
    with growing.open() as reader:
        pieces = []
        while piece := reader.read(3000):  # more than a piece: each read waits for the rest
            pieces.append(piece)
    feeder.reader_done.set()
    feeder.join(DEADLINE_S)
    assert b"".join(pieces) == content
    assert [len(p) for p in pieces] == [3000, 3000, 3000, len(content) - 9000]
    assert feeder.caught_up > 0
    assert growing.head(100) == content[:100]
    assert growing.wait_whole() == len(content)


def test_an_aborted_upload_stops_its_readers(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.touch()
    growing = GrowingFile(path)
    feeder = Feeder(growing, b"x" * 10_000, piece=1000, abort_at=5000)
    feeder.start()
    with growing.open() as reader, pytest.raises(UploadAborted):
        while reader.read(4000):
            pass
    feeder.reader_done.set()
    feeder.join(DEADLINE_S)
    with pytest.raises(UploadAborted):
        growing.wait_whole()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_text_parsed_while_it_arrives_is_stored_as_the_whole_file_is(tmp_path: Path, case: str) -> None:
    delimiter, newline, bom, filename, line_breaks = CASES[case]
    header = delimiter.join(["count", "note", "flag", "code", "empty", "value"])
    content = bom + (newline.join([header, *tricky_rows(20_000, delimiter, line_breaks)]) + newline).encode()
    for label, chunk_bytes in CHUNK_SIZES.items():
        expected = pq.read_table(import_whole(tmp_path, content, filename, chunk_bytes=chunk_bytes))
        out, feeder = import_growing(tmp_path, content, filename, chunk_bytes=chunk_bytes, piece=40_000)
        stored = pq.read_table(out)
        assert stored.schema == expected.schema and stored.equals(expected), label
        assert feeder.caught_up > 0, label


def test_parquet_and_utf16_wait_for_the_whole_file(tmp_path: Path) -> None:
    table = pa.table({"a": list(range(50_000)), "b": [f"t{i}" for i in range(50_000)]})
    pq.write_table(table, tmp_path / "source.parquet", row_group_size=10_000)
    parquet = (tmp_path / "source.parquet").read_bytes()
    out, _ = import_growing(tmp_path, parquet, "t.parquet", piece=20_000)
    assert pq.read_table(out).equals(pq.read_table(import_whole(tmp_path, parquet, "t.parquet")))

    text = "a,b\n" + "".join(f"{i},é{i}\n" for i in range(20_000))
    utf16 = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    out, _ = import_growing(tmp_path, utf16, "t.csv", piece=20_000, chunk_bytes=16 << 10)
    assert pq.read_table(out).equals(pq.read_table(import_whole(tmp_path, text.encode(), "t.csv")))


def test_faults_found_while_arriving_are_those_of_the_whole_file(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i}\n" for i in range(20_000)).encode()
    cases = {
        "empty": (b"", "The file is empty"),
        "bad row, then not UTF-8 at the end": (
            b"a,b\n1,2,3\n" + rows + "José".encode("latin-1") + b",1\n",
            r"not UTF-8 text: invalid byte 0xe9",
        ),
        "bad row late": (b"a,b\n" + rows + b"1,2,3\n" + rows, r"Inconsistent row length at line 20002"),
    }
    for label, (content, message) in cases.items():
        with pytest.raises(InvalidDataset, match=message):
            import_whole(tmp_path, content, "x.csv", chunk_bytes=16 << 10)
        with pytest.raises(InvalidDataset, match=message):
            import_growing(tmp_path, content, "x.csv", piece=10_000, chunk_bytes=16 << 10)
        assert not (tmp_path / "growing.parquet").exists(), label

    few_rows = TableLimits(max_rows=1000, max_cells=10**9)
    with pytest.raises(InvalidDataset, match="STUDIO_MAX_ROWS"):
        import_growing(
            tmp_path, b"a,b\n" + rows, "x.csv", piece=10_000, chunk_bytes=16 << 10, limits=few_rows
        )
    assert not (tmp_path / "growing.parquet").exists()


def test_an_upload_abandoned_while_parsed_leaves_no_output(tmp_path: Path) -> None:
    content = b"a,b\n" + "".join(f"{i},{i / 7}\n" for i in range(100_000)).encode()
    for abort_at in (0, 100, len(content) // 2, len(content) - 1):
        with pytest.raises(UploadAborted):
            import_growing(tmp_path, content, "x.csv", piece=30_000, chunk_bytes=64 << 10, abort_at=abort_at)
        assert not (tmp_path / "growing.parquet").exists(), abort_at
