"""The per-partition tasks of :mod:`modules.engine.distributed`: plain functions of NumPy arrays.

Each runs on a Dask worker against one row partition of the feature matrix (all its columns) and
returns something small: per-cluster sums and counts, chunk inertias, a few rows. They call the
engine's compiled kernels exactly as the in-memory fit does (the same block layout for the partition's
rows, the same centring, the same distance formulas), on one thread: Dask runs one task per worker
thread, so a task that started more kernel threads would only take cores from the others.

No Dask import here: the tasks are importable (and their kernels precompiled) without a cluster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np

from modules.engine import _kernels, _scoring_kernels
from modules.engine._options import column_sums
from modules.engine.distances import _score_offsets

TASK_THREADS = 1
_VARIANCE_CHUNK_ROWS = 65536


@contextmanager
def _task_kernels() -> Iterator[None]:
    """Kernels launched from this thread use TASK_THREADS threads (thread-local in Numba; restored)."""
    previous = numba.get_num_threads()
    numba.set_num_threads(min(TASK_THREADS, previous))
    try:
        with _kernels.parallel_section():
            yield
    finally:
        numba.set_num_threads(previous)


def as_matrix(block: np.ndarray) -> np.ndarray:
    """The partition as the kernels take it: C-contiguous float64 (no copy when it already is)."""
    return np.ascontiguousarray(block, dtype=np.float64)


def column_totals(block: np.ndarray) -> tuple[np.ndarray, int]:
    """The partition's column sums (rows added in order, as :func:`_options.column_sums`) and the first
    row (partition-local) with a missing or infinite value, -1 if none (looked for only when a sum is
    not finite)."""
    X = as_matrix(block)
    if X.shape[0] == 0:
        return np.zeros(X.shape[1]), -1
    sums = column_sums(X)
    bad = -1
    if not np.isfinite(sums).all():
        rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
        bad = int(rows[0]) if rows.size else -1
    return sums, bad


def square_deviations(block: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Per-feature sums of ``(x - means)^2`` over the partition (the relative tolerance's variances)."""
    X = as_matrix(block)
    squares = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], _VARIANCE_CHUNK_ROWS):
        deviations = X[start : start + _VARIANCE_CHUNK_ROWS] - means
        squares += np.einsum("ij,ij->j", deviations, deviations)
    return squares


def labels_digest(labels: np.ndarray, n_clusters: int) -> bytes:
    """A 128-bit digest of a partition's labels (each in 0..n_clusters-1): equal digests in two passes
    mean no label changed. The labels are hashed in the narrowest unsigned type that holds them (one
    byte each for k <= 256): hashing the int64 labels took a tenth of a pass's time."""
    narrow = labels.astype(np.min_scalar_type(max(n_clusters - 1, 0)))
    return hashlib.blake2b(narrow.data, digest_size=16).digest()


