"""The ``sweep_results`` table of Sweep Clustering: its columns, its metrics and their directions.

Written by the Sweep Clustering module, read by the sweep chart; this file is the one place that
names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from modules.column_types import Schema

__all__ = [
    "CLUSTER_METRIC",
    "INITIALIZATION",
    "N_CLUSTERS",
    "RUN_INDEX",
    "SWEEP_COLUMNS",
    "SWEEP_METRICS",
    "SweepMetric",
    "metric_by_id",
    "rank_key",
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


def metric_by_id(metric_id: str) -> SweepMetric:
    return next(m for m in SWEEP_METRICS if m.id == metric_id)


def rank_key(metric_id: str, row: dict[str, Any]) -> tuple[float, int, int]:
    """Best first on the metric (a NaN value last); ties: fewer clusters, then the lower run index."""
    metric = metric_by_id(metric_id)
    value = float(row[metric.column])
    score = math.inf if math.isnan(value) else (-value if metric.higher_is_better else value)
    return (score, int(row[N_CLUSTERS]), int(row[RUN_INDEX]))


def sweep_table(rows: list[dict[str, Any]], metric_id: str) -> pd.DataFrame:
    """The table of the trained runs in :func:`rank_key` order. Each row: ``N_CLUSTERS``,
    ``RUN_INDEX``, ``INITIALIZATION``, ``SEED``, the metric columns, ``ITERATIONS``, ``SECONDS``."""
    column = metric_by_id(metric_id).column
    ordered = [{**r, CLUSTER_METRIC: r[column]} for r in sorted(rows, key=lambda r: rank_key(metric_id, r))]
    return pd.DataFrame(ordered, columns=SWEEP_COLUMNS).astype(_INTEGER_COLUMNS)


def sweep_schema() -> Schema:
    return [(c, "string" if c == INITIALIZATION else "numeric") for c in SWEEP_COLUMNS]
