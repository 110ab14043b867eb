"""The ``sweep_results`` table of Sweep Clustering: its columns, its metrics and their directions.

Written by the Sweep Clustering module, read by the sweep chart; this file is the one place that
names them. The metrics are the four of :data:`SWEEP_METRICS`, which every algorithm computes, then
the extra metrics algorithms declare (:attr:`~modules.algorithms.base.ClusterModel.extra_metrics`):
the table has a column for each registered one (NaN where the run's algorithm does not compute it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from modules.column_types import Schema

__all__ = [
    "CLUSTER_METRIC",
    "INITIALIZATION",
    "NOISE_FRACTION",
    "N_CLUSTERS",
    "RUN_INDEX",
    "SWEEP_COLUMNS",
    "SWEEP_METRICS",
    "SweepMetric",
    "metric_by_id",
    "rank_key",
    "sweep_columns",
    "sweep_schema",
    "sweep_table",
]


@dataclass(frozen=True)
class SweepMetric:
    id: str
    column: str
    higher_is_better: bool

    @property
    def better(self) -> str:
        return "higher" if self.higher_is_better else "lower"


#: The four clustering metrics, with the column each one fills.
SWEEP_METRICS = (
    SweepMetric("simplified_silhouette", "Simplified Silhouette", True),
    SweepMetric("davies_bouldin", "Davies-Bouldin", False),
    SweepMetric("dunn", "Dunn", True),
    SweepMetric("average_deviation", "Average Deviation", False),
)

#: The share of a clustering's rows that are noise (lower is better): declared by density algorithms in
#: their ``extra_metrics`` (the one object, so the sweep table has one column for all of them).
NOISE_FRACTION = SweepMetric("noise_fraction", "Noise fraction", False)

CLUSTER_METRIC = "Cluster metric"  # the chosen metric's value, per run
N_CLUSTERS = "Number of centroids"
RUN_INDEX = "Index of run"
INITIALIZATION = "Initialization"
SEED = "Seed"
ITERATIONS = "Iterations run"
SECONDS = "Seconds"

SWEEP_COLUMNS = [
    CLUSTER_METRIC,
    N_CLUSTERS,
    RUN_INDEX,
    INITIALIZATION,
    SEED,
    *(m.column for m in SWEEP_METRICS),
    ITERATIONS,
    SECONDS,
]
_INTEGER_COLUMNS = {N_CLUSTERS: "int64", RUN_INDEX: "int64", SEED: "int64", ITERATIONS: "int64"}


def sweep_columns(metrics: Sequence[SweepMetric] = SWEEP_METRICS) -> list[str]:
    """The table's columns: :data:`SWEEP_COLUMNS` with the extra metrics' columns after the four."""
    extra = [m.column for m in metrics if m not in SWEEP_METRICS]
    at = SWEEP_COLUMNS.index(ITERATIONS)
    return [*SWEEP_COLUMNS[:at], *extra, *SWEEP_COLUMNS[at:]]


def metric_by_id(metric_id: str, metrics: Sequence[SweepMetric] = SWEEP_METRICS) -> SweepMetric:
    return next(m for m in metrics if m.id == metric_id)


def rank_key(
    metric_id: str, row: dict[str, Any], metrics: Sequence[SweepMetric] = SWEEP_METRICS
) -> tuple[float, int, int]:
    """Best first on the metric (a NaN value last); ties: fewer clusters, then the lower run index."""
    metric = metric_by_id(metric_id, metrics)
    value = float(row[metric.column])
    score = math.inf if math.isnan(value) else (-value if metric.higher_is_better else value)
    return (score, int(row[N_CLUSTERS]), int(row[RUN_INDEX]))


def sweep_table(
    rows: list[dict[str, Any]], metric_id: str, metrics: Sequence[SweepMetric] = SWEEP_METRICS
) -> pd.DataFrame:
    """The table of the trained runs in :func:`rank_key` order. Each row: ``N_CLUSTERS``,
    ``RUN_INDEX``, ``INITIALIZATION``, ``SEED``, the metric columns (of ``metrics``), ``ITERATIONS``,
    ``SECONDS``."""
    column = metric_by_id(metric_id, metrics).column
    ordered = [
        {**r, CLUSTER_METRIC: r[column]} for r in sorted(rows, key=lambda r: rank_key(metric_id, r, metrics))
    ]
    return pd.DataFrame(ordered, columns=sweep_columns(metrics)).astype(_INTEGER_COLUMNS)


def sweep_schema(metrics: Sequence[SweepMetric] = SWEEP_METRICS) -> Schema:
    return [(c, "string" if c == INITIALIZATION else "numeric") for c in sweep_columns(metrics)]
