"""The charts of a ``sweep_results`` table (its columns: :mod:`modules.sweep_table`): each metric
against the number of clusters or against any swept parameter, the elbow curve (inertia against the
number of clusters) with its knee, and the seeds' agreement per number of clusters.

Its metrics are the four common ones and every registered algorithm's extra ones; an extra metric's
column that holds no value (the sweep's algorithm does not compute it) is left out of the chart. The
swept parameters are the table's columns that are neither its own nor a metric's.

The knee is Kneedle's (the ``kneed`` package: ``KneeLocator`` on the smallest inertia of each number
of clusters, convex and decreasing, sensitivity 1), found on the server so every client shows the
same one; with fewer than three numbers of clusters, or no knee found, there is none.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from backend.services.outputs.jsonsafe import JsonDict, finite_or_none, float_values_to_json
from modules.algorithms.base import registered_sweep_metrics
from modules.sweep_table import (
    CLUSTER_METRIC,
    INERTIA,
    METRIC_SPREAD,
    N_CLUSTERS,
    RUN_INDEX,
    SEED_AGREEMENT,
    SWEEP_COLUMNS,
    SWEEP_METRICS,
)

Direction = Literal["higher", "lower"]
METRIC_DIRECTIONS: dict[str, Direction] = {
    m.column: "higher" if m.higher_is_better else "lower" for m in registered_sweep_metrics()
}
_COMMON = {m.column for m in SWEEP_METRICS}


def metric_key(text: str) -> str:
    """A metric name or id reduced to lowercase letters (``davies_bouldin`` ≡ ``Davies-Bouldin``)."""
    return re.sub(r"[^a-z]", "", text.lower())


def present_metrics(df: pd.DataFrame) -> list[str]:
    """The metric columns the table has, in the spec's order (an extra metric's only with a value)."""
    return [
        name
        for name in METRIC_DIRECTIONS
        if name in df.columns and (name in _COMMON or bool(np.isfinite(numbers(df[name])).any()))
    ]


def is_sweep_results(df: pd.DataFrame) -> bool:
    """Whether the table looks like Sweep Clustering's ``sweep_results``."""
    return CLUSTER_METRIC in df.columns and N_CLUSTERS in df.columns and bool(present_metrics(df))


