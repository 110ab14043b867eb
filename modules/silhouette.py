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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.column_types import column_type
from modules.engine._silhouette_kernels import cluster_distance_sums, simplified_silhouette_rows
from modules.partitioned import PartitionedTable
from modules.results import find_result_columns, is_result_column

__all__ = [
    "EXACT_ROWS",
    "cluster_labels",
    "FeatureSpace",
    "Silhouettes",
    "exact_silhouette",
    "feature_space",
    "partitioned_silhouettes",
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


def cluster_labels(series: pd.Series) -> np.ndarray:
    """Each row's cluster: its assignment when a whole number ≥ 0, else −1 (noise, missing)."""
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
    labels = cluster_labels(frame[found.assignments])
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


# --------------------------------------------------------------------------------------------------
# A results table in parts (:class:`modules.partitioned.PartitionedTable`): the same values, part by part
# --------------------------------------------------------------------------------------------------


def space_columns(schema: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The newest assignments column of a results table and its silhouette features (by its schema):
    the columns :func:`feature_space` uses."""
    found = find_result_columns([name for name, _ in schema])
    if found is None:
        raise ValueError("the table has no Assignments column")
    return found.assignments, [
        name for name, kind in schema if not is_result_column(name) and kind == "numeric"
    ]


def _kept(
    part: pd.DataFrame, assignments: str, features: list[str]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The part's labels, the positions of the rows :func:`feature_space` keeps, its feature columns."""
    labels = cluster_labels(part[assignments])
    columns = [
        pd.to_numeric(part[name], errors="coerce").to_numpy(np.float64, na_value=np.nan) for name in features
    ]
    keep = labels >= 0
    for values in columns:
        keep &= np.isfinite(values)
    return labels, np.flatnonzero(keep), columns


def part_extent(
    part: pd.DataFrame, *, assignments: str, features: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass one over a part: the labels of its kept rows, and each feature's min and max over them."""
    labels, rows, columns = _kept(part, assignments, features)
    low = np.array([values[rows].min() if rows.size else np.inf for values in columns])
    high = np.array([values[rows].max() if rows.size else -np.inf for values in columns])
    return labels[rows], low, high


def _scaled(rows: np.ndarray, columns: list[np.ndarray], low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The kept rows' features min-max scaled as :func:`feature_space` scales them."""
    X = np.empty((rows.size, len(columns)))
    for j, values in enumerate(columns):
        X[:, j] = values[rows]
    if rows.size:
        X -= low
        X /= np.where(high > low, high - low, 1.0)
    return X


def part_centroid_sums(
    part: pd.DataFrame,
    *,
    assignments: str,
    features: list[str],
    low: np.ndarray,
    high: np.ndarray,
    clusters: np.ndarray,
) -> np.ndarray:
    """Pass two: per cluster (``clusters``: the sorted cluster labels of the table), the sums of its
    kept rows' scaled features in this part ``(G, d)``."""
    labels, rows, columns = _kept(part, assignments, features)
    X = _scaled(rows, columns, low, high)
    codes = np.searchsorted(clusters, labels[rows])
    return np.column_stack(
        [np.bincount(codes, weights=X[:, f], minlength=len(clusters)) for f in range(X.shape[1])]
    )


def part_sample_rows(
    part: pd.DataFrame,
    picked: np.ndarray,
    *,
    assignments: str,
    features: list[str],
    low: np.ndarray,
    high: np.ndarray,
    clusters: np.ndarray,
) -> np.ndarray:
    """The scaled features of the part's kept rows number ``picked`` (among its kept rows)."""
    _, rows, columns = _kept(part, assignments, features)
    return _scaled(rows[picked], columns, low, high)


def part_with_silhouettes(
    part: pd.DataFrame,
    picked: np.ndarray,
    exact_values: np.ndarray,
    *,
    assignments: str,
    features: list[str],
    low: np.ndarray,
    high: np.ndarray,
    clusters: np.ndarray,
    centroids: np.ndarray | None,
    names: tuple[str, str],
) -> pd.DataFrame:
    """The part with both silhouette columns: the simplified one of its kept rows against the table's
    centroids, the exact one of its rows in the table's sample (``picked`` among its kept rows)."""
    n = len(part)
    exact, simplified = np.full(n, np.nan), np.full(n, np.nan)
    if centroids is not None:
        labels, rows, columns = _kept(part, assignments, features)
        if rows.size:
            out = np.empty(rows.size)
            codes = np.searchsorted(clusters, labels[rows]).astype(np.int64)
            simplified_silhouette_rows(
                np.ascontiguousarray(_scaled(rows, columns, low, high)), codes, centroids, out
            )
            simplified[rows] = out
            exact[rows[picked]] = exact_values
    return part.assign(**{names[0]: exact, names[1]: simplified})


def partitioned_silhouettes(
    table: PartitionedTable,
    names: tuple[str, str],
    exact_rows: int = EXACT_ROWS,
    should_stop: Callable[[], bool] | None = None,
) -> PartitionedTable:
    """:func:`table_silhouettes` of a results table in parts, appended as the columns ``names`` (exact,
    simplified), part by part: a pass for the kept rows' labels and the features' extent, one for the
    clusters' centroids, the exact silhouette of the same sample :func:`silhouettes` draws (its rows
    fetched from their parts), then each part's values. Only the kept rows' labels come here."""
    assignments, features = space_columns(table.schema)
    meta = table.meta.assign(**{names[0]: np.empty(0), names[1]: np.empty(0)})
    schema = [*table.schema, (names[0], "numeric"), (names[1], "numeric")]
    constants: dict[str, Any] = {"assignments": assignments, "features": features, "names": names}
    nothing = [np.empty(0, np.int64)] * table.n_parts
    no_values = [np.empty(0)] * table.n_parts
    if not features:
        empty = np.empty(0)
        return table.map_parts(
            part_with_silhouettes,
            nothing,
            no_values,
            meta=meta,
            schema=schema,
            low=empty,
            high=empty,
            clusters=np.empty(0, np.int64),
            centroids=None,
            **constants,
        )
    extents = table.each_part(
        part_extent, assignments=assignments, features=features, should_stop=should_stop
    )
    labels = np.concatenate([labels for labels, _, _ in extents])
    low = np.min([part_low for _, part_low, _ in extents], axis=0)
    high = np.max([part_high for _, _, part_high in extents], axis=0)
    clusters, codes = np.unique(labels, return_inverse=True)
    codes = codes.astype(np.int64)
    scale = {"low": low, "high": high, "clusters": clusters}
    if labels.size == 0 or int(codes.max()) < 1:  # fewer than two clusters: every value NaN
        return table.map_parts(
            part_with_silhouettes,
            nothing,
            no_values,
            meta=meta,
            schema=schema,
            centroids=None,
            **scale,
            **constants,
        )
    sums = np.sum(
        table.each_part(
            part_centroid_sums, assignments=assignments, features=features, should_stop=should_stop, **scale
        ),
        axis=0,
    )
    centroids = sums / np.bincount(codes, minlength=len(clusters)).astype(np.float64)[:, None]
    chosen = _sample(codes, exact_rows, SAMPLE_SEED) if labels.size > exact_rows else np.arange(labels.size)
    picked, values = nothing, no_values
    if int(codes[chosen].max()) >= 1 and len(np.unique(codes[chosen])) >= 2:
        starts = np.cumsum([0] + [len(part_labels) for part_labels, _, _ in extents])
        owner = np.searchsorted(starts, chosen, side="right") - 1
        picked = [chosen[owner == p] - starts[p] for p in range(table.n_parts)]
        X = np.concatenate(
            table.each_part(part_sample_rows, picked, assignments=assignments, features=features, **scale)
        )
        _, sample_codes = np.unique(codes[chosen], return_inverse=True)
        found = exact_silhouette(X, sample_codes.astype(np.int64))
        values = [found[owner == p] for p in range(table.n_parts)]
    return table.map_parts(
        part_with_silhouettes,
        picked,
        values,
        meta=meta,
        schema=schema,
        centroids=centroids,
        **scale,
        **constants,
    )
