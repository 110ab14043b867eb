"""The ``sweep_results`` table of Sweep Clustering: its columns, its metrics and their directions.

Written by the Sweep Clustering module, read by the sweep chart; this file is the one place that
names them. The metrics are the four of :data:`SWEEP_METRICS`, which every algorithm computes, then
the extra metrics algorithms declare (:attr:`~modules.algorithms.base.ClusterModel.extra_metrics`):
the table has a column for each registered one (NaN where the run's algorithm does not compute it).

Beyond the metrics, every run has:

* a column per **swept parameter** — each key of the candidates' ``Candidate.settings`` whose value
  varies across the sweep's candidates, named by :func:`setting_column` from the parameter's name in
  the algorithm's declaration (e.g. "Covariance type");
* ``Inertia``: the within-cluster sum of squares (squared Euclidean distance of each training row to its
  cluster's mean, in the model's feature space, weighted by the row weights when there are any, noise
  rows — label -1 — left out): for a converged Euclidean K-Means it is the model's own inertia, and
  any algorithm gets the same definition (:func:`within_cluster_sum_of_squares`);
* where a configuration (every candidate field but the seed) ran with several seeds, the spread of the
  chosen metric across those seeds (its sample standard deviation, :data:`METRIC_SPREAD`) and the mean
  adjusted Rand index between every two of those seeds' clusterings (:data:`SEED_AGREEMENT`: 1 means
  every seed found the same clustering); NaN for a configuration run with one seed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.agreement import adjusted_rand_from_contingency, contingency_table
from modules.column_types import Schema
from modules.errors import Cancelled

__all__ = [
    "CLUSTER_METRIC",
    "INERTIA",
    "INITIALIZATION",
    "METRIC_SPREAD",
    "NOISE_FRACTION",
    "N_CLUSTERS",
    "RUN_INDEX",
    "SEED_AGREEMENT",
    "SWEEP_COLUMNS",
    "SWEEP_METRICS",
    "SweepMetric",
    "SweptSetting",
    "adjusted_rand_index",
    "mean_pairwise_ari",
    "metric_by_id",
    "rank_key",
    "setting_column",
    "sweep_columns",
    "sweep_schema",
    "sweep_table",
    "within_cluster_sum_of_squares",
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
INERTIA = "Inertia"  # within-cluster sum of squares (see the module docstring)
METRIC_SPREAD = "Cluster metric spread across seeds"  # sample std of the chosen metric over the seeds
SEED_AGREEMENT = "Mean ARI across seeds"  # mean pairwise adjusted Rand index over the seeds

SWEEP_COLUMNS = [
    CLUSTER_METRIC,
    N_CLUSTERS,
    RUN_INDEX,
    INITIALIZATION,
    SEED,
    *(m.column for m in SWEEP_METRICS),
    INERTIA,
    METRIC_SPREAD,
    SEED_AGREEMENT,
    ITERATIONS,
    SECONDS,
]
_INTEGER_COLUMNS = {N_CLUSTERS: "int64", RUN_INDEX: "int64", SEED: "int64", ITERATIONS: "int64"}


@dataclass(frozen=True)
class SweptSetting:
    """A parameter the sweep's candidates vary (a key of ``Candidate.settings``) and its column."""

    key: str
    column: str
    numeric: bool  # every value a number (else the column holds text)


def setting_column(parameter_name: str) -> str:
    """The column of a swept parameter: its name in the algorithm's declaration (e.g. "Covariance
    type"), with " (swept)" after it when the table already has a column of that name."""
    taken = {*SWEEP_COLUMNS, *(m.column for m in SWEEP_METRICS)}
    return f"{parameter_name} (swept)" if parameter_name in taken else parameter_name


