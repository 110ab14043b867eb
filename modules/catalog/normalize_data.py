"""Normalize Data — rescales numeric columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from modules.column_types import table_schema
from modules.columns import default_numeric, select_columns
from modules.context import RunContext
from modules.contract import Choice, ErrorDecl, InferEnv, Inferred, Module, Param, Partitioned, Port, Schema
from modules.errors import ModuleError
from modules.partitioned import PartitionedTable


def _statistics(x: np.ndarray, method: str) -> tuple[float, float]:
    """What one column's transform needs from the whole column (float64, NaN = missing; statistics
    ignore missing values): Z-score mean and population std, Min-Max min and max, LogNormal the mean
    and std of the logs of the positive values."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "zscore":
            return float(np.nanmean(x)), float(np.nanstd(x))
        if method == "minmax":
            return float(np.nanmin(x)), float(np.nanmax(x))
        if method == "lognormal":
            logs = _logs(x)
            return float(np.nanmean(logs)), float(np.nanstd(logs))
    return np.nan, np.nan


def _logs(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.where(x > 0, x, np.nan))


def _normalize(x: np.ndarray, method: str, stats: tuple[float, float]) -> np.ndarray:
    """One column under one method, with its :func:`_statistics` (of the whole column)."""
    a, b = stats
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "zscore":
            return (x - a) / b
        if method == "minmax":
            return (x - a) / (b - a)
        if method == "logistic":
            return 1.0 / (1.0 + np.exp(-x))
        if method == "tanh":
            return np.tanh(x)
        if method == "lognormal":
            return ndtr((_logs(x) - a) / b)
    raise AssertionError(method)  # pragma: no cover


def _values(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)


# -- part by part (a partitioned table): the statistics from per-part sums, then each part transformed ---


def _part_sums(part: pd.DataFrame, names: list[str], method: str) -> np.ndarray:
    """Per column: present values, their sum, min and max (of the logs for LogNormal, whose count is
    of the positive values; min and max stay of the values, for the constant-column rule)."""
    out = np.empty((len(names), 5))
    with np.errstate(invalid="ignore"):
        for i, name in enumerate(names):
            x = _values(part, name)
            present = x[~np.isnan(x)]
            logs = _logs(present) if method == "lognormal" else present
            logs = logs[~np.isnan(logs)]
            lo, hi = (present.min(), present.max()) if len(present) else (np.inf, -np.inf)
            out[i] = (len(present), logs.sum(), lo, hi, len(logs))
    return out


def _part_squares(part: pd.DataFrame, names: list[str], method: str, means: np.ndarray) -> np.ndarray:
    """Per column: the sum of squared deviations from the whole column's mean (of the logs)."""
    out = np.empty(len(names))
    for i, name in enumerate(names):
        x = _values(part, name)
        values = _logs(x) if method == "lognormal" else x
        values = values[~np.isnan(values)]
        out[i] = np.square(values - means[i]).sum()
    return out


def _part_transformed(
    part: pd.DataFrame, names: list[str], method: str, stats: list[tuple[float, float]], constant: list[bool]
) -> pd.DataFrame:
    out = part.copy(deep=False)
    for name, column_stats, is_constant in zip(names, stats, constant, strict=True):
        x = _values(part, name)
        y = np.where(np.isnan(x), np.nan, 0.0) if is_constant else _normalize(x, method, column_stats)
        out[name] = pd.Series(y, index=part.index, name=name)
    return out


