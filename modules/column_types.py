"""Column types: the one rule that says whether a column is numeric, string, boolean, datetime or other.

Everything that shows or checks a column's type uses it: the modules (a table in memory, a pandas
Series), the dataset import (an Arrow type, before the table is in memory), graph validation (a
:data:`Schema`) and the output views. An upload and a sample of the same file get the same types.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from pandas.api import types as ptypes

__all__ = [
    "COLUMN_TYPES",
    "SELECTABLE_TYPES",
    "Schema",
    "arrow_column_type",
    "column_type",
    "table_schema",
]

#: A table's columns as known before running: ``[(name, type)]`` with type one of :data:`COLUMN_TYPES`.
Schema = list[tuple[str, str]]

#: The column types of the spec, plus ``other`` for anything a module cannot use (complex, timedelta …).
COLUMN_TYPES = ("numeric", "string", "boolean", "datetime", "other")
SELECTABLE_TYPES = ("numeric", "string", "boolean", "datetime")


#: What an object column holding only one kind of value is (pandas' ``infer_dtype`` names).
_OBJECT_TYPES = {
    **dict.fromkeys(("integer", "floating", "mixed-integer-float", "decimal"), "numeric"),
    "boolean": "boolean",
    **dict.fromkeys(("datetime", "datetime64", "date"), "datetime"),
    **dict.fromkeys(("complex", "timedelta", "timedelta64", "period", "interval"), "other"),
}


def column_type(series: pd.Series) -> str:
    """The spec type of a pandas column: numeric, string, boolean, datetime or other.

    Booleans (``bool``, ``boolean``) are ``boolean``, not numeric. Strings, categoricals and object
    columns of text are ``string``; an object column holding only numbers, booleans or datetimes
    gets that type. Complex, timedelta, period and interval columns are ``other``.
    """
    dtype = series.dtype
    if ptypes.is_object_dtype(dtype):
        return _OBJECT_TYPES.get(ptypes.infer_dtype(series, skipna=True), "string")
    return _dtype_type(dtype)


def _dtype_type(dtype: object) -> str:
    """The type of a column of a dtype other than ``object`` (whose values decide)."""
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_complex_dtype(dtype):
        return "other"
    if ptypes.is_numeric_dtype(dtype):
        return "numeric"
    if isinstance(dtype, pd.CategoricalDtype):
        return "string"
    return "string" if ptypes.is_string_dtype(dtype) else "other"


def table_schema(df: pd.DataFrame) -> Schema:
    """``[(column name, type)]`` of a DataFrame, in column order."""
    # Most columns are typed by their dtype alone; only object columns need their values (a column
    # taken out of a wide table costs far more than its dtype check).
    return [
        (str(name), column_type(df.iloc[:, i]) if ptypes.is_object_dtype(dtype) else _dtype_type(dtype))
        for i, (name, dtype) in enumerate(zip(df.columns, df.dtypes, strict=True))
    ]


def arrow_column_type(arrow_type: pa.DataType) -> str:
    """The type of a column stored with an Arrow type (the same rule as :func:`column_type`)."""
    if pa.types.is_dictionary(arrow_type):
        return "string"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "numeric"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "datetime"
    if pa.types.is_duration(arrow_type) or pa.types.is_interval(arrow_type):
        return "other"
    return "string"
