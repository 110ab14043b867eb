"""Running one module headlessly: validate parameters and inputs, run, translate failures."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

import pandas as pd

from modules import registry
from modules.context import RunContext
from modules.contract import PARTITIONED_INPUT, Module, Port, validate_params
from modules.errors import Cancelled, ModuleError
from modules.partitioned import PartitionedTable
from modules.ports import DATA_TABLE, PORT_TYPES, port_type_of

__all__ = ["check_inputs", "run_module"]


def _describe(value: Any) -> str:
    found = port_type_of(value)
    return found.value_name if found is not None else f"a {type(value).__name__}"


def _module(module_id: str) -> Module:
    try:
        return registry.get(module_id)
    except KeyError:
        raise ModuleError("0039", f"Unknown module {module_id!r}.") from None


def _check_table(port: Port, df: pd.DataFrame | PartitionedTable) -> pd.DataFrame | PartitionedTable:
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise ModuleError(
            "0003",
            f"Input '{port.name}' ({port.id}) is empty: {df.shape[0]} rows, {df.shape[1]} columns.",
        )
    names = [str(c) for c in df.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ModuleError(
            "0018",
            f"Input '{port.name}' ({port.id}) has duplicate column names: "
            f"{', '.join(map(repr, duplicates))}.",
        )
    if names != list(df.columns):
        assert isinstance(df, pd.DataFrame)  # a partitioned table's names are its Parquet files' (strings)
        df = df.set_axis(names, axis=1)
    return df


def check_inputs(module: Module, inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Type-check the inputs against the module's ports.

    0003 for a missing or empty required input, 0012 for an untrained model where a trained one is
    needed, 0013 for any other value of the wrong kind. Column names become strings.
    """
    given = dict(inputs or {})
    declared = {p.id for p in module.inputs}
    unknown = sorted(set(given) - declared)
    if unknown:
        raise ModuleError(
            "0039",
            f"Module {module.id!r} has no input port {', '.join(map(repr, unknown))} "
            f"(its inputs: {', '.join(sorted(declared)) or 'none'}).",
        )
    checked: dict[str, Any] = {}
    for port in module.inputs:
        value = given.get(port.id)
        if value is None:
            if not port.optional:
                raise ModuleError(
                    "0003", f"Input '{port.name}' ({port.id}) of {module.name} is not connected."
                )
            checked[port.id] = None
            continue
        expected = PORT_TYPES[port.type]
        if isinstance(value, PartitionedTable) and port.type == DATA_TABLE:
            if module.partitioned is None:  # graph validation refuses it first (a net for other callers)
                raise ModuleError(
                    PARTITIONED_INPUT,
                    f"{module.name} cannot run part by part, and its input '{port.name}' is a table stored "
                    "partitioned.",
                )
            checked[port.id] = _check_table(port, value)
            continue
        if not isinstance(value, expected.python_class):
            arrived = port_type_of(value)
            code = expected.wrong_type_codes.get(arrived.id, "0013") if arrived is not None else "0013"
            raise ModuleError(
                code,
                f"Input '{port.name}' ({port.id}) of {module.name} needs {expected.value_name}, "
                f"got {_describe(value)}.",
            )
        checked[port.id] = _check_table(port, value) if isinstance(value, pd.DataFrame) else value
    return checked


def run_module(
    module_id: str,
    params: Mapping[str, Any] | None,
    inputs: Mapping[str, Any] | None,
    ctx: RunContext | None = None,
) -> dict[str, Any]:
    """Run one module: validate ``params`` (defaults filled in) and ``inputs``, then compute.

    Returns ``{output port id: value}``. A failure the user can cause raises :class:`ModuleError`;
    an unexpected exception becomes 0039 with its text (the traceback goes to ``ctx.log``), running
    out of memory 0138. :class:`~modules.errors.Cancelled` passes through.
    """
    ctx = ctx if ctx is not None else RunContext()
    module = _module(module_id)
    filled = validate_params(module, params)
    checked = check_inputs(module, inputs)
    try:
        outputs = module.run(filled, checked, ctx)
    except (ModuleError, Cancelled):
        raise
    except MemoryError as exc:
        ctx.log(traceback.format_exc())
        raise ModuleError("0138", f"{module.name} ran out of memory ({exc or 'MemoryError'}).") from exc
    except Exception as exc:
        ctx.log(traceback.format_exc())
        raise ModuleError("0039", str(exc) or type(exc).__name__) from exc
    missing = [p.id for p in module.outputs if p.id not in outputs]
    if missing:
        raise ModuleError("0039", f"{module.name} produced no value for output {', '.join(missing)}.")
    ctx.progress(1.0)
    return {p.id: outputs[p.id] for p in module.outputs}
