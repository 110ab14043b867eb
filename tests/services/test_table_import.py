"""Importing uploads chunk by chunk: the result equals Arrow's whole-file read, limits stop it early.

Small `chunk_bytes` make every file here span many chunks, so type changes, quoted line breaks and
malformed rows fall after the first chunk, where a streaming reader would otherwise go wrong.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import modules.samples
from backend.core.config import Settings
from backend.services.table_import import (
    MAX_TYPE_RETRIES,
    NO_ROWS,
    DatasetTooLarge,
    InvalidDataset,
    TableLimits,
    import_table,
    text_chunks,
)
from modules.column_types import arrow_column_type, table_schema
from modules.samples import SAMPLES, sample_columns

GENEROUS = TableLimits(max_rows=10**9, max_cells=10**10)
SMALL_CHUNK = 4096


def whole_file_read(path: Path, delimiter: str = ",") -> pa.Table:
    """What the studio stored before streaming: Arrow's one-shot read, all-empty columns as text."""
    table = pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    for i, column in enumerate(table.columns):
        if pa.types.is_null(column.type):
            table = table.set_column(i, table.field(i).name, column.cast(pa.string()))
    stored = path.with_suffix(".reference.parquet")
    pq.write_table(table, stored)
    return pq.read_table(stored)


def imported(tmp_path: Path, content: bytes, filename: str = "data.csv", **kwargs) -> tuple[pa.Table, Path]:
    source = tmp_path / "upload.upload"
    source.write_bytes(content)
    out = tmp_path / "out.parquet"
    result = import_table(source, filename, out, kwargs.pop("limits", GENEROUS), **kwargs)
    table = pq.read_table(out)
    assert result.n_rows == table.num_rows and result.schema.names == table.schema.names
    return table, source


