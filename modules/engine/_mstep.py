"""The M-step: centroids from per-cluster sums, and re-seeding of emptied clusters."""

from __future__ import annotations

import numpy as np

from modules.engine import _kernels
from modules.engine._validation import normalize_centroids


def centroids_from_sums(
    sums: np.ndarray, counts: np.ndarray, previous: np.ndarray, cosine: bool
) -> np.ndarray:
    """Means (Euclidean) or normalised sums (cosine) of each cluster's rows.

    ``counts`` are the member counts, or the weight totals when ``sums`` are weighted sums. A cluster
    that is still empty (count or weight 0) sits on the largest cluster's centroid (as in
    scikit-learn); under cosine a cluster whose member directions cancel out keeps its previous centroid.
    """
    filled = counts > 0
    if cosine:
        centroids = normalize_centroids(sums)
        cancelled = filled & ~np.any(centroids != 0.0, axis=1)
        centroids[cancelled] = previous[cancelled]
    else:
        centroids = sums * (1.0 / np.where(filled, counts, 1))[:, None]
    if not filled.all():
        centroids[~filled] = centroids[int(np.argmax(counts))]
    return centroids


def relocate_empty_clusters(
    X: np.ndarray,
    shift: np.ndarray,
    old_centroids: np.ndarray,
    labels: np.ndarray,
    sums: np.ndarray,
    counts: np.ndarray,
    cosine: bool,
    weights: np.ndarray | None = None,
) -> None:
    """Move the rows farthest from their own (old) centroid into the empty clusters, in place.

    Empty clusters (count, or weight total with ``weights``, 0), in index order, take the farthest rows
    in decreasing (unweighted) distance (ties: lower row index first); each row (as ``X - shift``, like
    the sums, times its weight) moves from its cluster's sums to the empty cluster's, and its count or
    weight with it. Labels are left as they are: the next E-step reassigns. Nothing moves when every
    row sits on its centroid. This is scikit-learn's rule (``_relocate_empty_clusters_dense``), with
    its ties made deterministic.
    """
    empty = np.flatnonzero(counts == 0)
    if empty.size == 0:
        return
    distances = np.empty(X.shape[0])
    with _kernels.parallel_section():
        _kernels.distance_to_own(X, shift, old_centroids, labels, cosine, True, distances)
    if distances.max() <= 0.0:
        return
    n_moves = min(empty.size, X.shape[0])
    threshold = np.partition(distances, X.shape[0] - n_moves)[X.shape[0] - n_moves]
    contenders = np.flatnonzero(distances >= threshold)
    farthest = contenders[np.lexsort((contenders, -distances[contenders]))][:n_moves]
    for cluster, row in zip(empty, farthest, strict=False):
        source = labels[row]
        moved = X[row] - shift
        weight = 1 if weights is None else weights[row]
        if weights is not None:
            moved *= weight
        sums[source] -= moved
        counts[source] -= weight
        sums[cluster] = moved
        counts[cluster] = weight
