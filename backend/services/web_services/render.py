"""Writing a scored table back in the shape the request came in.

- ``dataframe_split`` → ``{"dataframe_split": {"columns": [...], "data": [[...], ...]}}``;
- ``records`` → ``{"records": [{"column": value, ...}, ...]}``;
- classic → ``{"Results": {"output1": {"type": "table", "value": {"ColumnNames": [...],
  "ColumnTypes": [...], "Values": [[...], ...]}}}}``. Unlike the classic studio, values are JSON
  numbers, booleans and strings rather than all strings; ``ColumnTypes`` names them the classic way
  (``Int64``, ``Double``, ``Boolean``, ``DateTime``, ``String``);
- CSV → ``text/csv`` with a header line, written by Arrow (shortest round-trip numbers).

A missing value (an unassigned row's assignment and scores, a null input cell) is JSON ``null`` or an
empty CSV field. The table becomes rows of Python values in one pandas call and orjson writes them,
so no code of ours runs per cell on the way out.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pandas.api import types as ptypes

from backend.services.web_services.formats import Shape
from modules.results import result_column_names
from modules.scoring import Scores
from modules.trained_model import TrainedClusterModel

__all__ = ["CSV_MEDIA_TYPE", "JSON_MEDIA_TYPE", "classic_type", "render", "render_scores"]

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def render(result: pd.DataFrame, shape: Shape) -> tuple[bytes, str]:
    """The results table's bytes and media type."""
    if shape is Shape.CSV:
        return _csv(result), CSV_MEDIA_TYPE
    names = [str(name) for name in result.columns]
    rows = result.to_numpy(dtype=object, na_value=None).tolist()
    types = (
        [classic_type(result.iloc[:, i]) for i in range(result.shape[1])] if shape is Shape.CLASSIC else []
    )
    return _json(names, rows, types, shape), JSON_MEDIA_TYPE


def render_scores(
    frame: pd.DataFrame, scores: Scores, trained: TrainedClusterModel, *, append: bool, shape: Shape
) -> tuple[bytes, str]:
    """What :func:`render` writes for ``results_table(frame, scores, …)`` when no label mode changes the
    table (JSON shapes only), written straight from the scores: building the results table costs more
    than a small request takes in all."""
    names = [str(name) for name in frame.columns]
    assignments, score_names = result_column_names(
        names, trained.model.n_score_columns, trained.model.score_column_prefix
    )
    inputs = frame.shape[1] if append else 0
    cells = np.empty((len(frame), inputs + 1 + len(score_names)), dtype=object)
    if append:
        cells[:, :inputs] = frame.to_numpy(dtype=object, na_value=None)
    labels = scores.labels.astype(object)
    labels[~scores.scored] = None  # noise stays -1
    cells[:, inputs] = labels
    cells[:, inputs + 1 :] = scores.scores_t.T  # NaN (unassigned) is written as null
    types = []
    if shape is Shape.CLASSIC:
        types = (
            [classic_type(frame.iloc[:, i]) for i in range(inputs)]
            + ["Int64"]
            + ["Double"] * len(score_names)
        )
    columns = (names if append else []) + [assignments, *score_names]
    return _json(columns, cells.tolist(), types, shape), JSON_MEDIA_TYPE


def _json(names: list[str], rows: list[list[Any]], types: list[str], shape: Shape) -> bytes:
    doc: dict[str, Any]
    if shape is Shape.RECORDS:
        doc = {"records": [dict(zip(names, row, strict=True)) for row in rows]}
    elif shape is Shape.CLASSIC:
        table = {"ColumnNames": names, "ColumnTypes": types, "Values": rows}
        doc = {"Results": {"output1": {"type": "table", "value": table}}}
    else:
        doc = {"dataframe_split": {"columns": names, "data": rows}}
    return orjson.dumps(doc, default=_fallback, option=orjson.OPT_SERIALIZE_NUMPY)


def _fallback(value: Any) -> Any:
    """What orjson does not write itself: pandas timestamps (ISO 8601), NumPy scalars, else text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


_CLASSIC_TYPES = (
    (ptypes.is_bool_dtype, "Boolean"),
    (ptypes.is_integer_dtype, "Int64"),
    (ptypes.is_float_dtype, "Double"),
    (ptypes.is_datetime64_any_dtype, "DateTime"),
)


def classic_type(series: pd.Series) -> str:
    """The classic studio's name for a column's type."""
    return next((name for test, name in _CLASSIC_TYPES if test(series.dtype)), "String")


def _csv(result: pd.DataFrame) -> bytes:
    try:
        table = pa.Table.from_pandas(result, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column of mixed types: pandas writes it as text
        return result.to_csv(index=False).encode()
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer)
    return buffer.getvalue()
