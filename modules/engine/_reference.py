"""Plain NumPy reference implementation of the engine's compiled paths, for the tests.

Written for clarity, not speed: distances are computed directly as ``sum((x - c)^2)`` (in row chunks,
so a chunk x k x d temporary at most), the M-step with ``np.bincount``. Same semantics as the fast
path: ties to the lowest index, empty clusters re-seeded at the rows farthest from their own centroid,
stop when no label changes or the centroids do not move.
"""

from __future__ import annotations

import numpy as np

CHUNK_ROWS = 512


def unit_rows(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def unit_centroids(centroids: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    return centroids / np.where(norms > 0, norms, 1.0)


def pairwise_distances(X: np.ndarray, centroids: np.ndarray, metric: str = "euclidean") -> np.ndarray:
    """(n, k) Euclidean distances, or 1 - cosine similarity."""
    if metric == "cosine":
        return np.clip(1.0 - unit_rows(X) @ unit_centroids(centroids).T, 0.0, 2.0)
    out = np.empty((X.shape[0], centroids.shape[0]))
    for start in range(0, X.shape[0], CHUNK_ROWS):
        chunk = X[start : start + CHUNK_ROWS]
        out[start : start + CHUNK_ROWS] = np.sqrt(
            ((chunk[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        )
    return out


def assign(X: np.ndarray, centroids: np.ndarray, metric: str = "euclidean") -> tuple[np.ndarray, np.ndarray]:
    distances = pairwise_distances(X, centroids, metric)
    labels = np.argmin(distances, axis=1)
    return labels.astype(np.int64), distances[np.arange(X.shape[0]), labels]


def _cluster_sums(X: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(labels, minlength=k)
    sums = np.stack([np.bincount(labels, weights=X[:, f], minlength=k) for f in range(X.shape[1])], axis=1)
    return sums, counts


def lloyd(
    X: np.ndarray, centroids: np.ndarray, max_iter: int, metric: str = "euclidean"
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Lloyd's algorithm from ``centroids``: (centroids, labels, n_iter, converged)."""
    cosine = metric == "cosine"
    data = unit_rows(X) if cosine else X
    centroids = unit_centroids(centroids) if cosine else centroids.astype(np.float64)
    k = centroids.shape[0]
    labels = np.full(X.shape[0], -1)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        new_labels, _ = assign(data, centroids, metric)
        changed = not np.array_equal(new_labels, labels)
        labels = new_labels
        sums, counts = _cluster_sums(data, labels, k)
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            if cosine:
                own = 1.0 - (data * centroids[labels]).sum(axis=1)
            else:
                own = ((data - centroids[labels]) ** 2).sum(axis=1)
            if own.max() > 0:
                order = np.lexsort((np.arange(own.size), -own))
                for cluster, row in zip(empty, order, strict=False):
                    sums[labels[row]] -= data[row]
                    counts[labels[row]] -= 1
                    sums[cluster] = data[row]
                    counts[cluster] = 1
        filled = counts > 0
        new_centroids = unit_centroids(sums) if cosine else sums / np.where(filled, counts, 1)[:, None]
        if not filled.all():
            new_centroids[~filled] = new_centroids[np.argmax(counts)]
        moved = not np.array_equal(new_centroids, centroids)
        centroids = new_centroids
        if not changed or not moved:
            converged = True
            break
    labels, _ = assign(data, centroids, metric)
    return centroids, labels, n_iter, converged


def cluster_metrics(
    X: np.ndarray, centroids: np.ndarray, labels: np.ndarray, metric: str = "euclidean"
) -> dict:
    """The four sweep metrics from the full distance matrix (see modules.engine.metrics)."""
    if metric == "cosine":
        centroids = unit_centroids(centroids)
    distances = pairwise_distances(X, centroids, metric)
    rows = np.arange(X.shape[0])
    own = distances[rows, labels]
    sizes = np.bincount(labels, minlength=centroids.shape[0])
    effective = np.flatnonzero(sizes > 0)
    result = {"average_deviation": float(own.mean())}
    if effective.size < 2:
        return {**result, "simplified_silhouette": -1.0, "davies_bouldin": float("inf"), "dunn": 0.0}
    others = distances.copy()
    others[rows, labels] = np.inf
    others[:, sizes == 0] = np.inf
    other = others.min(axis=1)
    scores = np.zeros(X.shape[0])
    for i in rows:
        largest = max(own[i], other[i])
        if sizes[labels[i]] > 1 and largest > 0:
            scores[i] = (other[i] - own[i]) / largest
    kept = centroids[effective]
    between = pairwise_distances(kept, kept, metric)
    scatter = np.array([own[labels == c].mean() for c in effective])
    worst = []
    for a in range(effective.size):
        ratios = [
            (scatter[a] + scatter[b]) / between[a, b] if between[a, b] > 0 else np.inf
            for b in range(effective.size)
            if b != a
        ]
        worst.append(max(ratios))
    separation = min(between[a, b] for a in range(effective.size) for b in range(effective.size) if a != b)
    dunn = separation / own.max() if own.max() > 0 else (np.inf if separation > 0 else 0.0)
    return {
        **result,
        "simplified_silhouette": float(scores.mean()),
        "davies_bouldin": float(np.mean(worst)),
        "dunn": float(dunn),
    }
