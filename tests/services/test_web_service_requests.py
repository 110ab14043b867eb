"""Reading a scoring request: each shape read, each fault answered with a 4xx that says where."""

from __future__ import annotations

import random

import orjson
import pandas as pd
import pytest

from backend.services.web_services.errors import ScoreRequestError
from backend.services.web_services.formats import Shape, read_request
from backend.services.web_services.frames import build_frame
from backend.services.web_services.scoring import score_request
from tests.services.web_service_models import line_model, mixed_model


def read(doc: object, max_rows: int = 100):
    return read_request(orjson.dumps(doc), "application/json", max_rows)


def refusal(body: bytes, content_type: str = "application/json", *, model=None, max_rows: int = 100):
    with pytest.raises(ScoreRequestError) as caught:
        score_request(model or mixed_model(), body, content_type, append=True, max_rows=max_rows)
    return caught.value


# ---- the shapes --------------------------------------------------------------------------------------


def test_dataframe_split_is_read_by_column() -> None:
    raw = read({"dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2.5, None]]}})
    assert raw.shape is Shape.DATAFRAME_SPLIT
    assert (raw.columns, [list(c) for c in raw.cells], raw.n_rows) == (["a", "b"], [[1, 2.5], ["x", None]], 2)


def test_records_take_every_key_and_null_for_a_missing_one() -> None:
    raw = read({"records": [{"a": 1, "b": "x"}, {"b": "y", "c": True}]})
    assert raw.shape is Shape.RECORDS
    assert raw.columns == ["a", "b", "c"]
    assert [list(c) for c in raw.cells] == [[1, None], ["x", "y"], [None, True]]
    full = read({"records": [{"a": 1}, {"a": 2}]})
    assert [list(c) for c in full.cells] == [[1, 2]]


def test_classic_inputs_ignore_global_parameters() -> None:
    raw = read(
        {"Inputs": {"input1": {"ColumnNames": ["a"], "Values": [[1], [2]]}}, "GlobalParameters": {"k": 1}}
    )
    assert (raw.shape, raw.columns, [list(c) for c in raw.cells]) == (Shape.CLASSIC, ["a"], [[1, 2]])


def test_csv_is_typed_as_a_dataset_upload_is() -> None:
    raw = read_request(b"a,b, c \n1,x,true\n2.5,,false\n", "text/csv; charset=utf-8", 100)
    assert raw.shape is Shape.CSV and raw.columns == ["a", "b", "c"] and raw.n_rows == 2
    assert raw.arrow is not None
    assert raw.arrow.column("a").to_pylist() == [1.0, 2.5]
    assert raw.arrow.column("b").to_pylist() == ["x", None]
    assert raw.arrow.column("c").to_pylist() == [True, False]


# ---- malformed bodies: 400, or 415 for a body that is neither JSON nor CSV ------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"records": [', "not valid JSON"),
        (b"[1, 2]", "exactly one of"),
        (b'{"rows": []}', "exactly one of"),
        (b'{"records": [], "dataframe_split": {}}', "exactly one of"),
        (b'{"records": {"a": 1}}', "list of objects"),
        (b'{"records": [1, 2]}', "list of objects"),
        (b'{"dataframe_split": [1]}', "must be an object"),
        (b'{"dataframe_split": {"columns": "a", "data": []}}', "list of column names"),
        (b'{"dataframe_split": {"columns": ["a", 1], "data": []}}', "list of column names"),
        (b'{"dataframe_split": {"columns": ["a", "a"], "data": []}}', "'a' appears more than once"),
        (b'{"dataframe_split": {"columns": ["a"], "data": {}}}', "list of rows"),
        (b'{"dataframe_split": {"columns": ["a"], "data": [[1], [1, 2]]}}', "Row 2 of dataframe_split.data"),
        (b'{"dataframe_split": {"columns": ["a"], "data": [[1], 5]}}', "Row 2 of dataframe_split.data"),
        (b'{"Inputs": {"input2": {}}}', "'input1'"),
        (b'{"Inputs": {"input1": {"ColumnNames": ["a"], "Values": [[]]}}}', "Row 1 of Inputs.input1.Values"),
        (b'{"records": [{"x": NaN}]}', "not valid JSON"),
        (b'{"records": [{"x": "\\ud800"}]}', "not valid JSON"),
    ],
)
def test_malformed_json(body: bytes, says: str) -> None:
    error = refusal(body)
    assert (error.status, error.code) == (400, "malformed")
    assert says in error.message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "empty"),
        (b"x\n1\n2,3\n", "Expected 1 columns, got 2"),
        (b"x,x\n1,2\n", "'x' appears more than once"),
        (b"x\n\xff\xfe\n", "not UTF-8 text"),
    ],
)
def test_malformed_csv(body: bytes, says: str) -> None:
    error = refusal(body, "text/csv", model=line_model())
    assert (error.status, error.code) == (400, "malformed")
    assert says in error.message


