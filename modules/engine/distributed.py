"""K-means over a matrix partitioned by rows on a Dask cluster: the data stay in the workers' memory.

The matrix is persisted once. In each Lloyd pass the engine's compiled pass runs once per partition,
where the partition lives, and returns the partition's per-cluster sums of the centred member rows,
its member counts and a digest of its labels; the client adds them up in partition order and turns
them into the new centroids exactly as :func:`modules.engine.fit_kmeans` does (Euclidean k-means on
the centred data, the same empty-cluster rule, the same convergence tests and ``tol``). The
per-partition calls of a pass are submitted as one Dask task per worker thread, each running the
partitions that worker holds in turn (:mod:`modules.engine._partitions`): Dask's cost per task, not
the compiled work, is what a pass over many small partitions spends its time on, and a pass's
centroids go to each worker thread once instead of once per partition. A final pass
computes the inertia, the squared distances of the rows to their centroids, whenever the fit stops;
the labels are returned as a lazy dask array (one task per partition), so a result table can stay
partitioned.

With ``init="first_n"`` the fit is the in-memory fit: the same labels; the centroids and inertia agree
to rounding (the partitions add their rows in other groups than the in-memory blocks; one partition
gives the same bits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from modules.engine import _partition_tasks as tasks
from modules.engine._mstep import centroids_from_sums
from modules.engine._options import check_tol
from modules.engine._partitioned_init import (
    first_distinct_rows,
    kmeans_parallel,
    random_partition,
    relocate_empty_clusters,
)
from modules.engine._partitions import Partitions, check_partitioned, default_client
from modules.engine._validation import check_centroids
from modules.engine.initialization import check_n_clusters
from modules.engine.kmeans import MAX_SEED, _check_stop, _converged
from modules.errors import ModuleError

if TYPE_CHECKING:
    import dask.array as da
    from distributed import Client

PARTITIONED_INIT_METHODS = ("first_n", "random", "k-means||")
# The in-memory engine's name for k-means|| (its INIT_METHODS) is accepted too.
_INIT_ALIASES = {"kmeans++_fast": "k-means||"}


@dataclass
class PartitionedKMeansFit:
    """The result of :func:`fit_kmeans_partitioned`."""

    centroids: np.ndarray  # (k, d) float64
    inertia: float  # sum of squared Euclidean distances of the rows to their centroids
    n_iter: int  # Lloyd passes done
    converged: bool  # stopped because no label changed, the centroids did not move, or by tol
    labels: da.Array  # (n,) int64, lazy: one task per partition of X (nearest centroid of each row)


@dataclass
class _Centring:
    shift: np.ndarray  # the column means: the fit runs on X - shift, as the in-memory engine does
    absolute_tol: float


def fit_kmeans_partitioned(
    X: da.Array,
    n_clusters: int,
    *,
    init: str = "first_n",
    max_iter: int = 100,
    tol: float = 0.0,
    seed: int = 0,
    client: Client | None = None,
    init_centroids: object = None,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PartitionedKMeansFit:
    """Cluster the rows of X into ``n_clusters`` by Lloyd's algorithm (Euclidean), partition by partition.

    ``X`` is a float64 ``dask.array.Array`` split by rows only (each partition holds every column;
    known partition sizes, an empty partition is fine); it is persisted on the cluster of ``client``
    (default: the current Dask client) unless it already is. ``init``: "first_n" (the first k distinct
    rows: the in-memory First N), "random" (random partition) or "k-means||" (also "kmeans++_fast");
    ``seed`` makes "random" and "k-means||" reproducible for a given partitioning.
    ``init_centroids`` (k, d) is an explicit start instead. ``max_iter``, ``tol`` (relative, as in
    :func:`modules.engine.fit_kmeans` and scikit-learn) and the stopping rules are the in-memory fit's.
    ``should_stop()`` is polled before every pass (True raises ``Cancelled``); ``progress(fraction)`` is
    called after every pass and with 1.0 at the end.

    Raises ModuleError 0018 for a missing or infinite value, 0021 when X has fewer rows (or, for
    first_n and k-means||, distinct rows) than clusters; ValueError for an invalid option.
    """
    X = check_partitioned(X)
    n_clusters = check_n_clusters(n_clusters)
    init = _check_init(init)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an int in 0..{MAX_SEED}, got {seed!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
    relative_tol = check_tol(tol)
    start = None
    if init_centroids is not None:
        start = check_centroids(init_centroids, X.shape[1])
        if start.shape[0] != n_clusters:
            raise ValueError(f"init_centroids has {start.shape[0]} rows but n_clusters={n_clusters}")
    _check_enough_rows(X.shape[0], n_clusters)
    _check_stop(should_stop)

    parts = Partitions(client if client is not None else default_client(), X)
    centring = _centring(parts, relative_tol)
    if start is None:
        start = _initial_centroids(parts, n_clusters, init, int(seed))
    _check_stop(should_stop)
    centroids, n_iter, converged = _lloyd(
        parts, centring, start - centring.shift, int(max_iter), progress, should_stop
    )
    per_chunk = parts.run_on_partitions(tasks.chunk_inertias, shift=centring.shift, centroids=centroids)
    inertia = float(np.concatenate(per_chunk).sum())
    if progress is not None and n_iter < max_iter:
        progress(1.0)
    return PartitionedKMeansFit(
        centroids=centroids + centring.shift,
        inertia=inertia,
        n_iter=n_iter,
        converged=converged,
        labels=_lazy_labels(parts, centring.shift, centroids),
    )


def initial_centroids_partitioned(
    X: da.Array, n_clusters: int, init: str = "k-means||", *, seed: int = 0, client: Client | None = None
) -> np.ndarray:
    """The initial centroids (k, d) :func:`fit_kmeans_partitioned` starts from for ``init`` and ``seed``."""
    X = check_partitioned(X)
    n_clusters = check_n_clusters(n_clusters)
    init = _check_init(init)
    _check_enough_rows(X.shape[0], n_clusters)
    parts = Partitions(client if client is not None else default_client(), X)
    return _initial_centroids(parts, n_clusters, init, int(seed))


def _check_enough_rows(n_rows: int, n_clusters: int) -> None:
    if n_rows < n_clusters:
        raise ModuleError("0021", f"n_clusters={n_clusters} needs at least {n_clusters} rows, got {n_rows}")


def accepts_partitioned_init(init: str) -> bool:
    """Whether :func:`fit_kmeans_partitioned` takes this initialisation (by either of its names)."""
    return _INIT_ALIASES.get(init, init) in PARTITIONED_INIT_METHODS


def _check_init(init: str) -> str:
    init = _INIT_ALIASES.get(init, init)
    if init not in PARTITIONED_INIT_METHODS:
        raise ValueError(f"init must be one of {PARTITIONED_INIT_METHODS}, got {init!r}")
    return init


def _initial_centroids(parts: Partitions, n_clusters: int, init: str, seed: int) -> np.ndarray:
    if init == "first_n":
        return first_distinct_rows(parts, n_clusters)
    if init == "random":
        return random_partition(parts, n_clusters, seed)
    return kmeans_parallel(parts, n_clusters, seed)


def _centring(parts: Partitions, relative_tol: float) -> _Centring:
    """The column means (partition sums added in partition order; one partition: the in-memory bits),
    after checking every value is finite, and the absolute tolerance from the per-feature variances."""
    totals = parts.run_on_partitions(tasks.column_totals)
    sums = np.zeros(parts.n_features)
    for partial, _ in totals:
        sums += partial
    if not np.isfinite(sums).all():
        for (_, bad_row), first_row in zip(totals, parts.first_rows, strict=True):
            if bad_row >= 0:
                row = first_row + bad_row
                raise ModuleError("0018", f"row {row} has a missing or infinite feature value")
        raise ModuleError("0018", "the feature values are too large: their sums overflow")
    shift = sums / parts.n_rows
    absolute_tol = 0.0
    if relative_tol > 0.0:
        squares = np.sum(parts.run_on_partitions(tasks.square_deviations, means=shift), axis=0)
        absolute_tol = float((squares / parts.n_rows).mean() * relative_tol)
    return _Centring(shift, absolute_tol)


def _lloyd(
    parts: Partitions,
    centring: _Centring,
    centroids: np.ndarray,
    max_iter: int,
    progress: Callable[[float], None] | None,
    should_stop: Callable[[], bool] | None,
) -> tuple[np.ndarray, int, bool]:
    """Lloyd passes from the centred ``centroids``: one task per partition each; returns the centred
    centroids, the passes done and whether the fit converged (see :func:`kmeans._lloyd`)."""
    previous_digests: list[bytes] | None = None
    converged = False
    n_iter = 0
    for iteration in range(max_iter):
        _check_stop(should_stop)
        results = parts.run_on_partitions(tasks.lloyd_sums, shift=centring.shift, centroids=centroids)
        sums = np.zeros_like(centroids)
        counts = np.zeros(centroids.shape[0], dtype=np.int64)
        digests = []
        for packed in results:
            partial_sums, partial_counts, digest = tasks.unpack_lloyd_sums(packed, *centroids.shape)
            sums += partial_sums
            counts += partial_counts
            digests.append(digest)
        if not counts.all():
            relocate_empty_clusters(parts, centring.shift, centroids, sums, counts)
        new_centroids = centroids_from_sums(sums, counts, centroids, False)
        n_iter = iteration + 1
        if progress is not None:
            progress(n_iter / max_iter)
        # Equal label digests in every partition: no label changed (the in-memory n_changed == 0).
        labels_changed = previous_digests is None or digests != previous_digests
        unmoved = np.array_equal(new_centroids, centroids)
        converged = _converged(int(labels_changed), unmoved, centroids, new_centroids, centring.absolute_tol)
        centroids = new_centroids
        previous_digests = digests
        if converged:
            break
    return centroids, n_iter, converged


def _lazy_labels(parts: Partitions, shift: np.ndarray, centroids: np.ndarray) -> da.Array:
    """Each row's nearest centroid, as a dask array over the persisted partitions (not computed)."""
    return parts.array.map_blocks(
        tasks.nearest_labels,
        shift,
        centroids,
        drop_axis=1,
        dtype=np.int64,
        chunks=(parts.array.chunks[0],),
        meta=np.empty((0,), dtype=np.int64),
    )
