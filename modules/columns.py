"""Column selections (``column_set`` parameters).

A selection is one of the JSON forms of the spec::

    {"names": ["sepal_length", "petal_width"]}
    {"indices": "1-3,5"}                                   # 1-based, ranges with '-'
    {"rules": {"start": "all" | "none",
               "steps": [{"op": "include" | "exclude", "names": [...]}
                         | {"op": "include" | "exclude",
                            "type": "numeric" | "string" | "boolean" | "datetime"}]}}

:func:`parse_column_set` checks the form (0002) when parameters are validated; :func:`select_columns`
resolves it against a table's columns (0001 for a name or index that does not exist, 0011 for an
empty result). Selections work on a :data:`~modules.column_types.Schema` (``[(name, type)]``) so graph
validation can resolve them before anything runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import pandas as pd

from modules.column_types import SELECTABLE_TYPES, Schema, table_schema
from modules.errors import ModuleError, param_error
from modules.ranges import expand_ranges


class NamedParam(Protocol):
    """What messages need of the parameter a selection belongs to (a :class:`~modules.params.Param`)."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...


__all__ = [
    "default_numeric",
    "parse_column_set",
    "parse_indices",
    "select_columns",
]

# --------------------------------------------------------------------------------------------------
# Parsing (parameter validation: 0002)
# --------------------------------------------------------------------------------------------------


Bad = Callable[[str], ModuleError]
_FORMS = ("names", "indices", "rules")


def parse_column_set(value: Any, *, param: NamedParam | None = None) -> dict[str, Any]:
    """Check a selection's form and return it normalised (a JSON string is accepted too)."""
    label = param.label if param is not None else "column set"
    pid = param.id if param is not None else None

    def bad(reason: str) -> ModuleError:
        return param_error(pid, "0002", f"Parameter {label}: invalid column selection: {reason}.")

    value = _as_selection_object(value, bad)
    forms = [k for k in _FORMS if k in value]
    if len(forms) != 1 or set(value) - set(_FORMS):
        raise bad(f"expected exactly one of 'names', 'indices', 'rules', got keys {sorted(value)}")
    if forms[0] == "names":
        return {"names": _names(value["names"], bad)}
    if forms[0] == "indices":
        text = value["indices"]
        if not isinstance(text, str):
            raise bad("'indices' must be a string such as '1-3,5'")
        parse_indices(text, bad=bad)
        return {"indices": text}
    return {"rules": _rules(value["rules"], bad)}


def _as_selection_object(value: Any, bad: Bad) -> dict[str, Any]:
    """A JSON string parsed, a plain list of names as ``{"names": [...]}``; an object or 0002."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise bad(f"not JSON ({exc})") from None
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        value = {"names": list(value)}  # shorthand: a plain list of names
    if not isinstance(value, dict):
        raise bad(f"expected an object with 'names', 'indices' or 'rules', got {type(value).__name__}")
    return value


def _rules(rules: Any, bad: Bad) -> dict[str, Any]:
    if not isinstance(rules, dict) or set(rules) - {"start", "steps"}:
        raise bad("'rules' must be an object with 'start' and 'steps'")
    start = rules.get("start", "none")
    if start not in ("all", "none"):
        raise bad(f"'start' must be 'all' or 'none', got {start!r}")
    steps = rules.get("steps", [])
    if not isinstance(steps, list):
        raise bad("'steps' must be a list")
    return {"start": start, "steps": [_step(i, step, bad) for i, step in enumerate(steps, start=1)]}


def _step(i: int, step: Any, bad: Bad) -> dict[str, Any]:
    if not isinstance(step, dict):
        raise bad(f"step {i} must be an object")
    op = step.get("op")
    if op not in ("include", "exclude"):
        raise bad(f"step {i}: 'op' must be 'include' or 'exclude', got {op!r}")
    keys = set(step) - {"op"}
    if keys == {"names"}:
        return {"op": op, "names": _names(step["names"], bad, where=f"step {i}: ")}
    if keys != {"type"}:
        raise bad(f"step {i} needs exactly one of 'names' or 'type'")
    if step["type"] not in SELECTABLE_TYPES:
        raise bad(f"step {i}: 'type' must be one of {', '.join(SELECTABLE_TYPES)}, got {step['type']!r}")
    return {"op": op, "type": step["type"]}


def _names(value: Any, bad: Any, where: str = "") -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise bad(f"{where}'names' must be a list of column names")
    return list(dict.fromkeys(value))


#: The most indices one selection may list.
MAX_INDICES = 1_000_000


def parse_indices(text: str, *, bad: Bad | None = None) -> list[int]:
    """1-based indices from ``"1-3,5"``: given order, duplicates dropped (0002 when unparsable)."""

    def fail(reason: str) -> ModuleError:
        if bad is not None:
            return bad(reason)
        return ModuleError("0002", f"Invalid column indices {text!r}: {reason}.")

    return expand_ranges(text, fail, signed=False, what="an index", max_values=MAX_INDICES)


# --------------------------------------------------------------------------------------------------
# Resolution (run time and graph validation: 0001, 0011)
# --------------------------------------------------------------------------------------------------


def select_columns(
    schema: Schema | pd.DataFrame,
    selection: Any,
    *,
    param: NamedParam | None = None,
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