def test_other_media_types_are_refused() -> None:
    error = refusal(b"x=1", "application/x-www-form-urlencoded")
    assert (error.status, error.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (orjson.dumps({"records": [{"x": 1}] * 11}), "application/json"),
        (orjson.dumps({"dataframe_split": {"columns": ["x"], "data": [[1]] * 11}}), "application/json"),
        (
            orjson.dumps({"Inputs": {"input1": {"ColumnNames": ["x"], "Values": [[1]] * 11}}}),
            "application/json",
        ),
        (b"x\n" + b"1\n" * 11, "text/csv"),
    ],
)
def test_more_rows_than_allowed_is_413(body: bytes, content_type: str) -> None:
    error = refusal(body, content_type, model=line_model(), max_rows=10)
    assert (error.status, error.code) == (413, "too_many_rows")
    assert "11 rows" in error.message and "at most 10" in error.message
    assert error.to_detail()["limit"] == "STUDIO_SCORE_MAX_ROWS"


def test_ten_rows_of_ten_allowed_are_scored() -> None:
    body = orjson.dumps({"records": [{"x": 1}] * 10})
    assert score_request(line_model(), body, "application/json", append=False, max_rows=10).rows == 10


# ---- the model's columns: missing ones named, wrong types named by row and column ----------------------


def test_missing_columns_are_named() -> None:
    error = refusal(orjson.dumps({"records": [{"x": 1, "flag": True}]}))
    assert (error.status, error.code) == (400, "missing_columns")
    assert error.where == {"columns": ["color", "when"]}
    assert "'color', 'when'" in error.message


ROW = {"x": 1.0, "color": "red", "when": "2024-01-01T00:00:00Z", "flag": True}


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("x", "abc", "expected a number, got 'abc'"),
        ("x", "1.5", "expected a number, got '1.5'"),
        ("flag", 2, "expected true or false (or 1 or 0), got 2"),
        ("flag", "yes", "expected true or false (or 1 or 0), got 'yes'"),
        ("when", "yesterday", "expected an ISO 8601 date-time"),
        ("when", 1700000000, "expected an ISO 8601 date-time"),
        ("color", [1, 2], "a cell must be a number, a string, true/false or null"),
        ("extra", {"a": 1}, "a cell must be a number, a string, true/false or null"),
    ],
)
def test_wrong_type_names_row_and_column(column: str, value: object, says: str) -> None:
    rows = [dict(ROW), dict(ROW), {**ROW, column: value}]
    error = refusal(orjson.dumps({"records": rows}))
    assert (error.status, error.code) == (400, "wrong_type")
    assert error.where == {"row": 3, "column": column}
    assert error.message.startswith(f"Row 3, column {column!r}: ")
    assert says in error.message


def test_booleans_take_zero_and_one_and_numbers_take_booleans() -> None:
    rows = [{**ROW, "flag": 1}, {**ROW, "flag": 0, "x": True}, {**ROW, "flag": None}]
    scored = score_request(
        mixed_model(), orjson.dumps({"records": rows}), "application/json", append=False, max_rows=10
    )
    assignments = [row["Assignments"] for row in orjson.loads(scored.body)["records"]]
    assert assignments[0] is not None and assignments[1] is not None and assignments[2] is None