def lloyd_sums(block: np.ndarray, shift: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """One Lloyd pass over the partition (rows minus ``shift``, centred ``centroids``), packed in one
    float64 array (one array per result is what a Dask round trip moves fastest; see
    :func:`unpack_lloyd_sums`): the sums of the shifted member rows per cluster (k, d), the member
    counts (k,; exact in float64 below 2^53 rows), and the 16-byte digest of the labels."""
    X = as_matrix(block)
    n_rows, n_features = X.shape
    k = centroids.shape[0]
    labels = np.full(n_rows, -1, dtype=np.int64)
    if n_rows == 0:
        return _pack(np.zeros((k, n_features)), np.zeros(k, dtype=np.int64), labels)
    n_blocks = _kernels.block_count(n_rows, k * n_features)
    block_sums, block_counts = _kernels.block_buffers(n_blocks, k, n_features)
    _lloyd_pass(X, shift, centroids, labels, block_sums, block_counts, n_blocks, np.empty(0))
    # Blocks reduced in order, as AssignmentPasses.sums_and_totals does.
    return _pack(block_sums[:, :k].sum(axis=0), block_counts[:, :k].sum(axis=0), labels)


def _pack(sums: np.ndarray, counts: np.ndarray, labels: np.ndarray) -> np.ndarray:
    digest = np.frombuffer(labels_digest(labels, counts.size), dtype=np.float64)
    return np.concatenate([sums.ravel(), counts.astype(np.float64), digest])


def unpack_lloyd_sums(
    packed: np.ndarray, n_clusters: int, n_features: int
) -> tuple[np.ndarray, np.ndarray, bytes]:
    """The sums (k, d), counts (k,) int64 and label digest (bytes) :func:`lloyd_sums` packed."""
    size = n_clusters * n_features
    sums = packed[:size].reshape(n_clusters, n_features)
    counts = packed[size : size + n_clusters].astype(np.int64)
    return sums, counts, packed[size + n_clusters :].tobytes()


def _nearest(X: np.ndarray, shift: np.ndarray, centroids: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Nearest centred centroid of every row of ``X - shift`` (the in-memory final E-step's kernel call);
    ``distances`` (empty, or (n,)) receives each row's distance to it."""
    labels = np.full(X.shape[0], -1, dtype=np.int64)
    if X.shape[0] == 0:
        return labels
    no_sums, no_counts = np.empty((0, 0, 0)), np.empty((0, 0), np.int64)
    _lloyd_pass(
        X, shift, centroids, labels, no_sums, no_counts, _kernels.block_count(X.shape[0], 0), distances
    )
    return labels


def _lloyd_pass(
    X: np.ndarray,
    shift: np.ndarray,
    centroids: np.ndarray,
    labels: np.ndarray,
    block_sums: np.ndarray,
    block_counts: np.ndarray,
    n_blocks: int,
    distances: np.ndarray,
) -> None:
    """The engine's Euclidean pass over ``X - shift`` in this task's kernel threads: ``labels`` filled;
    the members' sums and counts per block when ``block_sums`` has blocks (else none are kept);
    ``distances`` (empty, or (n,)) each row's distance to its centroid."""
    with _task_kernels():
        _kernels.lloyd_pass(
            X,
            shift,
            centroids,
            np.ascontiguousarray(centroids.T),
            _score_offsets(centroids, False),
            labels,
            block_sums,
            block_counts,
            n_blocks,
            _kernels.CHUNK_ROWS,
            block_sums.shape[0] > 0,
            distances,
            False,
            _kernels.n_workers(),
        )


def nearest_labels(block: np.ndarray, shift: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The partition's labels: the nearest of the centred ``centroids`` to each row minus ``shift``."""
    X = as_matrix(block)
    return _nearest(X, shift, centroids, np.empty(0))


def chunk_inertias(block: np.ndarray, shift: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The final E-step's inertia of the partition, per chunk of CHUNK_ROWS rows in row order: squared
    distances computed and summed exactly as :func:`kmeans._final_step` does for each row."""
    X = as_matrix(block)
    distances = np.empty(X.shape[0])
    _nearest(X, shift, centroids, distances)
    np.square(distances, out=distances)
    per_chunk = np.empty(-(-X.shape[0] // _kernels.CHUNK_ROWS))
    with _task_kernels():
        _scoring_kernels.chunk_inertia(distances, np.empty(0), _kernels.CHUNK_ROWS, per_chunk)
    return per_chunk


def random_labels(n_rows: int, n_clusters: int, seed_key: tuple[int, ...]) -> np.ndarray:
    """A partition's uniformly random cluster per row (random-partition init), from its own stream."""
    return np.random.default_rng(list(seed_key)).integers(0, n_clusters, size=n_rows, dtype=np.int64)


def random_partition_sums(
    block: np.ndarray, seed_key: tuple[int, ...], n_clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sums and counts of the partition's rows under :func:`random_labels` (the random init's means)."""
    X = as_matrix(block)
    labels = random_labels(X.shape[0], n_clusters, seed_key)
    if X.shape[0] == 0:
        return np.zeros((n_clusters, X.shape[1])), np.zeros(n_clusters, dtype=np.int64)
    n_blocks = _kernels.block_count(X.shape[0], n_clusters * X.shape[1])
    block_sums, block_counts = _kernels.block_buffers(n_blocks, n_clusters, X.shape[1])
    with _task_kernels():
        _kernels.cluster_sums(X, labels, block_sums, block_counts, n_blocks, _kernels.n_workers())
    return block_sums[:, :n_clusters].sum(axis=0), block_counts[:, :n_clusters].sum(axis=0)


def farthest_rows(
    block: np.ndarray,
    first_row: int,
    random_seed_key: tuple[int, ...] | None,
    shift: np.ndarray,
    centroids: np.ndarray,
    n_rows_wanted: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The partition's candidates for re-seeding empty clusters: the ``n_rows_wanted`` rows farthest
    from their own centroid (squared distance, as :func:`_mstep.relocate_empty_clusters` measures it;
    ties to the lower row), as (global row numbers, squared distances, labels, rows minus ``shift``).

    The labels are the pass's nearest centroids (recomputed: the same kernel on the same rows and
    centroids gives the same labels), or with ``random_seed_key`` the random init's labels.
    """
    X = as_matrix(block)
    n_rows = X.shape[0]
    if random_seed_key is None:
        labels = _nearest(X, shift, centroids, np.empty(0))
    else:
        labels = random_labels(n_rows, centroids.shape[0], random_seed_key)
    distances = np.empty(n_rows)
    if n_rows:
        with _task_kernels():
            _kernels.distance_to_own(X, shift, centroids, labels, False, True, distances)
    order = np.lexsort((np.arange(n_rows), -distances))[:n_rows_wanted]
    return first_row + order, distances[order], labels[order], X[order] - shift


def kmeans_parallel_update(
    block: np.ndarray,
    state: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None,
    first_row: int,
    candidates: np.ndarray,
    first_id: int,
    candidate_rows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """k-means||: fold new candidates (ids from ``first_id``; their global row numbers
    ``candidate_rows``) into each row's squared distance to its closest candidate and that candidate's
    id. ``state`` is the previous ``(row sq norms, closest sq, nearest id, potential)`` or None; returns
    the new one (a candidate's own row gets distance 0 exactly, as in the in-memory k-means||)."""
    X = as_matrix(block)
    n_rows = X.shape[0]
    if state is None:
        with _task_kernels():
            x_sq_norms = _kernels.row_sq_norms(X) if n_rows else np.empty(0)
        closest_sq = np.full(n_rows, np.inf)
        nearest = np.zeros(n_rows, dtype=np.int64)
    else:
        x_sq_norms, closest_sq, nearest = state[0], state[1].copy(), state[2].copy()
    if n_rows:
        for start in range(0, candidates.shape[0], 256):  # bounded batch: O(chunk * batch) scratch
            batch = np.ascontiguousarray(candidates[start : start + 256])
            with _task_kernels():
                _kernels.update_nearest(
                    X,
                    x_sq_norms,
                    np.ascontiguousarray(batch.T),
                    np.einsum("ij,ij->i", batch, batch),
                    first_id + start,
                    closest_sq,
                    nearest,
                    _kernels.CHUNK_ROWS,
                )
    local = candidate_rows - first_row
    mine = (local >= 0) & (local < n_rows)
    closest_sq[local[mine]] = 0.0
    nearest[local[mine]] = first_id + np.flatnonzero(mine)
    return x_sq_norms, closest_sq, nearest, float(closest_sq.sum())


def state_potential(state: tuple[np.ndarray, np.ndarray, np.ndarray, float]) -> float:
    return state[3]


def kmeans_parallel_sample(
    block: np.ndarray,
    state: tuple[np.ndarray, np.ndarray, np.ndarray, float],
    seed_key: tuple[int, ...],
    first_row: int,
    potential: float,
    expected: float,
) -> tuple[np.ndarray, np.ndarray]:
    """k-means||: keep each row with probability ``min(1, expected * D^2 / potential)`` (the partition's
    own uniform stream); returns the kept rows' global numbers and values."""
    X = as_matrix(block)
    uniform = np.random.default_rng(list(seed_key)).random(X.shape[0])
    kept = np.flatnonzero(uniform * potential < expected * state[1])
    return first_row + kept, X[kept].copy()


def candidate_counts(
    state: tuple[np.ndarray, np.ndarray, np.ndarray, float], n_candidates: int
) -> np.ndarray:
    """k-means||: how many of the partition's rows have each candidate as their closest."""
    return np.bincount(state[2], minlength=n_candidates).astype(np.float64)


def exercise_partition_kernels() -> None:
    """Run every task on a tiny writable and a read-only partition (data sent between Dask processes
    arrives read-only, a different kernel signature): the precompile caches what workers call."""
    rng = np.random.default_rng(0)
    writable = rng.random((40, 3))
    read_only = writable.copy()
    read_only.flags.writeable = False
    centroids = writable[:3] - 0.5
    shift = np.full(3, 0.5)
    for X in (writable, read_only):
        column_totals(X)
        square_deviations(X, shift)
        lloyd_sums(X, shift, centroids)
        chunk_inertias(X, shift, centroids)
        nearest_labels(X, shift, centroids)
        random_partition_sums(X, (0, 1), 3)
        farthest_rows(X, 0, None, shift, centroids, 2)
        farthest_rows(X, 0, (0, 1), np.zeros(3), centroids, 2)
        state = kmeans_parallel_update(X, None, 0, X[:1].copy(), 0, np.array([0]))
        kept_rows, kept = kmeans_parallel_sample(X, state, (1, 0, 0), 0, state[3], 6.0)
        state = kmeans_parallel_update(X, state, 0, kept, 1, kept_rows)
        candidate_counts(state, 1 + kept.shape[0])
