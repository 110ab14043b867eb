"""Column types and column selections (``column_set`` parameters).

A selection is one of the JSON forms of the spec::

    {"names": ["sepal_length", "petal_width"]}
    {"indices": "1-3,5"}                                   # 1-based, ranges with '-'
    {"rules": {"start": "all" | "none",
               "steps": [{"op": "include" | "exclude", "names": [...]}
                         | {"op": "include" | "exclude",
                            "type": "numeric" | "string" | "boolean" | "datetime"}]}}

:func:`parse_column_set` checks the form (0002) when parameters are validated; :func:`select_columns`
resolves it against a table's columns (0001 for a name or index that does not exist, 0011 for an
empty result). Selections work on a :data:`~modules.contract.Schema` (``[(name, type)]``) so graph
validation can resolve them before anything runs; :func:`table_schema` gives a DataFrame's schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from pandas.api import types as ptypes

from modules.contract import Schema, param_error
from modules.errors import ModuleError

if TYPE_CHECKING:
    from modules.contract import Param

__all__ = [
    "COLUMN_TYPES",
    "column_type",
    "default_numeric",
    "parse_column_set",
    "parse_indices",
    "select_columns",
    "table_schema",
]

#: The column types of the spec, plus ``other`` for anything a module cannot use (complex, timedelta …).
COLUMN_TYPES = ("numeric", "string", "boolean", "datetime", "other")
SELECTABLE_TYPES = ("numeric", "string", "boolean", "datetime")

_NUMERIC_INFERRED = {"integer", "floating", "mixed-integer-float", "decimal"}
_DATETIME_INFERRED = {"datetime", "datetime64", "date"}


def column_type(series: pd.Series) -> str:
    """The spec type of a pandas column: numeric, string, boolean, datetime or other.

    Booleans (``bool``, ``boolean``) are ``boolean``, not numeric. Strings, categoricals and object
    columns of text are ``string``; an object column holding only numbers, booleans or datetimes
    gets that type. Complex, timedelta, period and interval columns are ``other``.
    """
    dtype = series.dtype
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
    if ptypes.is_object_dtype(dtype):
        inferred = ptypes.infer_dtype(series, skipna=True)
        if inferred in _NUMERIC_INFERRED:
            return "numeric"
        if inferred == "boolean":
            return "boolean"
        if inferred in _DATETIME_INFERRED:
            return "datetime"
        if inferred in ("complex", "timedelta", "timedelta64", "period", "interval"):
            return "other"
        return "string"
    if ptypes.is_string_dtype(dtype):
        return "string"
    return "other"


def table_schema(df: pd.DataFrame) -> Schema:
    """``[(column name, type)]`` of a DataFrame, in column order."""
    return [(str(name), column_type(df.iloc[:, i])) for i, name in enumerate(df.columns)]


# --------------------------------------------------------------------------------------------------
# Parsing (parameter validation: 0002)
# --------------------------------------------------------------------------------------------------


def parse_column_set(value: Any, *, param: Param | None = None) -> dict[str, Any]:
    """Check a selection's form and return it normalised (a JSON string is accepted too)."""
    label = param.label if param is not None else "column set"
    pid = param.id if param is not None else None

    def bad(reason: str) -> ModuleError:
        return param_error(pid, "0002", f"Parameter {label}: invalid column selection: {reason}.")

    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError as exc:
            raise bad(f"not JSON ({exc})") from None
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        value = {"names": list(value)}  # shorthand: a plain list of names
    if not isinstance(value, dict):
        raise bad(f"expected an object with 'names', 'indices' or 'rules', got {type(value).__name__}")
    forms = [k for k in ("names", "indices", "rules") if k in value]
    extra = sorted(set(value) - {"names", "indices", "rules"})
    if len(forms) != 1 or extra:
        raise bad(f"expected exactly one of 'names', 'indices', 'rules', got keys {sorted(value)}")
    form = forms[0]
    if form == "names":
        return {"names": _names(value["names"], bad)}
    if form == "indices":
        text = value["indices"]
        if not isinstance(text, str):
            raise bad("'indices' must be a string such as '1-3,5'")
        parse_indices(text, bad=bad)
        return {"indices": text}
    rules = value["rules"]
    if not isinstance(rules, dict) or set(rules) - {"start", "steps"}:
        raise bad("'rules' must be an object with 'start' and 'steps'")
    start = rules.get("start", "none")
    if start not in ("all", "none"):
        raise bad(f"'start' must be 'all' or 'none', got {start!r}")
    steps_in = rules.get("steps", [])
    if not isinstance(steps_in, list):
        raise bad("'steps' must be a list")
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(steps_in, start=1):
        if not isinstance(step, dict):
            raise bad(f"step {i} must be an object")
        op = step.get("op")
        if op not in ("include", "exclude"):
            raise bad(f"step {i}: 'op' must be 'include' or 'exclude', got {op!r}")
        keys = set(step) - {"op"}
        if keys == {"names"}:
            steps.append({"op": op, "names": _names(step["names"], bad, where=f"step {i}: ")})
        elif keys == {"type"}:
            if step["type"] not in SELECTABLE_TYPES:
                raise bad(
                    f"step {i}: 'type' must be one of {', '.join(SELECTABLE_TYPES)}, got {step['type']!r}"
                )
            steps.append({"op": op, "type": step["type"]})
        else:
            raise bad(f"step {i} needs exactly one of 'names' or 'type'")
    return {"rules": {"start": start, "steps": steps}}