def csv_bytes(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return (newline.join(lines) + newline).encode()


def late_change(first: list[str], later: list[str], n: int = 3000) -> list[str]:
    """A column whose first `n` values cycle through `first` and the rest through `later`."""
    return [first[i % len(first)] for i in range(n)] + [later[i % len(later)] for i in range(n // 10)]


COLUMN_CASES = {
    "ints then text keeps leading zeros": (["007", "12", "3"], ["A1", "B2"]),
    "ints then decimals": (["1", "2", "30"], ["2.5", "1e3"]),
    "zeros and ones then true": (["1", "0"], ["true", "false"]),
    "ints then true": (["5", "0"], ["true"]),
    "empty then ints": ([""], ["4", "5"]),
    "dates then times of day": (["2024-01-02", "2023-12-31"], ["2024-01-02 10:00:00"]),
    "naive then zoned timestamps": (["2024-01-02 10:00:00"], ["2024-01-02T10:00:00Z"]),
    "seconds then nanoseconds": (["2024-01-02 10:00:00"], ["2024-01-02 10:00:00.123456789"]),
    "booleans then text": (["true", "false"], ["maybe"]),
    "always empty": ([""], ["", "NA"]),
    "decimals then text": (["1.5", "-2"], ["n/a?"]),
}


@pytest.mark.parametrize("case", list(COLUMN_CASES), ids=list(COLUMN_CASES))
def test_a_late_type_change_gives_the_whole_file_type_and_values(tmp_path: Path, case: str) -> None:
    first, later = COLUMN_CASES[case]
    values = late_change(first, later)
    content = csv_bytes(["id", "x"], [[str(i), v] for i, v in enumerate(values)])
    table, source = imported(tmp_path, content, chunk_bytes=SMALL_CHUNK)
    expected = whole_file_read(source)
    assert table.schema.types == expected.schema.types, case
    assert table.equals(expected), case


def test_many_columns_changing_type_at_once_match_the_whole_file_read(tmp_path: Path) -> None:
    rng = random.Random(7)
    kinds = list(COLUMN_CASES.values())
    columns = [late_change(*kind, n=2000 + rng.randrange(500)) for kind in kinds + kinds]
    rows = [[column[r] for column in columns] for r in range(min(len(c) for c in columns))]
    header = [f"c{i}" for i in range(len(columns))]
    table, source = imported(tmp_path, csv_bytes(header, rows), chunk_bytes=2048)
    assert table.equals(whole_file_read(source))


def test_after_the_retries_unsettled_columns_become_text(tmp_path: Path) -> None:
    # Each column needs two re-parses (bool → float → text), more than the retries allow in total:
    # the columns still unsettled then become text, which is also what a whole-file read gives here.
    n_columns = MAX_TYPE_RETRIES
    values = late_change(["1", "0"], ["true", "2.5"])
    rows = [[v] * n_columns for v in values]
    table, source = imported(tmp_path, csv_bytes([f"c{i}" for i in range(n_columns)], rows), chunk_bytes=2048)
    assert table.equals(whole_file_read(source))
    assert set(table.schema.types) == {pa.string()}


def test_quoted_line_breaks_and_crlf_across_chunks(tmp_path: Path) -> None:
    rows = [[str(i), f'"line one\nline ""two"" {i}"', f"{i / 4}"] for i in range(2000)]
    content = csv_bytes(["id", "note", "value"], rows, newline="\r\n")
    table, source = imported(tmp_path, content, chunk_bytes=1000)
    assert table.equals(whole_file_read(source))
    assert table.column("note")[5].as_py() == 'line one\nline "two" 5'


def test_chunks_end_at_row_boundaries_outside_quotes(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'a,b\n1,"x\ny"\n2,"p\n\nq"\n3,z\n')
    chunks = [chunk for chunk, _ in text_chunks(path, 3)]
    assert b"".join(chunks) == path.read_bytes()
    assert chunks == [b"a,b\n", b'1,"x\ny"\n', b'2,"p\n\nq"\n', b"3,z\n"]


def test_tsv_and_semicolons_over_many_chunks(tmp_path: Path) -> None:
    rows = "".join(f"{i}\t{i * 0.5}\tname {i}\n" for i in range(3000))
    table, source = imported(tmp_path, ("a\tb\tc\n" + rows).encode(), "x.tsv", chunk_bytes=SMALL_CHUNK)
    assert table.equals(whole_file_read(source, "\t"))
    rows = "".join(f"{i};{i},5\n" for i in range(3000))
    table, source = imported(tmp_path, ("a;b\n" + rows).encode(), chunk_bytes=SMALL_CHUNK)
    assert table.equals(whole_file_read(source, ";"))


def test_a_malformed_row_far_into_the_file_names_its_line(tmp_path: Path) -> None:
    lines = ["a,b,c"] + [f"{i},{i},{i}" for i in range(1, 5000)]
    lines[4321] = "oops,1"
    with pytest.raises(InvalidDataset, match=r"line 4322: expected 3 fields .* found 2: 'oops,1'"):
        imported(tmp_path, ("\n".join(lines) + "\n").encode(), chunk_bytes=SMALL_CHUNK)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_equals_its_utf8_text(tmp_path: Path, encoding: str) -> None:
    text = "city,temp\n" + "".join(f"Köln {i},{i / 3:.3f}\n" for i in range(2000)) + "東京,-1.5\n"
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    from_utf16, _ = imported(tmp_path, bom + text.encode(encoding), chunk_bytes=SMALL_CHUNK)
    from_utf8, _ = imported(tmp_path, text.encode(), chunk_bytes=SMALL_CHUNK)
    assert from_utf16.equals(from_utf8)
    assert from_utf16.column("city")[-1].as_py() == "東京" and from_utf16.column("temp")[-1].as_py() == -1.5
    assert not list(tmp_path.glob("*.utf8")), "the transcoded copy is removed"


def test_invalid_utf16_is_refused_with_where(tmp_path: Path) -> None:
    content = codecs.BOM_UTF16_LE + "a,b\n1,2\n".encode("utf-16-le") + b"\x00\xdc" + "\n".encode("utf-16-le")
    with pytest.raises(InvalidDataset, match=r"not valid UTF-16 text \(near byte \d+\)"):
        imported(tmp_path, content)
    assert not list(tmp_path.glob("*.utf8"))


def test_utf16_without_a_byte_order_mark_says_so(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataset, match="UTF-16 text without a byte-order mark"):
        imported(tmp_path, "a,b\n1,2\n".encode("utf-16-le"))


def test_rows_over_the_limit_stop_the_read_at_once(tmp_path: Path) -> None:
    # The malformed last row is never reached: the limit is passed chunks before it.
    lines = ["a,b"] + [f"{i},{i}" for i in range(20_000)] + ["broken"]
    content = ("\n".join(lines) + "\n").encode()
    few_rows, few_cells = TableLimits(max_rows=1000, max_cells=10**9), TableLimits(10**9, max_cells=5000)
    with pytest.raises(DatasetTooLarge, match=r"more than 1,000 rows.*STUDIO_MAX_ROWS"):
        imported(tmp_path, content, limits=few_rows, chunk_bytes=SMALL_CHUNK)
    with pytest.raises(DatasetTooLarge, match=r"more than 5,000 cells.*STUDIO_MAX_CELLS"):
        imported(tmp_path, content, limits=few_cells, chunk_bytes=SMALL_CHUNK)
    assert not (tmp_path / "out.parquet").exists()
    with pytest.raises(InvalidDataset, match="line 20002"):
        imported(tmp_path, content, chunk_bytes=SMALL_CHUNK)


def test_a_table_at_the_limits_is_accepted(tmp_path: Path) -> None:
    content = csv_bytes(["a", "b"], [[str(i), str(i)] for i in range(1000)])
    table, _ = imported(tmp_path, content, limits=TableLimits(max_rows=1000, max_cells=2000))
    assert table.num_rows == 1000


def write_parquet_claiming(path: Path, n_rows: int, row_groups: int = 10) -> None:
    """A tiny Parquet file whose footer says it holds `n_rows` rows of one constant column."""
    per_group = n_rows // row_groups
    group = pa.table({"x": pa.array([0] * per_group, pa.int8())})
    with pq.ParquetWriter(path, group.schema, compression="zstd") as writer:
        for _ in range(row_groups):
            writer.write_table(group)


def corrupt_the_data_pages(path: Path) -> None:
    """Overwrite everything between the leading magic and the footer: metadata stays readable."""
    data = bytearray(path.read_bytes())
    footer_length = int.from_bytes(data[-8:-4], "little")
    end_of_pages = len(data) - 8 - footer_length
    data[4:end_of_pages] = b"\xff" * (end_of_pages - 4)
    path.write_bytes(bytes(data))


def test_a_parquet_bomb_is_refused_from_its_footer_before_any_data_is_read(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.parquet"
    write_parquet_claiming(bomb, 100_000_000, row_groups=100)
    assert bomb.stat().st_size < 2 << 20
    corrupt_the_data_pages(bomb)  # reading any page would fail with a different message
    out = tmp_path / "out.parquet"
    limits = TableLimits(max_rows=25_000_000, max_cells=250_000_000)
    refusal = r"100,000,000 rows; .* at most 25,000,000 \(setting STUDIO_MAX_ROWS\)"
    with pytest.raises(DatasetTooLarge, match=refusal):
        import_table(bomb, "bomb.parquet", out, limits)
    with pytest.raises(DatasetTooLarge, match=r"100,000,000 cells .*STUDIO_MAX_CELLS"):
        import_table(bomb, "bomb.parquet", out, TableLimits(max_rows=10**9, max_cells=10_000_000))
    assert not out.exists()


def test_nested_values_count_as_cells(tmp_path: Path) -> None:
    source = tmp_path / "lists.parquet"
    pq.write_table(pa.table({"x": pa.array([list(range(1000))] * 50)}), source)
    with pytest.raises(DatasetTooLarge, match="50,000 cells"):
        import_table(source, "lists.parquet", tmp_path / "out.parquet", TableLimits(10**6, 10_000))


def test_zero_row_parquet_and_header_only_csv_are_refused_alike(tmp_path: Path) -> None:
    empty = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"x": pa.array([], pa.float64()), "y": pa.array([], pa.string())}), empty)
    with pytest.raises(InvalidDataset) as from_parquet:
        import_table(empty, "empty.parquet", tmp_path / "out.parquet", GENEROUS)
    with pytest.raises(InvalidDataset) as from_csv:
        imported(tmp_path, b"x,y\n")
    assert from_parquet.value.message == from_csv.value.message == NO_ROWS


def test_parquet_is_copied_batch_by_batch_with_its_types(tmp_path: Path) -> None:
    n = 50_000
    source_table = pa.table(
        {
            "f": pa.array([i / 7 for i in range(n)]),
            "s": pa.array([f"v{i % 13}" for i in range(n)]).dictionary_encode(),
            "t": pa.array([i * 10**9 for i in range(n)], pa.timestamp("ns", tz="Europe/Paris")),
            "empty": pa.nulls(n),
            " ": pa.array([i % 2 == 0 for i in range(n)]),
        }
    )
    source = tmp_path / "typed.parquet"
    pq.write_table(source_table, source, row_group_size=7_000)
    out = tmp_path / "out.parquet"
    result = import_table(source, "typed.parquet", out, GENEROUS)
    stored = pq.read_table(out)
    assert result.n_rows == n and stored.column_names == ["f", "s", "t", "empty", "Column 5"]
    assert stored.schema.field("empty").type == pa.string() and stored.column("empty").null_count == n
    for name, original in zip(["f", "s", "t", "Column 5"], ["f", "s", "t", " "], strict=True):
        assert stored.column(name).to_pylist() == source_table.column(original).to_pylist()
    assert pq.ParquetFile(out).metadata.num_row_groups > 1


def test_parquet_errors_never_show_a_server_path(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"x": list(range(1000))}), good)
    data = good.read_bytes()
    broken = {
        "garbage": b"PAR1" + b"\x00garbage" * 10,
        "truncated": data[: len(data) // 2] + data[-8:],
        "bad footer": data[:-12] + b"\xff\xff\xff\xff" + data[-8:],
    }
    for label, content in broken.items():
        source = tmp_path / "secret-dir" / "abc.upload"
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(content)
        with pytest.raises(InvalidDataset) as refused:
            import_table(source, "x.parquet", tmp_path / "out.parquet", GENEROUS)
        message = refused.value.message
        assert message.startswith("The Parquet file could not be"), (label, message)
        assert str(tmp_path) not in message and "secret-dir" not in message and ".upload" not in message


def test_chunks_parsed_in_parallel_blocks_fall_back_to_one_block_when_needed(tmp_path: Path) -> None:
    # Default chunk size: a chunk of several megabytes is parsed in parallel blocks, whose borders
    # ignore quotes; a quoted line break on a border, or a malformed row, makes it parse again whole.
    rows = [f'{i},"first line\nsecond line {i}",{i % 7}' for i in range(150_000)]
    content = ("id,note,k\n" + "\n".join(rows) + "\n").encode()
    assert len(content) > 4 << 20
    table, source = imported(tmp_path, content)
    expected = pacsv.read_csv(source, read_options=pacsv.ReadOptions(use_threads=False, block_size=64 << 20))
    assert table.equals(expected)

    rows[123_456] = "123456,no closing quote here"
    content = ("id,note,k\n" + "\n".join(rows) + "\n").encode()
    malformed = r"line 246914: expected 3 fields .* found 2: '123456,no closing quote here'"
    with pytest.raises(InvalidDataset, match=malformed):
        imported(tmp_path, content)


def test_the_default_limits_take_ten_million_rows_by_twenty_and_refuse_the_bomb() -> None:
    defaults = Settings()
    limits = TableLimits(defaults.max_rows, defaults.max_cells)
    limits.check(10_000_000, 10_000_000 * 20)
    with pytest.raises(DatasetTooLarge):
        limits.check(100_000_000, 100_000_000)


def repeated_long_strings(path: Path, n_rows: int, length: int = 1000) -> list[str]:
    """A small Parquet file of `n_rows` rows, each one of three long strings (dictionary-encoded)."""
    values = [letter * length for letter in "abc"]
    column = pa.DictionaryArray.from_arrays(pa.array([i % 3 for i in range(n_rows)], pa.int32()), values)
    table = pa.table({"id": range(n_rows), "text": column.cast(pa.string())})
    pq.write_table(table, path, compression="zstd")
    return values


def test_text_that_decodes_beyond_the_cell_budget_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    source = tmp_path / "text-bomb.parquet"
    repeated_long_strings(source, 200_000)  # 200 MB of text in a file of a few hundred KB
    assert source.stat().st_size < 1 << 20
    out = tmp_path / "out.parquet"
    with pytest.raises(DatasetTooLarge, match=r"text decodes to more than 8,000,000 bytes.*STUDIO_MAX_CELLS"):
        import_table(source, "text.parquet", out, TableLimits(max_rows=10**9, max_cells=1_000_000))
    assert not out.exists()


def test_long_text_is_copied_in_slices_with_its_values(tmp_path: Path) -> None:
    source = tmp_path / "text.parquet"
    values = repeated_long_strings(source, 100_000)  # 100 MB decoded: more than one slice
    out = tmp_path / "out.parquet"
    result = import_table(source, "text.parquet", out, GENEROUS)
    stored = pq.ParquetFile(out)
    assert result.n_rows == stored.metadata.num_rows == 100_000
    assert stored.schema_arrow.field("text").type == pa.string()
    for batch in stored.iter_batches(batch_size=30_000, columns=["id", "text"]):
        ids, texts = batch.column(0).to_pylist(), batch.column(1).to_pylist()
        assert texts == [values[i % 3] for i in ids]


# ---- one rule for column types -------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s["file"] is not None], ids=lambda s: s["id"])
def test_an_upload_of_a_sample_file_gets_the_samples_column_types(sample: dict, tmp_path: Path) -> None:
    """Samples are typed in memory (pandas), uploads from their Arrow schema: both by modules.column_types."""
    source = Path(modules.samples.__file__).parent / sample["file"]
    imported = import_table(source, sample["file"], tmp_path / "out.parquet", GENEROUS)
    uploaded = [(field.name, arrow_column_type(field.type)) for field in imported.schema]
    assert uploaded == sample_columns(sample["id"])
    stored = pd.read_parquet(tmp_path / "out.parquet")
    assert table_schema(stored) == uploaded  # and the stored table reads back with the same types


def test_the_two_type_rules_agree_on_every_kind_of_column() -> None:
    frame = pd.DataFrame(
        {
            "int": [1, 2],
            "float": [1.5, None],
            "bool": [True, False],
            "when": pd.to_datetime(["2020-01-01", None]),
            "text": ["a", None],
            "category": pd.Categorical(["a", "b"]),
            "span": pd.to_timedelta([1, 2], unit="s"),
        }
    )
    arrow = pa.Table.from_pandas(frame, preserve_index=False).schema
    assert [(f.name, arrow_column_type(f.type)) for f in arrow] == table_schema(frame)
