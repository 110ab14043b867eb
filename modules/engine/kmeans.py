"""K-means clustering by Lloyd's algorithm (Euclidean, or spherical k-means under cosine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from modules.engine import _kernels
from modules.engine._mstep import centroids_from_sums, relocate_empty_clusters
from modules.engine._passes import AssignmentPasses
from modules.engine._validation import (
    check_data,
    check_enough_distinct_rows,
    check_finite_sums,
    check_metric,
    check_zero_rows,
    unit_rows,
)
from modules.engine.distances import _assign, _distance_to_own, _row_sq_norms
from modules.engine.initialization import (
    _initial_centroids,
    check_init,
    check_init_labels,
    check_n_clusters,
)
from modules.errors import Cancelled

MAX_SEED = 2**32 - 1
ALGORITHMS = ("auto", "lloyd", "hamerly")


@dataclass
class KMeansFit:
    """The result of :func:`fit_kmeans`."""

    centroids: np.ndarray  # (k, d) float64; unit-length rows under cosine
    labels: np.ndarray  # (n,) int64 in 0..k-1, the nearest centroid of each row
    n_iter: int  # Lloyd passes done
    converged: bool  # stopped because no assignment changed
    inertia: float  # sum of (weighted) squared Euclidean distances to the own centroid; cosine: of (1 - cos)
    algorithm: str = "lloyd"  # "hamerly" if some pass ran with Hamerly's bounds, else "lloyd" (plain)
    skipped_fraction: float = 0.0  # share of the n * k row-centroid distances of all passes not computed


def fit_kmeans(
    X: object,
    n_clusters: int,
    *,
    init: str = "kmeans++",
    metric: str = "euclidean",
    seed: int = 0,
    max_iter: int = 100,
    init_labels: object = None,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    algorithm: str = "auto",
) -> KMeansFit:
    """Cluster the rows of X (float64, no missing values) into ``n_clusters`` by Lloyd's algorithm.

    Each pass assigns every row to its nearest centroid and moves every centroid to the mean of its
    rows (under cosine: the normalised mean of the rows' unit vectors); a centroid left without rows
    is re-seeded at the row farthest from its own centroid. It stops when no assignment changes (or the
    centroids no longer move) or after ``max_iter`` passes; the returned labels are the nearest
    centroids of the returned centroids. ``progress(fraction)`` is called after every pass and with
    1.0 at the end; ``should_stop()`` is polled before every pass and True raises ``Cancelled``.
    ``algorithm``: "lloyd" scores every row against every centroid each pass; "hamerly" skips the rows
    whose distance bounds prove their label; "auto" picks per fit. All give the same result, bit for bit.

    Raises ModuleError 0021 when X has fewer distinct rows than clusters, 0018 for a zero row under
    cosine, 0024 for ``label_column`` without ``init_labels``. Same input and seed, same result, bit
    for bit.
    """
    data = check_data(X, check_finite=False)  # checked below, on sums computed anyway
    cosine = check_metric(metric)
    n_clusters = check_n_clusters(n_clusters)
    check_init(init)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an int in 0..{MAX_SEED}, got {seed!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
    labels = check_init_labels(init_labels, data.shape[0]) if init == "label_column" else None
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    _check_stop(should_stop)

    if cosine:
        sq_norms = _row_sq_norms(data)
        check_finite_sums(data, sq_norms)
        check_zero_rows(data, sq_norms)
        data = unit_rows(data, sq_norms)
        del sq_norms
    else:
        # X.mean(axis=0) is what scikit-learn centres with; equal bits keep its tie-breaking.
        column_sums = data.sum(axis=0) if data.shape[1] == 1 else _kernels.column_sums(data)
        check_finite_sums(data, column_sums)
    check_enough_distinct_rows(data, n_clusters)
    centroids = _initial_centroids(data, n_clusters, init, np.random.default_rng(seed), cosine, labels)
    if cosine:
        return _lloyd(
            data,
            np.zeros(data.shape[1]),
            centroids,
            cosine,
            int(max_iter),
            progress,
            should_stop,
            algorithm=algorithm,
        )
    # Euclidean k-means runs on the centred data, as scikit-learn does: it keeps ||c||^2 - 2 x.c
    # accurate. The kernels subtract the mean chunk by chunk, so X is not copied.
    mean = column_sums / data.shape[0]  # bit for bit data.mean(axis=0)
    fit = _lloyd(
        data, mean, centroids - mean, cosine, int(max_iter), progress, should_stop, algorithm=algorithm
    )
    fit.centroids += mean
    return fit


def _check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled()


def _lloyd(
    X: np.ndarray,
    shift: np.ndarray,
    centroids: np.ndarray,
    cosine: bool,
    max_iter: int,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    tol: float = 0.0,
    weights: np.ndarray | None = None,
    algorithm: str = "auto",
    trace: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> KMeansFit:
    """Lloyd iterations on ``X - shift`` from ``centroids``; X valid (unit rows under cosine).

    ``tol`` is absolute: the fit also converges once the squared centroid shifts summed over clusters
    are ``<= tol`` (scikit-learn's ``center_shift_tot``), then a final E-step. ``weights`` (float64,
    >= 0) weight the rows in the M-step, the empty-cluster rule and the inertia. ``algorithm``: see
    :func:`_passes.choose_algorithm`. ``trace(labels, centroids)``, if given, receives copies of every
    pass's labels and the centroids computed from them (for the tests).
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    passes = AssignmentPasses(X, shift, centroids.shape[0], cosine, weights, algorithm)
    converged = labels_fit_new_centroids = False
    reported = 0.0
    n_iter = 0
    for iteration in range(max_iter):
        _check_stop(should_stop)
        n_changed = passes.run(centroids)
        labels = passes.labels
        sums, totals = passes.sums_and_totals()
        if not totals.all():
            relocate_empty_clusters(X, shift, centroids, labels, sums, totals, cosine, weights)
        new_centroids = centroids_from_sums(sums, totals, centroids, cosine)
        n_iter = iteration + 1
        if trace is not None:
            trace(labels.copy(), new_centroids.copy())
        if progress is not None:
            reported = n_iter / max_iter
            progress(reported)
        # Centroids that did not move give the same labels next pass: no final E-step needed.
        labels_fit_new_centroids = np.array_equal(new_centroids, centroids)
        converged = _converged(n_changed, labels_fit_new_centroids, centroids, new_centroids, tol)
        centroids = new_centroids
        if converged:
            break

    if labels_fit_new_centroids:  # the last pass's labels are already the nearest centroids
        distances = _distance_to_own(X, centroids, labels, cosine, shift=shift)
    else:  # a final E-step, so that the labels match the returned centroids
        labels, distances = _assign(X, centroids, cosine, shift)
    if not cosine:
        np.square(distances, out=distances)
    inertia = float(distances.sum() if weights is None else np.dot(weights, distances))
    if progress is not None and reported < 1.0:
        progress(1.0)
    return KMeansFit(
        centroids=centroids,
        labels=labels,
        n_iter=n_iter,
        converged=converged,
        inertia=inertia,
        algorithm=passes.algorithm_ran,
        skipped_fraction=passes.skipped_fraction,
    )


def _converged(n_changed: int, unmoved: bool, old: np.ndarray, new: np.ndarray, tol: float) -> bool:
    """No label changed (scikit-learn's strict convergence), or the centroids did not move (its tol=0
    test), or with tol > 0 the squared moves summed over clusters are <= tol (its ``center_shift_tot``,
    computed the same way)."""
    if n_changed == 0 or unmoved:
        return True
    if tol <= 0.0:
        return False
    shifts = np.sqrt(((new - old) ** 2).sum(axis=1))
    return float((shifts**2).sum()) <= tol