def _names(value: Any, bad: Any, where: str = "") -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise bad(f"{where}'names' must be a list of column names")
    return list(dict.fromkeys(value))


_INDEX_ITEM = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_indices(text: str, *, bad: Any = None) -> list[int]:
    """1-based indices from ``"1-3,5"``: given order, duplicates dropped (0002 when unparsable)."""

    def fail(reason: str) -> ModuleError:
        if bad is not None:
            return bad(reason)  # type: ignore[no-any-return]
        return ModuleError("0002", f"Invalid column indices {text!r}: {reason}.")

    if not text.strip():
        raise fail("no indices given")
    out: dict[int, None] = {}
    for part in text.split(","):
        m = _INDEX_ITEM.match(part)
        if not m:
            raise fail(f"{part.strip()!r} is not an index or a range a-b")
        lo = int(m.group(1))
        hi = lo if m.group(2) is None else int(m.group(2))
        if hi < lo:
            raise fail(f"range {part.strip()!r} goes downwards")
        if hi - lo > 1_000_000:
            raise fail(f"range {part.strip()!r} is too long")
        for i in range(lo, hi + 1):
            out[i] = None
    return list(out)


# --------------------------------------------------------------------------------------------------
# Resolution (run time and graph validation: 0001, 0011)
# --------------------------------------------------------------------------------------------------


def select_columns(
    schema: Schema | pd.DataFrame,
    selection: Any,
    *,
    param: Param | None = None,
    default: Iterable[str] | None = None,
) -> list[str]:
    """The selected column names, in table order.

    ``selection`` is a parsed column set, or None for ``default`` (a list of names). A missing name
    or index raises 0001 naming them all; an empty result raises 0011.
    """
    if isinstance(schema, pd.DataFrame):
        schema = table_schema(schema)
    label = param.label if param is not None else "column set"
    pid = param.id if param is not None else None
    names = [n for n, _ in schema]
    if selection is None:
        if default is None:
            raise param_error(pid, "0011", f"Parameter {label}: no columns selected.")
        chosen = set(default)
        desc = "the default selection"
    else:
        selection = parse_column_set(selection, param=param)
        chosen = _resolve(schema, selection, label, pid)
        desc = "the selection"
    result = [n for n in names if n in chosen]
    if not result:
        raise param_error(pid, "0011", f"Parameter {label}: {desc} matches no column of the input.")
    return result


def _resolve(schema: Schema, selection: dict[str, Any], label: str, pid: str | None) -> set[str]:
    names = [n for n, _ in schema]
    known = set(names)

    def check_names(wanted: Sequence[str]) -> None:
        missing = [n for n in wanted if n not in known]
        if missing:
            raise param_error(
                pid,
                "0001",
                f"Parameter {label}: column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(m) for m in missing)} not found in the input.",
            )

    if "names" in selection:
        check_names(selection["names"])
        return set(selection["names"])
    if "indices" in selection:
        idx = parse_indices(selection["indices"])
        missing_idx = [i for i in idx if not 1 <= i <= len(names)]
        if missing_idx:
            raise param_error(
                pid,
                "0001",
                f"Parameter {label}: column index{'es' if len(missing_idx) > 1 else ''} "
                f"{', '.join(str(i) for i in missing_idx)} not found "
                f"(the input has {len(names)} column{'s' if len(names) != 1 else ''}).",
            )
        return {names[i - 1] for i in idx}
    rules = selection["rules"]
    chosen = set(names) if rules["start"] == "all" else set()
    for step in rules["steps"]:
        if "names" in step:
            check_names(step["names"])
            cols = set(step["names"])
        else:
            cols = {n for n, t in schema if t == step["type"]}
        chosen = chosen | cols if step["op"] == "include" else chosen - cols
    return chosen


def default_numeric(schema: Schema, *, exclude: Iterable[str | None] = ()) -> list[str]:
    """All numeric columns except ``exclude`` (the clustering modules' default feature set)."""
    skip = {e for e in exclude if e is not None}
    return [n for n, t in schema if t == "numeric" and n not in skip]
