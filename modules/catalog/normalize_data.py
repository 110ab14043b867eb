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


def _normalize(x: np.ndarray, method: str) -> np.ndarray:
    """One column (float64, NaN = missing) under one method; statistics ignore missing values."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "zscore":
            return (x - np.nanmean(x)) / np.nanstd(x)  # population standard deviation
        if method == "minmax":
            lo, hi = np.nanmin(x), np.nanmax(x)
            return (x - lo) / (hi - lo)
        if method == "logistic":
            return 1.0 / (1.0 + np.exp(-x))
        if method == "tanh":
            return np.tanh(x)
        if method == "lognormal":
            logs = np.log(np.where(x > 0, x, np.nan))
            mu, sigma = np.nanmean(logs), np.nanstd(logs)
            return ndtr((logs - mu) / sigma)
    raise AssertionError(method)  # pragma: no cover


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
        df: pd.DataFrame = inputs["dataset"]
        names = self._columns(table_schema(df), params["column_set"])
        out = df.copy(deep=False)
        constant: list[str] = []
        for name in names:
            x = df[name].to_numpy(dtype=np.float64, na_value=np.nan)
            present = x[~np.isnan(x)]
            if len(present) and params["constant_to_zero"] and np.all(present == present[0]):
                y = np.where(np.isnan(x), np.nan, 0.0)
                constant.append(name)
            else:
                y = _normalize(x, params["method"])
            out[name] = pd.Series(y, index=df.index, name=name)
        ctx.log(
            f"{params['method']} applied to {len(names)} column{'s' if len(names) != 1 else ''}"
            + (f"; constant columns set to 0: {', '.join(constant)}" if constant else "")
            + "."
        )
        return {"transformed_dataset": out}

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
