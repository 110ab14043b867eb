"""Parameters: their declaration (:class:`Param`), the JSON the UI draws them from, and their validation.

Error codes of parameter validation (``docs/spec-modules.md``):

* ``0002`` — the value has the wrong type or cannot be parsed (also: a required parameter without a
  value, an explicit null for a parameter that is not nullable, a malformed range string or column
  selection, an empty list).
* ``0004`` / ``0005`` — a number is not > / not ≥ its exclusive / inclusive lower bound.
* ``0006`` / ``0007`` — a number is not < / not ≤ its exclusive / inclusive upper bound.
* ``0008`` — a value is not one of the choices, or a value of a range-builder list lies outside the
  bounds (the whole list is "out of its range").

Parameters hidden by ``visible_when`` are kept in the saved graph but ignored: validation does not
look at them and the filled parameters carry their defaults. A module may rename or retire a
parameter (:attr:`~modules.module.Module.renamed_params`); a saved graph's old names are migrated
before anything looks at them (:func:`migrate_params`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from modules.columns import parse_column_set
from modules.errors import ModuleError, param_error
from modules.ranges import expand_ranges

__all__ = [
    "MAX_RANGE_VALUES",
    "PARAM_TYPES",
    "SEED_MAX",
    "Choice",
    "Param",
    "check_params",
    "migrate_params",
    "param_issues",
    "parse_int_range",
    "validate_params",
]


class Declares(Protocol):
    """What parameter validation needs of a module declaration."""

    params: ClassVar[tuple[Param, ...]]
    renamed_params: ClassVar[Mapping[str, str]]
    retired_params: ClassVar[frozenset[str]]


#: Parameter kinds and what the UI should draw for each.
PARAM_TYPES: dict[str, str] = {
    "int": "An integer (number field).",
    "float": "A real number (number field).",
    "bool": "A checkbox.",
    "choice": "One value of `choices` (drop-down).",
    "multi_choice": "A non-empty list of values of `choices` (multi-select).",
    "int_range_string": "Range Builder text: comma-separated integers and inclusive ranges, "
    "e.g. '2-5, 10, 20'.",
    "column_set": "A column selection object: {names: [...]} | {indices: '1-3,5'} | {rules: {...}}.",
    "column": "One column name of the input named by `columns_from`, or null.",
    "dataset": "A dataset id (uploaded or sample).",
    "trained_model": "A saved trained model id (GET /api/models).",
    "seed": "A random seed: an integer 0 … 4294967295 (null = draw one, when nullable).",
}

SEED_MAX = 2**32 - 1
#: The most values a range-builder string may expand to.
MAX_RANGE_VALUES = 10_000


@dataclass(frozen=True)
class Choice:
    """One allowed value of a ``choice`` / ``multi_choice`` parameter, with its UI label."""

    value: str
    label: str

    def to_json(self) -> dict[str, str]:
        return {"value": self.value, "label": self.label}


@dataclass(frozen=True)
class Param:
    """A parameter declaration.

    ``min``/``max`` bound numbers (``int``, ``float``, ``seed``) and every value of an
    ``int_range_string``; ``min_exclusive``/``max_exclusive`` make a bound strict. ``visible_when``
    maps other parameter ids to the value (or list of values) they must have for this one to be
    shown and used. ``columns_from`` names the input port whose columns a ``column`` / ``column_set``
    parameter refers to. ``default_columns`` describes, for the UI and docs, what a null
    ``column_set`` selects.
    """

    id: str
    name: str
    type: str
    default: Any = None
    description: str = ""
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[Choice, ...] | None = None
    nullable: bool = False
    required: bool = False
    visible_when: Mapping[str, Any] | None = None
    columns_from: str | None = None
    default_columns: str | None = None

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"parameter {self.id!r}: unknown parameter type {self.type!r}")
        if self.type in ("choice", "multi_choice") and not self.choices:
            raise ValueError(f"parameter {self.id!r}: a {self.type} needs choices")
        if self.type in ("column", "column_set") and not self.columns_from:
            raise ValueError(f"parameter {self.id!r}: a {self.type} needs columns_from")
        if self.type == "seed":
            lo = 0 if self.min is None else self.min
            hi = SEED_MAX if self.max is None else self.max
            object.__setattr__(self, "min", lo)
            object.__setattr__(self, "max", hi)

    @property
    def label(self) -> str:
        """How messages name the parameter: the UI name and the wire id."""
        return f"'{self.name}' ({self.id})"

    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices or ()]

    def is_visible(self, values: Mapping[str, Any]) -> bool:
        """Whether the parameter applies, given the (filled) values of the parameters before it."""
        for other, wanted in (self.visible_when or {}).items():
            allowed = wanted if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
            if values.get(other) not in allowed:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "default": _jsonable(self.default),
            "description": self.description,
            "required": self.required,
            "nullable": self.nullable,
        }
        if self.min is not None:
            out["min"] = self.min
            out["min_exclusive"] = self.min_exclusive
        if self.max is not None:
            out["max"] = self.max
            out["max_exclusive"] = self.max_exclusive
        if self.choices:
            out["choices"] = [c.to_json() for c in self.choices]
        if self.visible_when:
            out["visible_when"] = {k: _jsonable(v) for k, v in self.visible_when.items()}
        if self.columns_from:
            out["columns_from"] = self.columns_from
        if self.default_columns:
            out["default_columns"] = self.default_columns
        return out

    # -- validation ------------------------------------------------------------------------------

    def coerce(self, value: Any) -> Any:
        """The validated, normalised value, or :class:`ModuleError` naming this parameter."""
        if isinstance(value, str) and not value.strip() and self.nullable:
            value = None  # an emptied text field
        if value is None:
            if self.nullable:
                return None
            raise self._no_value()
        return _COERCERS[self.type](self, value)

    def _no_value(self) -> ModuleError:
        if self.required:
            return param_error(self.id, "0002", f"Parameter {self.label} is required but has no value.")
        return param_error(self.id, "0002", f"Parameter {self.label} must not be null.")

    def _coerce_text(self, value: Any) -> str | None:
        if not isinstance(value, str):
            raise param_error(
                self.id, "0002", f"Parameter {self.label} must be a string, got {_show(value)}."
            )
        if value == "":
            if self.nullable:
                return None
            raise param_error(self.id, "0002", f"Parameter {self.label} is required but has no value.")
        return value

    def _check_bounds(self, value: int | float) -> int | float:
        if self.min is not None:
            if self.min_exclusive and not value > self.min:
                raise param_error(
                    self.id, "0004", f"Parameter {self.label} must be > {_num(self.min)}, got {_num(value)}."
                )
            if not self.min_exclusive and not value >= self.min:
                raise param_error(
                    self.id, "0005", f"Parameter {self.label} must be ≥ {_num(self.min)}, got {_num(value)}."
                )
        if self.max is not None:
            if self.max_exclusive and not value < self.max:
                raise param_error(
                    self.id, "0006", f"Parameter {self.label} must be < {_num(self.max)}, got {_num(value)}."
                )
            if not self.max_exclusive and not value <= self.max:
                raise param_error(
                    self.id, "0007", f"Parameter {self.label} must be ≤ {_num(self.max)}, got {_num(value)}."
                )
        return value

    def _in_bounds(self, value: float) -> bool:
        if self.min is not None and (value <= self.min if self.min_exclusive else value < self.min):
            return False
        return not (self.max is not None and (value >= self.max if self.max_exclusive else value > self.max))

    def _bounds_text(self) -> str:
        lo = "" if self.min is None else f"{'>' if self.min_exclusive else '≥'} {_num(self.min)}"
        hi = "" if self.max is None else f"{'<' if self.max_exclusive else '≤'} {_num(self.max)}"
        return " and ".join(t for t in (lo, hi) if t)

    def _check_choice(self, value: Any) -> str:
        allowed = self.choice_values()
        if not isinstance(value, str) or value not in allowed:
            raise param_error(
                self.id,
                "0008",
                f"Parameter {self.label} must be one of {', '.join(allowed)}; got {_show(value)}.",
            )
        return value

    def _coerce_multi(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple):
            raise param_error(self.id, "0002", f"Parameter {self.label} must be a list, got {_show(value)}.")
        if not value:
            raise param_error(self.id, "0002", f"Parameter {self.label} must not be empty.")
        out: list[str] = []
        for item in value:
            checked = self._check_choice(item)
            if checked not in out:
                out.append(checked)
        return out

    def _coerce_range(self, value: Any) -> list[int]:
        if isinstance(value, list | tuple) and value and all(_is_int_like(v) for v in value):
            values = list(dict.fromkeys(int(v) for v in value))
        elif isinstance(value, str):
            values = parse_int_range(value, param=self)
        else:
            raise param_error(
                self.id,
                "0002",
                f"Parameter {self.label} must be a range string such as '2-5, 10', got {_show(value)}.",
            )
        bad = [v for v in values if not self._in_bounds(v)]
        if bad:
            raise param_error(
                self.id,
                "0008",
                f"Parameter {self.label}: value {bad[0]} in {_show(value)} is out of range "
                f"(each value must be {self._bounds_text()}).",
            )
        return values


def parse_int_range(text: str, *, param: Param | None = None) -> list[int]:
    """Parse a Range Builder string: ``"2-10"``, ``"2, 4, 8"``, ``"2-5, 10, 20"``.

    Comma-separated integers and inclusive ranges ``a-b`` (``a ≤ b``); the values keep the given
    order with duplicates dropped. Anything else raises 0002 naming the parameter and the text.
    """
    label = param.label if param is not None else "range"
    pid = param.id if param is not None else None

    def bad(reason: str) -> ModuleError:
        return param_error(pid, "0002", f"Parameter {label}: cannot parse range {text!r}: {reason}.")

    if not isinstance(text, str):
        raise param_error(pid, "0002", f"Parameter {label} must be a range string, got {_show(text)}.")
    return expand_ranges(text, bad, signed=True, what="an integer", max_values=MAX_RANGE_VALUES)


def _is_int_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    try:
        import numpy as np

        if isinstance(value, np.integer):
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _to_int(p: Param, value: Any) -> int:
    if _is_int_like(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    raise param_error(p.id, "0002", f"Parameter {p.label} must be an integer, got {_show(value)}.")


def _to_float(p: Param, value: Any) -> float:
    out: float | None = None
    if isinstance(value, bool):
        out = None
    elif isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            out = None
    else:
        try:
            import numpy as np

            if isinstance(value, np.integer | np.floating):
                out = float(value)
        except ImportError:  # pragma: no cover
            pass
    if out is None or not math.isfinite(out):
        raise param_error(p.id, "0002", f"Parameter {p.label} must be a finite number, got {_show(value)}.")
    return out


def _to_bool(p: Param, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise param_error(p.id, "0002", f"Parameter {p.label} must be true or false, got {_show(value)}.")


#: How each parameter kind turns a given value into its validated form.
_COERCERS: dict[str, Callable[[Param, Any], Any]] = {
    "int": lambda p, v: p._check_bounds(_to_int(p, v)),
    "seed": lambda p, v: p._check_bounds(_to_int(p, v)),
    "float": lambda p, v: p._check_bounds(_to_float(p, v)),
    "bool": _to_bool,
    "choice": Param._check_choice,
    "multi_choice": Param._coerce_multi,
    "int_range_string": Param._coerce_range,
    "column_set": lambda p, v: parse_column_set(v, param=p),
    "column": Param._coerce_text,
    "dataset": Param._coerce_text,
    "trained_model": Param._coerce_text,
}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _show(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def check_params(
    module: Declares | type[Declares], params: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Validate ``params`` against the module's schema without raising.

    Returns ``(filled, issues)``: ``filled`` has every declared parameter (missing ones take their
    default; hidden ones and invalid ones their default too), ``issues`` is a list of
    ``{param, code, message}``. Parameters are checked in declaration order so ``visible_when``
    sees the values of the parameters it depends on.
    """
    given = migrate_params(module, params)
    filled: dict[str, Any] = {}
    issues: list[dict[str, str]] = []
    for p in module.params:
        if not p.is_visible(filled):
            filled[p.id] = _default_value(p)  # hidden: kept in the graph, ignored here
            continue
        value = given.get(p.id)
        if value is None and not p.nullable:
            value = p.default  # "not set" and an explicit null both mean the default
        elif p.id not in given:
            value = p.default
        try:
            filled[p.id] = p.coerce(value)
        except ModuleError as exc:
            issues.append({"param": p.id, "code": exc.code, "message": exc.message})
            filled[p.id] = _default_value(p)
    return filled, issues


def param_issues(module: Declares | type[Declares], params: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """Every parameter problem as ``{param, code, message}`` (empty when the parameters are valid)."""
    return check_params(module, params)[1]


def _default_value(p: Param) -> Any:
    """The default in its validated form (e.g. a range string parsed), or as declared."""
    if p.default is None:
        return None
    try:
        return p.coerce(p.default)
    except ModuleError:
        return p.default


def validate_params(module: Declares | type[Declares], params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The filled, validated parameters, or the first problem as a :class:`ModuleError`."""
    filled, issues = check_params(module, params)
    if issues:
        first = issues[0]
        raise param_error(first["param"], first["code"], first["message"])
    return filled


def migrate_params(module: Declares | type[Declares], params: Mapping[str, Any] | None) -> dict[str, Any]:
    """A node's saved parameters under the module's current names.

    A renamed parameter's value moves to its new name (unless the new name is set too: the newer
    value wins); a retired parameter is dropped. Unknown names are kept — validation ignores them.
    """
    out = dict(params or {})
    for old, new in module.renamed_params.items():
        if old in out:
            value = out.pop(old)
            out.setdefault(new, value)
    for old in module.retired_params:
        out.pop(old, None)
    return out
