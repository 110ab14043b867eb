"""Per-row silhouettes of a clustering: how well each row sits in its cluster (1: well inside, 0: on the
border, below 0: nearer another cluster).

Two values per row, both Euclidean in the feature space given:

- the **exact silhouette** ``(b − a) / max(a, b)``, a = mean distance to the other rows of its cluster,
  b = the smallest mean distance to the rows of another cluster (scikit-learn's
  ``silhouette_samples``; a row alone in its cluster scores 0). It costs every pair of rows, so on more
  than :data:`EXACT_ROWS` rows it is computed on a sample of that many drawn in proportion to the
  clusters (each cluster keeps at least two rows where it has them), and is NaN outside the sample;
- the **simplified silhouette** on every row: the same formula with a = the distance to its cluster's
  centroid (mean of its rows) and b = the distance to the nearest other centroid.

Rows whose label is negative (noise, :data:`modules.results.NOISE_LABEL`) or missing belong to no
cluster: both values are NaN for them. With fewer than two clusters every value is NaN.

The exact kernel is ours, not scikit-learn's: the same sums, each distance computed directly in one
compiled loop over the pairs (modules/engine/_silhouette_kernels.py), several times faster here
(bench/bench_views.py), because a view must answer in well under a second; tests compare it with
``silhouette_samples``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from modules.column_types import column_type
from modules.engine._silhouette_kernels import cluster_distance_sums, simplified_silhouette_rows
from modules.results import find_result_columns, is_result_column

__all__ = [
    "EXACT_ROWS",
    "FeatureSpace",
    "Silhouettes",
    "exact_silhouette",
    "feature_space",
    "silhouettes",
    "simplified_silhouette",
    "table_silhouettes",
]

#: Rows the exact silhouette is computed on, at most: the plot of a sample this size looks the same as
#: the whole one, and its cost (every pair of rows) stays a fraction of a second.
EXACT_ROWS = 5_000
SAMPLE_SEED = 20261129


@dataclass(frozen=True)
class Silhouettes:
    """Per-row values (NaN where not computed) and which rows the exact values come from."""

    exact: np.ndarray  # (n,) float64
    simplified: np.ndarray  # (n,) float64
    exact_rows: np.ndarray  # sorted positions of the rows with an exact value's sample
    sampled: bool  # whether exact_rows is a sample of the clustered rows


def _codes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster codes 0 … G−1 of the clustered rows (label ≥ 0) and their positions."""
    rows = np.flatnonzero(labels >= 0)
    _, codes = np.unique(labels[rows], return_inverse=True)
    return codes.astype(np.int64), rows


