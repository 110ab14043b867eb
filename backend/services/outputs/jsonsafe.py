"""Turning pandas / numpy values into JSON-safe Python values (missing and non-finite → None)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

JsonScalar = None | bool | int | float | str
JsonDict = dict[str, Any]


def finite_or_none(value: Any) -> float | None:
    """A float, or None when the value is missing, NaN or ±inf."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _datetime64(value: np.datetime64) -> JsonScalar:
    return None if np.isnat(value) else pd.Timestamp(value).isoformat()


def _timedelta64(value: np.timedelta64) -> JsonScalar:
    return None if np.isnat(value) else str(pd.Timedelta(value))


# What each kind of cell becomes, tried in order (bool before int: a bool is an int; timedelta64
# before int: numpy counts it as an integer type).
_SCALARS: tuple[tuple[type | tuple[type, ...], Callable[[Any], JsonScalar]], ...] = (
    ((bool, np.bool_), bool),
    (np.timedelta64, _timedelta64),
    ((int, np.integer), int),
    ((float, np.floating, Decimal), finite_or_none),
    (str, lambda text: text),
    (np.datetime64, _datetime64),
    ((datetime, date, time), lambda moment: moment.isoformat()),
    (timedelta, lambda span: str(pd.Timedelta(span))),
    (bytes, lambda data: data.decode("utf-8", errors="replace")),
)


def json_scalar(value: Any) -> JsonScalar:
    """One cell as a JSON-safe value: None for NaN/NaT/NA/±inf, Python numbers, ISO strings for times."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    for kinds, convert in _SCALARS:
        if isinstance(value, kinds):
            return convert(value)
    return str(value)


def float_values_to_json(values: np.ndarray) -> list[JsonScalar]:
    """A float array as a list with None where the value is NaN or ±inf."""
    result: list[JsonScalar] = values.tolist()
    for position in np.flatnonzero(~np.isfinite(values)).tolist():
        result[position] = None
    return result


def column_values_to_json(series: pd.Series) -> list[JsonScalar]:
    """Every value of a column as JSON-safe values, vectorised for plain numpy dtypes."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iub":
            return series.to_numpy().tolist()
        if dtype.kind == "f":
            return float_values_to_json(series.to_numpy())
    return [json_scalar(value) for value in series.to_numpy(dtype=object)]


def frame_rows_to_json(df: pd.DataFrame) -> list[list[JsonScalar]]:
    """The rows of a frame as lists of JSON-safe values in column order."""
    if df.shape[1] == 0:
        return [[] for _ in range(len(df))]
    columns = [column_values_to_json(df.iloc[:, position]) for position in range(df.shape[1])]
    return [list(row) for row in zip(*columns, strict=True)]
