"""Reading a scoring request: the shapes it may come in, as named columns of raw cells.

Three JSON shapes and CSV (docs/api.md shows each with its answer):

- ``{"dataframe_split": {"columns": [...], "data": [[...], ...]}}`` (MLflow's split orientation);
- ``{"records": [{"column": value, ...}, ...]}`` (a missing key is a null cell);
- ``{"Inputs": {"input1": {"ColumnNames": [...], "Values": [[...], ...]}}}`` (the classic studio's
  request; ``GlobalParameters`` and other inputs are ignored);
- a ``text/csv`` body with a header line, read by Arrow's CSV reader exactly as a dataset upload is.

Everything here works on whole columns with C-level loops (``zip``, ``map``, ``set``), so a 10,000-row
request costs a few milliseconds. Nothing is typed yet: :mod:`.frames` checks the cells against the
model's columns.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv

from backend.services.table_import.common import InvalidDataset, tidy_names
from backend.services.web_services.errors import ScoreRequestError, malformed, too_many_cells, too_many_rows

__all__ = ["CSV_MEDIA_TYPES", "RawTable", "Shape", "read_request"]

CSV_MEDIA_TYPES = ("text/csv", "application/csv")
#: Cells (rows × columns) a request may make: records whose keys all differ would otherwise make a
#: table of rows × every key, far more than the body holds.
MAX_CELLS = 5_000_000


class Shape(StrEnum):
    """The shape a request came in; the answer comes back in the same one."""

    DATAFRAME_SPLIT = "dataframe_split"
    RECORDS = "records"
    CLASSIC = "classic"
    CSV = "csv"


#: The top-level key of each JSON shape.
_JSON_KEYS = {"dataframe_split": Shape.DATAFRAME_SPLIT, "records": Shape.RECORDS, "Inputs": Shape.CLASSIC}


@dataclass
class RawTable:
    """A request's table before typing: column names and, per column, its cells in row order.

    CSV comes typed by Arrow already (``arrow``; ``cells`` is then empty).
    """

    shape: Shape
    columns: list[str]
    cells: list[Sequence[Any]]
    n_rows: int
    arrow: pa.Table | None = None


def read_request(body: bytes, content_type: str, max_rows: int) -> RawTable:
    """The table in a request body; :class:`ScoreRequestError` (400, 413, 415) when there is none."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in CSV_MEDIA_TYPES:
        return _read_csv(body, max_rows)
    if media not in ("", "application/json") and not media.endswith("+json"):
        raise ScoreRequestError(
            415,
            "unsupported_media_type",
            f"A scoring request is JSON (application/json) or CSV (text/csv), not {media!r}.",
        )
    return _read_json(body, max_rows)


# ---- JSON ------------------------------------------------------------------------------------------


def _read_json(body: bytes, max_rows: int) -> RawTable:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise malformed(f"The body is not valid JSON: {exc}.") from None
    keys = [key for key in _JSON_KEYS if isinstance(doc, dict) and key in doc]
    if len(keys) != 1:
        raise malformed(
            "The body must be a JSON object with exactly one of 'dataframe_split', 'records' or "
            "'Inputs' (or a text/csv body); see the service's documentation."
        )
    shape = _JSON_KEYS[keys[0]]
    part = doc[keys[0]]
    if shape is Shape.RECORDS:
        return _from_records(part, max_rows)
    if shape is Shape.CLASSIC:
        table = part.get("input1") if isinstance(part, dict) else None
        if not isinstance(table, dict):
            raise malformed("'Inputs' must hold 'input1': {'ColumnNames': [...], 'Values': [[...]]}.")
        return _from_rows(shape, table.get("ColumnNames"), table.get("Values"), "Inputs.input1", max_rows)
    if not isinstance(part, dict):
        raise malformed("'dataframe_split' must be an object: {'columns': [...], 'data': [[...]]}.")
    return _from_rows(shape, part.get("columns"), part.get("data"), "dataframe_split", max_rows)


def _column_names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or set(map(type, value)) - {str}:
        raise malformed(f"{where} must be a list of column names (strings).")
    if len(set(value)) != len(value):
        raise malformed(f"The column name {_repeated(value)!r} appears more than once in {where}.")
    return value


def _repeated(names: list[str]) -> str:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    raise ValueError("no name is repeated")


def _check_row_count(n_rows: int, max_rows: int) -> None:
    if n_rows > max_rows:
        raise too_many_rows(n_rows, max_rows)


def _from_rows(shape: Shape, names: Any, rows: Any, where: str, max_rows: int) -> RawTable:
    """Row-major values (``dataframe_split``, classic ``Values``) as columns."""
    names_key, rows_key = ("ColumnNames", "Values") if shape is Shape.CLASSIC else ("columns", "data")
    columns = _column_names(names, f"{where}.{names_key}")
    if not isinstance(rows, list):
        raise malformed(f"{where}.{rows_key} must be a list of rows, each a list of values.")
    _check_row_count(len(rows), max_rows)
    width = len(columns)
    if set(map(type, rows)) - {list} or set(map(len, rows)) - {width}:
        row = next(i for i, r in enumerate(rows) if not isinstance(r, list) or len(r) != width)
        raise malformed(
            f"Row {row + 1} of {where}.{rows_key} is not a list of {width} values, one per column "
            f"of {where}.{names_key}."
        )
    cells: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return RawTable(shape, columns, cells, len(rows))


def _from_records(records: Any, max_rows: int) -> RawTable:
    """One object per row; the columns are every key seen, in order of first appearance."""
    if not isinstance(records, list) or set(map(type, records)) - {dict}:
        raise malformed("'records' must be a list of objects, one per row: [{'column': value, ...}].")
    _check_row_count(len(records), max_rows)
    columns = list(dict.fromkeys(chain.from_iterable(records)))
    if len(columns) * len(records) > MAX_CELLS:
        raise too_many_cells(len(records), len(columns))
    if not records or not columns or set(map(len, records)) == {len(columns)}:  # every row, every column
        cells = _columns_of_full_records(records, columns)
    else:
        cells = [[record.get(name) for record in records] for name in columns]
    return RawTable(Shape.RECORDS, columns, cells, len(records))


def _columns_of_full_records(records: list[dict[str, Any]], columns: list[str]) -> list[Sequence[Any]]:
    if not records or not columns:
        return [() for _ in columns]
    if len(columns) == 1:
        return [list(map(operator.itemgetter(columns[0]), records))]
    return list(zip(*map(operator.itemgetter(*columns), records), strict=True))


# ---- CSV -------------------------------------------------------------------------------------------


def _read_csv(body: bytes, max_rows: int) -> RawTable:
    """Arrow's reader with the dataset import's options: the same text gives the same typed table."""
    if not body.strip():
        raise malformed("The CSV body is empty: send a header line and one line per row.")
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            parse_options=pacsv.ParseOptions(delimiter=","),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
        )
        names = tidy_names([str(name) for name in table.column_names])
    except (pa.ArrowInvalid, InvalidDataset) as exc:
        raise malformed(f"The CSV body could not be read: {exc}") from None
    if any(pa.types.is_binary(field.type) for field in table.schema):
        raise malformed("The CSV body is not UTF-8 text.")
    _check_row_count(table.num_rows, max_rows)
    return RawTable(Shape.CSV, names, [], table.num_rows, table.rename_columns(names))