def exact_silhouette(X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The exact silhouette of every row of X (``codes``: each row's cluster, 0 … G−1, G ≥ 2)."""
    n, G = len(codes), int(codes.max()) + 1
    sums = np.empty((n, G))
    cluster_distance_sums(np.ascontiguousarray(X, dtype=np.float64), codes.astype(np.int64), sums)
    sizes = np.bincount(codes, minlength=G).astype(np.float64)
    rows = np.arange(n)
    own_size = sizes[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = sums[rows, codes] / (own_size - 1)
        means = sums / sizes
    means[rows, codes] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (b - a) / np.maximum(a, b)
    return np.where(own_size > 1, np.nan_to_num(s, nan=0.0), 0.0)


def simplified_silhouette(X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The simplified silhouette of every row of X against its cluster's centroid (G ≥ 2)."""
    G = int(codes.max()) + 1
    sizes = np.bincount(codes, minlength=G).astype(np.float64)
    sums = [np.bincount(codes, weights=X[:, f], minlength=G) for f in range(X.shape[1])]
    centroids = np.column_stack(sums).astype(np.float64) / sizes[:, None]
    out = np.empty(len(codes))
    simplified_silhouette_rows(
        np.ascontiguousarray(X, dtype=np.float64), codes.astype(np.int64), centroids, out
    )
    return out


def _sample(codes: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Positions (sorted) of ``size`` rows drawn in proportion to the clusters, at least two per cluster."""
    counts = np.bincount(codes)
    exact = counts * (size / len(codes))
    quota = np.floor(exact).astype(np.int64)
    quota[np.argsort(quota - exact, kind="stable")[: size - int(quota.sum())]] += 1
    quota = np.minimum(counts, np.maximum(np.minimum(2, counts), quota))
    rng = np.random.default_rng(seed)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    picked = [
        order[start + rng.choice(count, size=want, replace=False)]
        for start, count, want in zip(starts, counts, quota, strict=True)
        if count
    ]
    return np.sort(np.concatenate(picked))


def silhouettes(
    X: np.ndarray, labels: np.ndarray, exact_rows: int = EXACT_ROWS, seed: int = SAMPLE_SEED
) -> Silhouettes:
    """Both silhouettes of each row of ``X`` (float64, finite) clustered by ``labels`` (int, −1 = none)."""
    n = len(labels)
    exact = np.full(n, np.nan)
    simplified = np.full(n, np.nan)
    codes, rows = _codes(np.asarray(labels))
    if rows.size == 0 or int(codes.max()) < 1:
        return Silhouettes(exact, simplified, np.empty(0, np.int64), False)
    X = np.asarray(X, dtype=np.float64)
    simplified[rows] = simplified_silhouette(X[rows], codes)
    sampled = rows.size > exact_rows
    chosen = _sample(codes, exact_rows, seed) if sampled else np.arange(rows.size)
    if int(codes[chosen].max()) >= 1 and len(np.unique(codes[chosen])) >= 2:
        _, sample_codes = np.unique(codes[chosen], return_inverse=True)
        exact[rows[chosen]] = exact_silhouette(X[rows[chosen]], sample_codes.astype(np.int64))
    return Silhouettes(exact, simplified, rows[chosen], sampled)


@dataclass(frozen=True)
class FeatureSpace:
    """Where a results table's silhouettes are measured: ``X`` holds rows ``rows`` (positions in the
    table: a cluster and every feature present) of the ``features`` columns, each min-max scaled."""

    X: np.ndarray
    rows: np.ndarray
    features: list[str]
    labels: np.ndarray  # (n,) every row's cluster, −1 for none (noise or missing)


def _labels(series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    whole = np.isfinite(values) & (values % 1 == 0) & (values >= 0)
    labels = np.full(values.size, -1, dtype=np.int64)
    labels[whole] = values[whole].astype(np.int64)
    return labels


def feature_space(frame: pd.DataFrame) -> FeatureSpace:
    """A results table's feature space: its numeric columns other than results (the table's newest
    assignments column says each row's cluster), each min-max scaled to [0, 1] over the rows kept —
    the space the clustering modules fit in when they normalise (their default)."""
    found = find_result_columns([str(c) for c in frame.columns])
    if found is None:
        raise ValueError("the table has no Assignments column")
    labels = _labels(frame[found.assignments])
    features = [
        str(c) for c in frame.columns if not is_result_column(str(c)) and column_type(frame[c]) == "numeric"
    ]
    columns = [
        pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64, na_value=np.nan) for name in features
    ]
    keep = labels >= 0
    for values in columns:
        keep &= np.isfinite(values)
    rows = np.flatnonzero(keep)
    X = np.empty((rows.size, len(features)))
    for j, values in enumerate(columns):
        X[:, j] = values[rows]
    if rows.size:
        low, high = X.min(axis=0), X.max(axis=0)
        X -= low
        X /= np.where(high > low, high - low, 1.0)
    return FeatureSpace(X, rows, features, labels)


def table_silhouettes(frame: pd.DataFrame, exact_rows: int = EXACT_ROWS) -> tuple[Silhouettes, FeatureSpace]:
    """Both silhouettes of every row of a results table (NaN for rows left out of its feature space),
    with that space. ``exact_rows`` of the result are positions in the table."""
    space = feature_space(frame)
    n = len(frame)
    exact, simplified = np.full(n, np.nan), np.full(n, np.nan)
    if not space.features or space.rows.size == 0:
        return Silhouettes(exact, simplified, np.empty(0, np.int64), False), space
    found = silhouettes(space.X, space.labels[space.rows], exact_rows)
    exact[space.rows], simplified[space.rows] = found.exact, found.simplified
    return Silhouettes(exact, simplified, space.rows[found.exact_rows], found.sampled), space