@pytest.mark.parametrize(
    ("csv", "row", "column", "says"),
    [
        (
            b"x,color,when,flag\n1,red,2024-01-01,true\n2,red,2024-01-01,true\nabc,red,2024-01-01,true\n",
            3,
            "x",
            "'abc'",
        ),
        (b"x,color,when,flag\n1,red,2024-01-01,true\n2,red,2024-01-01,2\n", 2, "flag", "got '2'"),
        (b"x,color,when,flag\n1,red,2024-01-01,true\n2,red,soon,true\n", 2, "when", "'soon'"),
    ],
)
def test_csv_wrong_type_names_row_and_column(csv: bytes, row: int, column: str, says: str) -> None:
    error = refusal(csv, "text/csv")
    assert (error.status, error.code, error.where) == (400, "wrong_type", {"row": row, "column": column})
    assert says in error.message


def test_csv_column_left_empty_leaves_rows_unassigned() -> None:
    scored = score_request(line_model(), b"x,y\n,1\n,2\n", "text/csv", append=False, max_rows=10)
    assert scored.body.decode().splitlines()[1:] == [",,", ",,"]


def test_frame_types_follow_the_model() -> None:
    raw = read({"records": [{**ROW, "extra": 1}, {**ROW, "x": None, "extra": 2}]})
    frame = build_frame(raw, mixed_model().features)
    assert str(frame["x"].dtype) == "float64"
    assert str(frame["when"].dtype).startswith("datetime64")
    assert str(frame["flag"].dtype) == "bool"
    assert str(frame["extra"].dtype) == "int64"
    assert frame["color"].tolist() == ["red", "red"]
    assert pd.isna(frame["x"].iloc[1])


def test_integers_beyond_64_bits_are_numbers_still() -> None:
    rows = [{**ROW, "x": 2**64 - 1, "extra": 2**63}]
    scored = score_request(
        mixed_model(), orjson.dumps({"records": rows}), "application/json", append=True, max_rows=5
    )
    (answer,) = orjson.loads(scored.body)["records"]
    assert answer["x"] == float(2**64 - 1) and answer["extra"] == float(2**63)


def test_records_of_nothing_lack_the_models_columns() -> None:
    assert refusal(b'{"records": [{}, {}]}').code == "missing_columns"


def test_records_whose_keys_all_differ_are_413() -> None:
    records = [{f"c{i}_{j}": 1 for j in range(3)} for i in range(1400)]  # 1,400 rows × 4,200 columns
    error = refusal(orjson.dumps({"records": records}), max_rows=10_000)
    assert (error.status, error.code) == (413, "too_many_cells")


CELLS = [None, True, 0, 1, -1, 2**53, 2**63, 2**64 - 1, 1.5, 1e308, "", "x", "1.5", "2024-01-01",
         "2024-01-01T00:00:00+05:00", "0001-01-01", "\x00", "é", [], {"a": 1}]  # fmt: skip
NAMES = ["x", "color", "when", "flag", "lab", "Assignments", ""]


def _body(shape: str, names: list[str], rows: list[list[object]]) -> tuple[bytes, str]:
    if shape == "csv":
        lines = [",".join(names)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
        return "\n".join(lines).encode(), "text/csv"
    if shape == "records":
        return orjson.dumps(
            {"records": [dict(zip(names, row, strict=True)) for row in rows]}
        ), "application/json"
    return orjson.dumps({"dataframe_split": {"columns": names, "data": rows}}), "application/json"


@pytest.mark.parametrize("seed", range(4))
def test_whatever_the_cells_the_answer_is_a_score_or_a_4xx(seed: int) -> None:
    """Random tables of awkward cells: each is scored or refused with a ScoreRequestError, never a crash."""
    rng = random.Random(seed)
    model = mixed_model()
    for _ in range(100):
        names = rng.sample(NAMES, rng.randint(0, len(NAMES)))
        rows = [[rng.choice(CELLS) for _ in names] for _ in range(rng.randint(0, 3))]
        body, content_type = _body(rng.choice(["csv", "records", "split"]), names, rows)
        try:
            score_request(model, body, content_type, append=rng.random() < 0.5, max_rows=10)
        except ScoreRequestError as exc:
            assert 400 <= exc.status < 500
