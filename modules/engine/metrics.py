"""Cluster quality metrics of a Sweep: simplified silhouette, Davies-Bouldin, Dunn, average deviation.

With a(i) the distance of row i to its own centroid and b(i) to the nearest other centroid, under the
model's metric, and only non-empty ("effective") clusters counted:

- simplified silhouette: mean of (b - a) / max(a, b); rows of one-row clusters (and rows with
  a = b = 0) score 0. Higher is better.
- Davies-Bouldin: S_c = mean a(i) over cluster c; mean over c of max over c' != c of
  (S_c + S_c') / d(mu_c, mu_c'). A pair of distinct clusters with coincident centroids scores +inf.
  Lower is better.
- Dunn: smallest distance between two centroids / largest a(i). +inf when every row sits on its
  centroid. Higher is better.
- average deviation: mean a(i). Lower is better.

With one effective cluster the pairwise quantities are undefined and the candidate scores worst:
silhouette -1.0, Davies-Bouldin +inf, Dunn 0.0. Everything is O(n * k).
"""

from __future__ import annotations

import numpy as np

from modules.engine import _kernels
from modules.engine._validation import (
    check_centroids,
    check_data,
    check_labels,
    check_metric,
    check_zero_rows,
    normalize_centroids,
)
from modules.engine.distances import _distance_to_own, _row_sq_norms, _score_offsets

METRIC_NAMES = ("simplified_silhouette", "davies_bouldin", "dunn", "average_deviation")
HIGHER_IS_BETTER = {
    "simplified_silhouette": True,
    "davies_bouldin": False,
    "dunn": True,
    "average_deviation": False,
}
WORST_SILHOUETTE = -1.0
WORST_DAVIES_BOULDIN = float("inf")
WORST_DUNN = 0.0


def cluster_metrics(
    X: object, centroids: object, labels: object, metric: str = "euclidean"
) -> dict[str, float]:
    """The four sweep metrics of a clustering (see the module docstring), keyed by :data:`METRIC_NAMES`."""
    data = check_data(X)
    cosine = check_metric(metric)
    centers = check_centroids(centroids, data.shape[1])
    assignment = check_labels(labels, data.shape[0], centers.shape[0])
    if cosine:
        check_zero_rows(data, _row_sq_norms(data))
        centers = normalize_centroids(centers)
    return _cluster_metrics(data, centers, assignment, cosine)


def label_centroid_metrics(X: object, labels: object, metric: str = "euclidean") -> dict[str, float]:
    """The four sweep metrics of a clustering known only by its labels (a model without centres, e.g.
    a density clustering): each cluster's centroid is the mean of its rows (under the cosine metric,
    their mean direction), then as :func:`cluster_metrics`. Rows labelled below 0 (noise) are left
    out; fewer than two clusters among the rest give NaN for all four (the metrics are undefined)."""
    codes_in = np.asarray(labels, dtype=np.int64)
    keep = codes_in >= 0
    data = check_data(X)
    if not keep.all():
        data = np.ascontiguousarray(data[keep])
    present, codes = np.unique(codes_in[keep], return_inverse=True)
    if present.size < 2:
        return {name: float("nan") for name in METRIC_NAMES}
    counts = np.bincount(codes, minlength=present.size)
    centroids = (
        np.column_stack(
            [np.bincount(codes, weights=data[:, j], minlength=present.size) for j in range(data.shape[1])]
        )
        / counts[:, None]
    )
    return cluster_metrics(data, centroids, codes.astype(np.int64), metric)


def _cluster_metrics(
    X: np.ndarray, centroids: np.ndarray, labels: np.ndarray, cosine: bool
) -> dict[str, float]:
    n_clusters = centroids.shape[0]
    own_distance = _distance_to_own(X, centroids, labels, cosine)
    sizes = np.bincount(labels, minlength=n_clusters)
    effective = sizes > 0
    average_deviation = float(np.mean(own_distance))
    if np.count_nonzero(effective) < 2:
        return {
            "simplified_silhouette": WORST_SILHOUETTE,
            "davies_bouldin": WORST_DAVIES_BOULDIN,
            "dunn": WORST_DUNN,
            "average_deviation": average_deviation,
        }

    n_blocks = _kernels.block_count(X.shape[0], 0)
    with _kernels.parallel_section():
        block_totals = _kernels.silhouette_terms(
            X,
            np.ascontiguousarray(centroids.T),
            _score_offsets(centroids, cosine),
            labels,
            own_distance,
            effective,
            sizes,
            cosine,
            n_blocks,
            _kernels.CHUNK_ROWS,
            _kernels.n_workers(),
        )
    silhouette = float(block_totals.sum() / X.shape[0])

    kept = centroids[effective]
    between = _centroid_distances(kept, cosine)
    np.fill_diagonal(between, np.inf)
    scatter = np.bincount(labels, weights=own_distance, minlength=n_clusters)[effective] / sizes[effective]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = (scatter[:, None] + scatter[None, :]) / between
    ratios[between == 0.0] = np.inf  # distinct clusters on one spot: as bad as it gets
    np.fill_diagonal(ratios, -np.inf)
    davies_bouldin = float(np.mean(ratios.max(axis=1)))

    largest_deviation = float(own_distance.max())
    smallest_separation = float(between.min())
    if largest_deviation > 0.0:
        dunn = smallest_separation / largest_deviation
    else:
        dunn = float("inf") if smallest_separation > 0.0 else WORST_DUNN
    return {
        "simplified_silhouette": silhouette,
        "davies_bouldin": davies_bouldin,
        "dunn": dunn,
        "average_deviation": average_deviation,
    }


def _centroid_distances(centroids: np.ndarray, cosine: bool) -> np.ndarray:
    """(k, k) distances between centroids, computed directly."""
    if cosine:
        return np.clip(1.0 - centroids @ centroids.T, 0.0, 2.0)
    differences = centroids[:, None, :] - centroids[None, :, :]
    return np.sqrt(np.einsum("ijf,ijf->ij", differences, differences))