def sweep_columns(
    metrics: Sequence[SweepMetric] = SWEEP_METRICS, settings: Sequence[SweptSetting] = ()
) -> list[str]:
    """The table's columns: :data:`SWEEP_COLUMNS` with the swept parameters' columns after ``SEED`` and
    the extra metrics' columns after the four."""
    extra = [m.column for m in metrics if m not in SWEEP_METRICS]
    after_seed = SWEEP_COLUMNS.index(SEED) + 1
    at = SWEEP_COLUMNS.index(INERTIA)
    return [
        *SWEEP_COLUMNS[:after_seed],
        *(s.column for s in settings),
        *SWEEP_COLUMNS[after_seed:at],
        *extra,
        *SWEEP_COLUMNS[at:],
    ]


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
    rows: list[dict[str, Any]],
    metric_id: str,
    metrics: Sequence[SweepMetric] = SWEEP_METRICS,
    settings: Sequence[SweptSetting] = (),
) -> pd.DataFrame:
    """The table of the trained runs in :func:`rank_key` order. Each row: ``N_CLUSTERS``,
    ``RUN_INDEX``, ``INITIALIZATION``, ``SEED``, the swept parameters' columns (of ``settings``), the
    metric columns (of ``metrics``), ``INERTIA``, ``ITERATIONS``, ``SECONDS`` and, when given,
    ``METRIC_SPREAD`` and ``SEED_AGREEMENT`` (NaN when missing)."""
    column = metric_by_id(metric_id, metrics).column
    ordered = [
        {**r, CLUSTER_METRIC: r[column]} for r in sorted(rows, key=lambda r: rank_key(metric_id, r, metrics))
    ]
    table = pd.DataFrame(ordered, columns=sweep_columns(metrics, settings)).astype(_INTEGER_COLUMNS)
    for name in (INERTIA, METRIC_SPREAD, SEED_AGREEMENT):
        table[name] = table[name].astype("float64")
    for setting in settings:
        if setting.numeric:
            table[setting.column] = pd.to_numeric(table[setting.column]).astype("float64")
        else:
            table[setting.column] = [None if v is None else str(v) for v in table[setting.column]]
    return table


def sweep_schema(
    metrics: Sequence[SweepMetric] = SWEEP_METRICS, settings: Sequence[SweptSetting] = ()
) -> Schema:
    text = {INITIALIZATION, *(s.column for s in settings if not s.numeric)}
    return [(c, "string" if c in text else "numeric") for c in sweep_columns(metrics, settings)]


def within_cluster_sum_of_squares(
    X: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None, chunk: int = 16_384
) -> float:
    """The inertia of a clustering of ``X``: the (weighted) sum over rows of the squared Euclidean
    distance to their cluster's (weighted) mean; rows labelled -1 (noise) are left out. NaN when no row
    is in a cluster."""
    labels = np.asarray(labels, dtype=np.int64)
    kept = labels >= 0
    if not kept.any():
        return math.nan
    if not kept.all():
        X, labels = X[kept], labels[kept]
        weights = None if weights is None else weights[kept]
    k = int(labels.max()) + 1
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    mass = np.bincount(labels, weights=w, minlength=k).astype(np.float64)
    columns = [
        np.bincount(labels, weights=X[:, j] if w is None else X[:, j] * w, minlength=k)
        for j in range(X.shape[1])
    ]
    sums = np.stack(columns, axis=1)
    means = np.divide(sums, mass[:, None], out=np.zeros_like(sums), where=mass[:, None] > 0)
    total = 0.0
    for start in range(0, len(X), chunk):  # a (chunk, d) difference at a time (cache-sized), not (n, d)
        stop = start + chunk
        diff = X[start:stop] - means[labels[start:stop]]
        if w is None:
            total += float(np.einsum("ij,ij->", diff, diff))
        else:
            total += float(np.einsum("ij,ij,i->", diff, diff, w[start:stop]))
    return total


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """scikit-learn's ``adjusted_rand_score(a, b)`` (:func:`modules.agreement.adjusted_rand_from_contingency`)
    of two integer labellings (noise -1 included), counted with ``np.bincount`` (a sweep of many seeds
    compares many pairs)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if len(a) == 0:
        return 1.0
    a, b = a - a.min(), b - b.min()
    return adjusted_rand_from_contingency(contingency_table(a, b, int(a.max()) + 1, int(b.max()) + 1))


def mean_pairwise_ari(
    labelings: Sequence[np.ndarray], should_stop: Callable[[], bool] | None = None
) -> float:
    """The mean adjusted Rand index (:func:`adjusted_rand_index`) over every two of the clusterings of
    the same rows; NaN for fewer than two. ``should_stop`` is asked before each pair (many seeds of many
    rows take a while): True raises :class:`~modules.errors.Cancelled`."""
    if len(labelings) < 2:
        return math.nan
    values = []
    for a, b in itertools.combinations(labelings, 2):
        if should_stop is not None and should_stop():
            raise Cancelled()
        values.append(adjusted_rand_index(a, b))
    return float(np.mean(values))
