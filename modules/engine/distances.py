"""Distances from rows to centroids, and nearest-centroid assignment."""

from __future__ import annotations

import numpy as np

from modules.engine import _kernels, _scoring_kernels
from modules.engine._validation import (
    check_centroids,
    check_data,
    check_metric,
    check_zero_rows,
    normalize_centroids,
)


def pairwise_distances(X: object, centroids: object, metric: str = "euclidean") -> np.ndarray:
    """Distance from every row to every centroid, shape (n, k).

    Euclidean distances are not squared; cosine distance is ``1 - cosine similarity`` (centroids are
    normalised here, a zero row raises 0018). Computed in row chunks: extra memory O(chunk * k).
    """
    data = check_data(X)
    cosine = check_metric(metric)
    centers = check_centroids(centroids, data.shape[1])
    if cosine:
        check_zero_rows(data, _row_sq_norms(data))
        centers = normalize_centroids(centers)
    return _pairwise(data, centers, cosine)


def nearest_and_distances(
    X: object,
    centroids: object,
    metric: str = "euclidean",
    *,
    out: np.ndarray | None = None,
    columns: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every row's nearest centroid and its distances to all of them, in one compiled pass.

    Returns ``(labels (n,) int64, distances_t)``: the labels are ``argmin`` of the distances (ties to
    the lowest index), ``distances_t`` holds :func:`pairwise_distances` transposed, ``(k, n)``. With
    ``out`` (a C-contiguous float64 ``(k, N)`` array) row i's distances go to ``out[:, columns[i]]``
    (``columns``: int64 positions < N, default 0 … n−1) and ``out`` is returned: a scatter into a
    larger table without a temporary.
    """
    data = check_data(X)
    cosine = check_metric(metric)
    centers = check_centroids(centroids, data.shape[1])
    if cosine:
        check_zero_rows(data, _row_sq_norms(data))
        centers = normalize_centroids(centers)
    out, targets = score_target(out, columns, data.shape[0], centers.shape[0])
    return _nearest_and_distances(data, centers, cosine, out, targets)


def score_target(
    out: np.ndarray | None, columns: np.ndarray | None, n: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The checked ``out`` (a new ``(k, n)`` array when None) and ``columns`` (int64; empty: row i goes
    to column i) of :func:`nearest_and_distances`; ValueError when they do not fit n rows, k centroids."""
    if out is None:
        out = np.empty((k, n))
    elif (
        out.dtype != np.float64
        or out.ndim != 2
        or out.shape[0] != k
        or not out.flags.c_contiguous
        or not out.flags.writeable
    ):
        raise ValueError(f"out must be a writeable C-contiguous float64 array with {k} rows")
    if columns is None:
        if out.shape[1] < n:
            raise ValueError(f"out has {out.shape[1]} columns, fewer than the {n} rows")
        return out, np.empty(0, dtype=np.int64)
    targets = np.ascontiguousarray(columns, dtype=np.int64)
    if targets.shape != (n,) or (n and (targets.min() < 0 or targets.max() >= out.shape[1])):
        raise ValueError(f"columns must be {n} positions in 0..{out.shape[1] - 1}")
    return out, targets


def assign(X: object, centroids: object, metric: str = "euclidean") -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid of every row (int64, ties to the lowest index) and the distance to it."""
    data = check_data(X)
    cosine = check_metric(metric)
    centers = check_centroids(centroids, data.shape[1])
    if cosine:
        check_zero_rows(data, _row_sq_norms(data))
        centers = normalize_centroids(centers)
    return _assign(data, centers, cosine)


def _row_sq_norms(X: np.ndarray) -> np.ndarray:
    with _kernels.parallel_section():
        return _kernels.row_sq_norms(X)


def _score_offsets(centroids: np.ndarray, cosine: bool) -> np.ndarray:
    """What :func:`_kernels.lloyd_pass` adds to ``-2 x.c``: ``||c||^2``, or 0 under cosine."""
    if cosine:
        return np.zeros(centroids.shape[0])
    return np.einsum("ij,ij->i", centroids, centroids)


def _nearest_and_distances(
    X: np.ndarray, centroids: np.ndarray, cosine: bool, out: np.ndarray, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The scoring pass on valid input (``columns`` empty: row i goes to ``out[:, i]``)."""
    labels = np.empty(X.shape[0], dtype=np.int64)
    sq_norms = np.einsum("ij,ij->i", centroids, centroids)
    with _kernels.parallel_section():
        _scoring_kernels.nearest_and_distances(
            X,
            np.ascontiguousarray(centroids.T),
            sq_norms,
            cosine,
            columns,
            labels,
            out,
            _kernels.CHUNK_ROWS,
            _kernels.n_workers(),
        )
    return labels, out


def _pairwise(X: np.ndarray, centroids: np.ndarray, cosine: bool) -> np.ndarray:
    """Distances (n, k): the scoring pass's transposed output, viewed back (no copy)."""
    out = np.empty((centroids.shape[0], X.shape[0]))
    _nearest_and_distances(X, centroids, cosine, out, np.empty(0, dtype=np.int64))
    return out.T


def _nearest(
    X: np.ndarray,
    shift: np.ndarray,
    centroids: np.ndarray,
    cosine: bool,
    labels: np.ndarray,
    distances: np.ndarray | None = None,
) -> int:
    """Update ``labels`` in place to the centroids nearest to ``X - shift``; return how many changed.

    ``distances``, if given, receives each row's distance to its centroid.
    """
    k, d = centroids.shape
    n_blocks = _kernels.block_count(X.shape[0], 0)
    no_sums = np.empty((0, 0, 0))
    no_counts = np.empty((0, 0), np.int64)
    with _kernels.parallel_section():
        return int(
            _kernels.lloyd_pass(
                X,
                shift,
                centroids,
                np.ascontiguousarray(centroids.T),
                _score_offsets(centroids, cosine),
                labels,
                no_sums,
                no_counts,
                n_blocks,
                _kernels.CHUNK_ROWS,
                False,
                np.empty(0) if distances is None else distances,
                cosine,
                _kernels.n_workers(),
            )
        )


def _distance_to_own(
    X: np.ndarray,
    centroids: np.ndarray,
    labels: np.ndarray,
    cosine: bool,
    *,
    shift: np.ndarray | None = None,
    squared: bool = False,
) -> np.ndarray:
    """Distance from each row (minus ``shift``) to its own centroid, computed directly."""
    out = np.empty(X.shape[0])
    offset = np.zeros(X.shape[1]) if shift is None else shift
    with _kernels.parallel_section():
        _kernels.distance_to_own(X, offset, centroids, labels, cosine, squared, out)
    return out


def _assign(
    X: np.ndarray, centroids: np.ndarray, cosine: bool, shift: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid of each row of ``X - shift`` and the distance to it."""
    offset = np.zeros(X.shape[1]) if shift is None else shift
    labels = np.full(X.shape[0], -1, dtype=np.int64)
    distances = np.empty(X.shape[0])
    _nearest(X, offset, centroids, cosine, labels, distances)
    return labels, distances