class NormalizeData(Module):
    id = "normalize_data"
    name = "Normalize Data"
    category = "Data Transformation / Scale and Reduce"
    description = (
        "Rescales the selected numeric columns: Z-score (x − mean) / std with the population standard "
        "deviation; Min-Max (x − min) / (max − min); Logistic 1 / (1 + e^−x); LogNormal, the log-normal CDF "
        "Φ((ln x − μ) / σ) with μ, σ the mean and std of ln x (non-positive values become missing); Tanh, "
        "tanh(x). Missing values stay missing; other columns pass through."
    )
    version = 1
    order = 70
    inputs = (Port("dataset", "Dataset", "data_table"),)
    outputs = (Port("transformed_dataset", "Transformed dataset", "data_table"),)
    params = (
        Param(
            "method",
            "Transformation method",
            "choice",
            default="zscore",
            choices=(
                Choice("zscore", "ZScore"),
                Choice("minmax", "MinMax"),
                Choice("logistic", "Logistic"),
                Choice("lognormal", "LogNormal"),
                Choice("tanh", "TanH"),
            ),
            description="How to rescale each column.",
        ),
        Param(
            "column_set",
            "Columns to transform",
            "column_set",
            default=None,
            nullable=True,
            columns_from="dataset",
            default_columns="all numeric columns",
            description="The numeric columns to rescale. Default: all numeric columns.",
        ),
        Param(
            "constant_to_zero",
            "Use 0 for constant columns when checked",
            "bool",
            default=True,
            description="A column holding a single value becomes 0 (otherwise Z-score and Min-Max give "
            "missing values for it).",
        ),
    )
    partitioned = Partitioned(outputs=("transformed_dataset",))
    errors = (
        ErrorDecl("0001", "a selected column does not exist"),
        ErrorDecl("0003", "the input is not connected, or has no rows or columns"),
        ErrorDecl("0008", "the method is not one of the listed values"),
        ErrorDecl("0011", "the selection matches no column (or the table has no numeric column)"),
        ErrorDecl("0017", "a selected column is not numeric"),
    )

    def _columns(self, schema: Schema, selection: Any) -> list[str]:
        param = self.param("column_set")
        names = select_columns(schema, selection, param=param, default=default_numeric(schema))
        types = dict(schema)
        bad = [n for n in names if types[n] != "numeric"]
        if bad:
            raise ModuleError(
                "0017",
                f"Normalize Data needs numeric columns; {', '.join(f'{n!r} ({types[n]})' for n in bad)} "
                f"{'is' if len(bad) == 1 else 'are'} not.",
            )
        return names

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        df: pd.DataFrame | PartitionedTable = inputs["dataset"]
        if isinstance(df, PartitionedTable):
            return {"transformed_dataset": self._run_partitioned(params, df, ctx)}
        names = self._columns(table_schema(df), params["column_set"])
        out = df.copy(deep=False)
        constant: list[str] = []
        for name in names:
            x = _values(df, name)
            present = x[~np.isnan(x)]
            if len(present) and params["constant_to_zero"] and np.all(present == present[0]):
                y = np.where(np.isnan(x), np.nan, 0.0)
                constant.append(name)
            else:
                y = _normalize(x, params["method"], _statistics(x, params["method"]))
            out[name] = pd.Series(y, index=df.index, name=name)
        self._log(params, names, constant, ctx)
        return {"transformed_dataset": out}

    def _run_partitioned(
        self, params: dict[str, Any], table: PartitionedTable, ctx: RunContext
    ) -> PartitionedTable:
        """A statistics pass over the parts (and a second for the standard deviations), then each part
        transformed where it is: the in-memory module's results, up to the rounding of the sums."""
        method = params["method"]
        names = self._columns(table.schema, params["column_set"])
        per_part = np.stack(
            table.each_part(_part_sums, names=names, method=method, should_stop=ctx.should_stop)
        )  # (parts, columns, 5)
        count, total, n_used = (per_part[:, :, i].sum(axis=0) for i in (0, 1, 4))
        lo, hi = per_part[:, :, 2].min(axis=0), per_part[:, :, 3].max(axis=0)
        constant = [
            bool(params["constant_to_zero"] and count[i] > 0 and lo[i] == hi[i]) for i in range(len(names))
        ]
        stats: list[tuple[float, float]] = [(np.nan, np.nan)] * len(names)
        if method == "minmax":
            stats = [(float(lo[i]), float(hi[i])) for i in range(len(names))]
        elif method in ("zscore", "lognormal"):
            with np.errstate(divide="ignore", invalid="ignore"):
                means = total / n_used
                squares = np.sum(
                    table.each_part(
                        _part_squares, names=names, method=method, means=means, should_stop=ctx.should_stop
                    ),
                    axis=0,
                )
                stds = np.sqrt(squares / n_used)
            stats = [(float(means[i]), float(stds[i])) for i in range(len(names))]
        self._log(params, names, [n for n, c in zip(names, constant, strict=True) if c], ctx)
        ctx.log(f"Normalized part by part ({table.n_parts} parts).")
        kept = set(names)
        schema = [(n, "numeric" if n in kept else t) for n, t in table.schema]
        meta = table.meta.astype(dict.fromkeys(names, np.float64))
        return table.map_parts(
            _part_transformed,
            meta=meta,
            schema=schema,
            names=names,
            method=method,
            stats=stats,
            constant=constant,
        )

    @staticmethod
    def _log(params: dict[str, Any], names: list[str], constant: list[str], ctx: RunContext) -> None:
        ctx.log(
            f"{params['method']} applied to {len(names)} column{'s' if len(names) != 1 else ''}"
            + (f"; constant columns set to 0: {', '.join(constant)}" if constant else "")
            + "."
        )

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        schema = inputs.get("dataset")
        if schema is None:
            return Inferred(outputs={"transformed_dataset": None})
        try:
            names = set(self._columns(schema, params["column_set"]))
        except ModuleError as exc:
            return Inferred(outputs={"transformed_dataset": None}, errors=[exc])
        return Inferred(
            outputs={"transformed_dataset": [(n, "numeric" if n in names else t) for n, t in schema]}
        )
