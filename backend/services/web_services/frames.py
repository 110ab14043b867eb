"""Typing a request's table against the model: the DataFrame Assign Data to Clusters would be given.

Each column the model reads is checked against how it was trained (:class:`~modules.features.FeatureColumn`
``kind``) and refused with its row and column when a cell cannot be that:

- ``numeric``: numbers (``true``/``false`` count as 1/0) or null;
- ``boolean``: ``true``/``false``, 0/1 or null;
- ``datetime``: ISO 8601 text (``2024-05-01T12:00:00Z``; no offset means UTC) or null;
- ``onehot`` (a text column): any scalar; a value not seen in training gets all-zero features.

Other columns are carried through (shown again when the service appends its results). A cell is a
number, a string, ``true``/``false`` or null; a list or an object is refused in any column. Columns
are built whole with NumPy, never cell by cell, except to find the row to name in an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from backend.services.web_services.errors import missing_columns, wrong_type
from backend.services.web_services.formats import RawTable
from modules.column_types import column_type
from modules.features import FeatureSpace

__all__ = ["build_frame"]

_NONE = type(None)
_SCALARS = {_NONE, bool, int, float, str}
_NUMBERS = {_NONE, bool, int, float}
_SHOWN_CHARS = 40


def build_frame(raw: RawTable, features: FeatureSpace) -> pd.DataFrame:
    """The request as a typed DataFrame, or the 400 that names what is missing or wrong."""
    present = set(raw.columns)
    missing = [name for name in features.source_columns if name not in present]
    if missing:
        raise missing_columns(missing)
    kinds = {fc.name: fc.kind for fc in features.columns}
    if raw.arrow is not None:
        return _frame_from_arrow(raw.arrow, kinds)
    data = {
        name: _column(cells, kinds.get(name), name)
        for name, cells in zip(raw.columns, raw.cells, strict=True)
    }
    # Column names as plain objects: pandas' default Arrow-backed text index makes every column lookup
    # (a dozen per request while scoring) cost more than the rows of a small request.
    columns = pd.Index(raw.columns, dtype=object)
    index = pd.RangeIndex(raw.n_rows)
    arrays = list(data.values())
    if arrays and all(isinstance(a, np.ndarray) and a.dtype == np.float64 for a in arrays):
        # All numbers: one block, built at once (a frame from a dict sanitises column by column).
        return pd.DataFrame(np.column_stack(arrays), index=index, columns=columns, copy=False)
    return pd.DataFrame(data, index=index, columns=columns, copy=False)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _first(cells: Sequence[Any], bad: Callable[[Any], bool]) -> int:
    """The position of the first cell ``bad`` says yes to (the caller knows there is one)."""
    return next(i for i, value in enumerate(cells) if bad(value))


def _column(cells: Sequence[Any], kind: str | None, name: str) -> Any:
    types = set(map(type, cells))
    if types - _SCALARS:
        row = _first(cells, lambda v: type(v) not in _SCALARS)
        raise wrong_type(
            row, name, f"a cell must be a number, a string, true/false or null, not {_shown(cells[row])}."
        )
    return _CONVERTERS.get(kind, _carried)(cells, types, name)


def _integers(cells: Sequence[Any]) -> np.ndarray | None:
    """int64, or None when a value does not fit (JSON allows any integer)."""
    try:
        return np.array(cells, dtype=np.int64)
    except OverflowError:
        return None


def _numeric(cells: Sequence[Any], types: set[type], name: str) -> Any:
    if types <= {int} and (ints := _integers(cells)) is not None:
        return ints
    if types <= {bool, _NONE}:
        return pd.array(cells, dtype="boolean")
    if types <= _NUMBERS:
        return np.array(cells, dtype=np.float64)
    row = _first(cells, lambda v: type(v) not in _NUMBERS)
    raise wrong_type(row, name, f"expected a number, got {_shown(cells[row])}.")


def _boolean(cells: Sequence[Any], types: set[type], name: str) -> Any:
    if types <= {bool}:
        return np.array(cells, dtype=np.bool_)
    if types <= {bool, _NONE}:
        return pd.array(cells, dtype="boolean")
    if types <= _NUMBERS:
        values = np.array(cells, dtype=np.float64)
        if np.isin(values[~np.isnan(values)], (0.0, 1.0)).all():
            return values
    row = _first(cells, lambda v: v is not None and v not in (0, 1))
    raise wrong_type(row, name, f"expected true or false (or 1 or 0), got {_shown(cells[row])}.")


def _datetime(cells: Sequence[Any], types: set[type], name: str) -> Any:
    if types <= {str, _NONE}:
        text = pd.Series(cells, dtype=object)
        parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        bad = parsed.isna().to_numpy() & text.notna().to_numpy()
        if not bad.any():
            return parsed.array
        row = int(np.flatnonzero(bad)[0])
    else:
        row = _first(cells, lambda v: v is not None and not isinstance(v, str))
    raise wrong_type(
        row, name, f"expected an ISO 8601 date-time such as '2024-05-01T12:00:00Z', got {_shown(cells[row])}."
    )


def _text(cells: Sequence[Any], types: set[type], name: str) -> Any:
    # Plain object arrays: pandas' Arrow-backed strings cost more per operation than a small request
    # takes in all. Numbers are categories too: str(value) is looked up.
    return np.array(cells, dtype=object)


def _carried(cells: Sequence[Any], types: set[type], name: str) -> Any:
    """A column the model does not read: the narrowest type that holds every cell."""
    if types <= {int} and (ints := _integers(cells)) is not None:
        return ints
    if types <= {int, float, _NONE} and types != {_NONE}:
        return np.array(cells, dtype=np.float64)
    if types <= {bool}:
        return np.array(cells, dtype=np.bool_)
    if types <= {bool, _NONE} and types != {_NONE}:
        return pd.array(cells, dtype="boolean")
    return np.array(cells, dtype=object)  # text (see _text), or cells of mixed types


_CONVERTERS: dict[str | None, Callable[[Sequence[Any], set[type], str], Any]] = {
    "numeric": _numeric,
    "boolean": _boolean,
    "datetime": _datetime,
    "onehot": _text,
}


# ---- CSV: typed by Arrow already; only the model's columns whose type is not what they should be ----

#: Column types (modules.column_types) each feature kind takes as it comes.
_ACCEPTED = {
    "numeric": ("numeric", "boolean"),
    "boolean": ("boolean",),
    "datetime": ("datetime",),
    "onehot": ("string", "numeric", "boolean"),
}


#: The type of an all-empty column of each kind (Arrow reads one as nulls of no type).
_EMPTY_DTYPES = {"boolean": "boolean", "datetime": "datetime64[ns]"}


def _frame_from_arrow(table: pa.Table, kinds: dict[str, str]) -> pd.DataFrame:
    frame = table.to_pandas()
    frame.columns = pd.Index(frame.columns, dtype=object)  # as in build_frame
    for name, kind in kinds.items():
        series = frame[name]
        if column_type(series) not in _ACCEPTED[kind]:
            frame[name] = _retyped(series, kind, name)
    return frame


def _retyped(series: pd.Series, kind: str, name: str) -> Any:
    """A CSV column Arrow read as another type: all empty, 0/1 for a boolean, or the first bad cell."""
    if series.isna().all():
        return pd.array([None] * len(series), dtype=_EMPTY_DTYPES.get(kind, "Float64"))
    cells = series.to_numpy(dtype=object, na_value=None).tolist()
    if kind == "boolean" and column_type(series) == "numeric":
        return _boolean(cells, set(map(type, cells)), name)
    if kind == "datetime" and column_type(series) == "string":
        return _datetime(cells, {str, _NONE}, name)
    # Text Arrow could not read as the kind: the first cell that is not of it.
    fits = _FITS_TEXT.get(kind, lambda _value: False)
    row = _first(cells, lambda v: v is not None and not fits(v))
    raise wrong_type(row, name, f"expected {_EXPECTED[kind]}, got {_shown(cells[row])}.")


_EXPECTED = {
    "numeric": "a number",
    "boolean": "true or false (or 1 or 0)",
    "datetime": "an ISO 8601 date-time",
    "onehot": "text",
}
#: Arrow's CSV words for true and false (its ConvertOptions defaults).
_BOOLEAN_TEXT = {"1", "0", "true", "false", "True", "False", "TRUE", "FALSE"}


def _is_number_text(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


_FITS_TEXT: dict[str, Callable[[Any], bool]] = {
    "numeric": _is_number_text,
    "boolean": lambda value: value in _BOOLEAN_TEXT,
}
