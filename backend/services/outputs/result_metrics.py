"""The metrics of one clustering result that Compare runs shows beside another's, computed the same
way for every result whatever made it: in the silhouette view's feature space (the numeric columns other
than results, min-max scaled over the rows with every value), the four sweep metrics of
:mod:`modules.engine.metrics` against each cluster's mean, and the number of clusters and of noise rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backend.services.outputs.jsonsafe import finite_or_none
from backend.services.outputs.profiles import assignments_column
from modules.engine import cluster_metrics
from modules.engine.metrics import METRIC_NAMES
from modules.silhouette import cluster_labels, feature_space
from modules.sweep_table import SWEEP_METRICS

#: The metrics of one result, in the order shown: (id, name, which way is better).
RESULT_METRICS = (
    ("clusters", "Clusters", None),
    ("noise_rows", "Noise rows", None),
    *((m.id, m.column, m.better) for m in SWEEP_METRICS),
)


class LabelCounts:
    """The clusters and noise rows of a results table read in row parts (:meth:`add` each part's
    assignments in turn), counted exactly as :func:`result_metrics` counts them in a whole table."""

    def __init__(self) -> None:
        self.noise_rows = 0
        self._clusters: set[int] = set()

    def add(self, assignments: pd.Series) -> None:
        self.noise_rows += _noise_rows(assignments)
        labels = cluster_labels(assignments)
        self._clusters.update(np.unique(labels[labels >= 0]).tolist())

    @property
    def clusters(self) -> int:
        return len(self._clusters)


def _noise_rows(assignments: pd.Series) -> int:
    return int((pd.to_numeric(assignments, errors="coerce") < 0).sum())


def result_metrics(frame: pd.DataFrame, counts: LabelCounts | None = None) -> dict[str, float | int | None]:
    """The number of clusters and of noise rows, and the four sweep metrics of one result. ``counts``:
    ``frame`` is a sample of a table read in parts, and these its exact cluster and noise counts (the
    metrics are the sample's, in its feature space)."""
    assignments = assignments_column(frame)  # NotAClusteringResult first, for any table without one
    space = feature_space(frame)
    clusters = np.unique(space.labels[space.labels >= 0])
    found: dict[str, float | int | None] = (
        {"clusters": int(clusters.size), "noise_rows": _noise_rows(frame[assignments])}
        if counts is None
        else {"clusters": counts.clusters, "noise_rows": counts.noise_rows}
    )
    if not space.features or space.rows.size == 0 or clusters.size < 2:
        return {**found, **{name: None for name in METRIC_NAMES}}
    _, local = np.unique(space.labels[space.rows], return_inverse=True)
    sizes = np.bincount(local).astype(np.float64)
    X = space.X
    centroids = (
        np.column_stack([np.bincount(local, weights=X[:, f]) for f in range(X.shape[1])]) / sizes[:, None]
    )
    metrics = cluster_metrics(X, centroids, local.astype(np.int64))
    return {**found, **{name: finite_or_none(metrics[name]) for name in METRIC_NAMES}}