def numbers(series: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing or non-numeric values."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def same_values(left: np.ndarray, right: np.ndarray) -> bool:
    """Whether two columns hold the same numbers (NaN matches NaN, ±inf matches itself)."""
    with np.errstate(invalid="ignore"):
        close = np.isclose(left, right, rtol=1e-9, atol=1e-12, equal_nan=True) | (left == right)
    return bool(close.all())


def first_row_is_best(values: np.ndarray, direction: Direction) -> bool:
    """Whether the first row holds the best finite value (the table is sorted best first)."""
    finite = values[np.isfinite(values)]
    if values.size == 0 or not np.isfinite(values[0]):
        return False
    return bool(values[0] == (finite.max() if direction == "higher" else finite.min()))


def chosen_metric(df: pd.DataFrame) -> tuple[str, str]:
    """The metric the sweep optimised and how it was found: ``values``, ``name`` or ``default``.

    ``Cluster metric`` holds the chosen metric's value of each run, so the chosen metric is the column
    with the same values (ties broken by which column the best-first order agrees with); a textual
    ``Cluster metric`` naming the metric is accepted too.
    """
    metrics = present_metrics(df)
    chosen = df[CLUSTER_METRIC]
    if pd.api.types.is_numeric_dtype(chosen.dtype) and not pd.api.types.is_bool_dtype(chosen.dtype):
        target = numbers(chosen)
        matching = [name for name in metrics if same_values(target, numbers(df[name]))]
        agreeing = [
            name for name in matching if first_row_is_best(numbers(df[name]), METRIC_DIRECTIONS[name])
        ]
        if agreeing or matching:
            return (agreeing or matching)[0], "values"
    else:
        by_key = {metric_key(name): name for name in metrics}
        for text in chosen.dropna().astype(str).tolist():
            if metric_key(text) in by_key:
                return by_key[metric_key(text)], "name"
    return metrics[0], "default"


def best_of(values: np.ndarray, direction: Direction) -> float | None:
    """The best finite value in the metric's direction, or None."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    return float(finite.max() if direction == "higher" else finite.min())


def metric_series(
    ks: np.ndarray, runs: np.ndarray, values: np.ndarray, direction: Direction
) -> list[JsonDict]:
    """Per number of centroids (ascending): best, mean, count and every value with its run index."""
    series = []
    for k in np.unique(ks[np.isfinite(ks)]).tolist():
        rows = np.flatnonzero(ks == k)
        group = values[rows]
        finite = group[np.isfinite(group)]
        series.append(
            {
                "k": int(k),
                "best": best_of(group, direction),
                "mean": float(finite.mean()) if finite.size else None,
                "count": int(rows.size),
                "values": float_values_to_json(group),
                "runs": [None if not np.isfinite(run) else int(run) for run in runs[rows].tolist()],
            }
        )
    return series


def best_run(ks: np.ndarray, runs: np.ndarray, values: np.ndarray, direction: Direction) -> JsonDict | None:
    """The winning run on the chosen metric (ties: fewer clusters, then lower run index)."""
    usable = np.flatnonzero(np.isfinite(values) & np.isfinite(ks))
    if usable.size == 0:
        return None
    signed = -values[usable] if direction == "higher" else values[usable]
    tie_runs = np.where(np.isfinite(runs[usable]), runs[usable], np.inf)
    winner = usable[np.lexsort((tie_runs, ks[usable], signed))[0]]
    return {
        "k": int(ks[winner]),
        "run": None if not np.isfinite(runs[winner]) else int(runs[winner]),
        "value": finite_or_none(values[winner]),
        "row": int(winner),
    }


def sweep_visualization(df: pd.DataFrame) -> JsonDict:
    """``{type, metric, better, series: {metric: [{k, best, mean, count, values, runs}]}, best, ...}``."""
    if not is_sweep_results(df):
        raise ValueError("the table is not a sweep_results table")
    metric, source = chosen_metric(df)
    ks = numbers(df[N_CLUSTERS])
    runs = numbers(df[RUN_INDEX]) if RUN_INDEX in df.columns else np.arange(len(df), dtype=np.float64)
    metrics = present_metrics(df)
    best = best_run(ks, runs, numbers(df[metric]), METRIC_DIRECTIONS[metric])
    return {
        "type": "sweep_results",
        "metric": metric,
        "metric_source": source,
        "better": METRIC_DIRECTIONS[metric],
        "directions": {name: METRIC_DIRECTIONS[name] for name in metrics},
        "n_runs": len(df),
        "series": {
            name: metric_series(ks, runs, numbers(df[name]), METRIC_DIRECTIONS[name]) for name in metrics
        },
        "best": best,
        "parameters": [parameter_payload(df, column, runs, metrics) for column in parameter_columns(df)],
        "elbow": elbow(ks, numbers(df[INERTIA])) if INERTIA in df.columns else None,
        "stability": stability(df, ks),
    }


def parameter_columns(df: pd.DataFrame) -> list[str]:
    """The swept parameters' columns: those neither the table's own nor a metric's, in table order."""
    known = {*SWEEP_COLUMNS, *METRIC_DIRECTIONS}
    return [str(c) for c in df.columns if c not in known]


def _x_value(value: Any) -> float | str | None:
    """A swept parameter's value as the chart's x: a finite number, a text, or None (missing)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value)


def parameter_payload(df: pd.DataFrame, column: str, runs: np.ndarray, metrics: list[str]) -> JsonDict:
    """One swept parameter: ``{column, numeric, values (its distinct values, ascending), series:
    {metric: [{x, best, mean, count, values, runs}]}}`` (a missing value is left out)."""
    xs = [_x_value(v) for v in df[column].tolist()]
    present = [x for x in xs if x is not None]
    numeric = bool(present) and all(isinstance(x, float) for x in present)
    distinct = sorted(set(present), key=lambda x: (0, x, "") if isinstance(x, float) else (1, 0.0, str(x)))
    series: dict[str, list[JsonDict]] = {}
    for name in metrics:
        values, direction = numbers(df[name]), METRIC_DIRECTIONS[name]
        points = []
        for x in distinct:
            rows = np.array([i for i, v in enumerate(xs) if v == x], dtype=np.int64)
            group = values[rows]
            finite = group[np.isfinite(group)]
            points.append(
                {
                    "x": x,
                    "best": best_of(group, direction),
                    "mean": float(finite.mean()) if finite.size else None,
                    "count": int(rows.size),
                    "values": float_values_to_json(group),
                    "runs": [None if not np.isfinite(r) else int(r) for r in runs[rows].tolist()],
                }
            )
        series[name] = points
    return {"column": column, "numeric": numeric, "values": distinct, "series": series}


def find_knee(ks: list[int], inertia: list[float]) -> int | None:
    """Kneedle's knee of a decreasing convex curve (None: fewer than three points or none found)."""
    if len(ks) < 3:
        return None
    from kneed import KneeLocator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kneed warns when it finds no knee: None says so
        knee = KneeLocator(ks, inertia, S=1.0, curve="convex", direction="decreasing").knee
    return None if knee is None else int(knee)


def elbow(ks: np.ndarray, inertia: np.ndarray) -> JsonDict | None:
    """``{points: [{k, inertia, count}], knee: {k, inertia} | None, method}``: the smallest inertia of
    each number of clusters (the best of its runs); None when the table has no inertia."""
    usable = np.isfinite(ks) & np.isfinite(inertia)
    if not usable.any():
        return None
    points: list[JsonDict] = []
    for k in np.unique(ks[usable]).tolist():
        rows = usable & (ks == k)
        points.append({"k": int(k), "inertia": float(inertia[rows].min()), "count": int(rows.sum())})
    knee = find_knee([int(p["k"]) for p in points], [float(p["inertia"]) for p in points])
    knee_point = next(({"k": p["k"], "inertia": p["inertia"]} for p in points if p["k"] == knee), None)
    return {
        "points": points,
        "knee": knee_point,
        "method": "Kneedle (kneed): convex, decreasing, sensitivity 1, on the smallest inertia per k",
    }


def stability(df: pd.DataFrame, ks: np.ndarray) -> JsonDict | None:
    """Per number of clusters run with several seeds: the mean of its configurations' seed agreement
    (mean pairwise adjusted Rand index) and of the chosen metric's spread across seeds; None when no
    configuration ran with several seeds."""
    if SEED_AGREEMENT not in df.columns:
        return None
    ari = numbers(df[SEED_AGREEMENT])
    spread = numbers(df[METRIC_SPREAD]) if METRIC_SPREAD in df.columns else np.full(len(df), np.nan)
    usable = np.isfinite(ks) & np.isfinite(ari)
    if not usable.any():
        return None
    points = []
    for k in np.unique(ks[usable]).tolist():
        rows = usable & (ks == k)
        finite_spread = spread[rows][np.isfinite(spread[rows])]
        points.append(
            {
                "k": int(k),
                "ari": float(ari[rows].mean()),
                "min_ari": float(ari[rows].min()),
                "spread": float(finite_spread.mean()) if finite_spread.size else None,
                "runs": int(rows.sum()),
            }
        )
    return {"points": points}
