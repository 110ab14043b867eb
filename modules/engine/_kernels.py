"""Compiled kernels of the k-means engine.

Every kernel assumes valid input: C-contiguous float64 data, int64 labels, and centroids that match
the data's width. Kernels that sum over rows split them into a fixed number of blocks (set by the data
size, not the thread count); ``n_workers`` threads take the blocks one at a time from a shared atomic
counter (a thread slowed by other work on its core just takes fewer), each block writes its own partial
sums, and those are reduced in block order: results are bit-for-bit the same whatever the thread count
or timing. Distance steps work on chunks of ``chunk_rows`` rows: per chunk a BLAS GEMM
``X_chunk @ C.T`` then a compiled loop, so extra memory stays O(chunk_rows * k) per thread.

Call them inside :func:`parallel_section`, which pins BLAS to one thread (each Numba thread makes its
own small GEMM calls) and serialises kernel launches from concurrent Python threads.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numba
import numpy as np
import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS that np.dot in @njit calls)
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic
from threadpoolctl import ThreadpoolController

CHUNK_ROWS = 256
MAX_BLOCKS = 256
BLOCK_BUFFER_BYTES = 64 * 2**20
_PAD = 16  # float64 slots (128 bytes) between the accumulators of blocks that threads write at once

_launch_lock = threading.Lock()
_controller_lock = threading.Lock()
#: The BLAS libraries found loaded, and how many modules were imported when they were looked for.
_blas_controller: tuple[int, ThreadpoolController] | None = None


@contextmanager
def blas_threads(limit: int) -> Iterator[None]:
    """BLAS (process-wide) on at most ``limit`` threads. The scan for loaded libraries behind the
    setting costs milliseconds, which added up over many short calls: it is done again only after
    imports (one of them may have loaded another BLAS, e.g. SciPy's)."""
    global _blas_controller
    with _controller_lock:
        if _blas_controller is None or _blas_controller[0] != len(sys.modules):
            _blas_controller = (len(sys.modules), ThreadpoolController())
        controller = _blas_controller[1]
    with controller.limit(limits=limit, user_api="blas"):
        yield


@contextmanager
def parallel_section() -> Iterator[None]:
    """Run compiled parallel kernels: BLAS pinned to one thread, one launch at a time."""
    with _launch_lock, blas_threads(1):
        yield


def n_workers() -> int:
    """Threads for the block kernels (Numba's current thread count)."""
    return int(numba.get_num_threads())


def _fetch_increment_intrinsic(typingctx, counter, index):
    """Atomically ``counter[index] += 1``; return the value before (the next block to process)."""
    signature = types.int64(counter, index)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, array, [args[1]])
        return builder.atomic_rmw("add", pointer, context.get_constant(types.int64, 1), "monotonic")

    return signature, codegen


_fetch_increment: Any = intrinsic(_fetch_increment_intrinsic)


def block_count(n_rows: int, per_block_values: int, chunk_rows: int = CHUNK_ROWS) -> int:
    """Number of row blocks: at most MAX_BLOCKS, bounded so the per-block buffers stay small."""
    n_chunks = max(1, -(-n_rows // chunk_rows))
    by_memory = BLOCK_BUFFER_BYTES // max(1, 8 * per_block_values)
    return max(min(n_chunks, 2), min(n_chunks, MAX_BLOCKS, by_memory))


def block_buffers(n_blocks: int, n_clusters: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-block sums (n_blocks, k + pad, d) and counts (n_blocks, k + pad) for the block kernels.

    The padding keeps the slots of adjacent blocks - written at the same time by different threads -
    at least 128 bytes apart, so they never share a cache line (false sharing cost two threads a
    third of their speed at small k * d). Results are read from ``[:, :k]``.
    """
    pad_rows = -(-_PAD // max(1, n_features))
    sums = np.empty((n_blocks, n_clusters + pad_rows, n_features))
    counts = np.empty((n_blocks, n_clusters + _PAD), dtype=np.int64)
    return sums, counts


@njit(parallel=True, cache=True)
def lloyd_pass(  # noqa: C901 - one fused loop nest, kept whole for the compiler
    X,
    shift,
    centroids,
    centroids_t,
    score_offsets,
    labels,
    block_sums,
    block_counts,
    n_blocks,
    chunk_rows,
    update,
    distances,
    cosine,
    workers,
):
    """Assign every row to the centroid minimising ``offset_j - 2 x.c_j``; return how many labels changed.

    With ``score_offsets = ||c_j||^2`` that is the nearest centroid in Euclidean distance (``||x||^2`` is
    the same for all j and skipped); with zeros it is the largest dot product (cosine, unit centroids).
    Ties go to the lowest index. Rows are shifted by ``-shift`` first (centring, no copy of X); with
    ``update``, ``block_sums[b]`` / ``block_counts[b]`` receive the per-block sums of the shifted member
    rows and the member counts (the M-step's partial sums). A non-empty ``distances`` receives each
    row's distance to its centroid, computed directly as in :func:`distance_to_own`.
    """
    n, d = X.shape
    k = centroids_t.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    with_distances = distances.shape[0] > 0
    changed = np.zeros(n_blocks, np.int64)
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        rows = np.empty((chunk_rows, d))
        scores = np.empty((chunk_rows, k))
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            if update:
                block_sums[b, :, :] = 0.0
                block_counts[b, :] = 0
            n_changed = 0
            for chunk in range(b * n_chunks // n_blocks, (b + 1) * n_chunks // n_blocks):
                start = chunk * chunk_rows
                stop = min(start + chunk_rows, n)
                products = shifted_products(X, shift, centroids_t, start, stop, rows, scores)
                for i in range(stop - start):
                    label = nearest_by_score(products, i, score_offsets)
                    row = start + i
                    if labels[row] != label:
                        labels[row] = label
                        n_changed += 1
                    if update:
                        block_counts[b, label] += 1
                        for f in range(d):
                            block_sums[b, label, f] += rows[i, f]
                    if with_distances:
                        distances[row] = _row_distance(rows[i], centroids[label], cosine)
            changed[b] = n_changed
    return changed.sum()


@njit(cache=True, inline="always")
def shifted_products(X, shift, centroids_t, start, stop, rows, scores):
    """The GEMM scores ``(X[start:stop] - shift) @ centroids_t`` of one chunk, as every Lloyd pass computes
    them: the shifted rows written to ``rows`` (``chunk_rows`` x d), a full chunk's products into
    ``scores`` (the last, shorter chunk gets a new array). The same shapes and calls give the same bits."""
    d = X.shape[1]
    for i in range(stop - start):
        for f in range(d):
            rows[i, f] = X[start + i, f] - shift[f]
    if stop - start == rows.shape[0]:
        np.dot(rows, centroids_t, scores)
        return scores
    return np.dot(rows[: stop - start], centroids_t)


@njit(cache=True, inline="always")
def nearest_by_score(products, i, score_offsets):
    """The j minimising ``score_offsets[j] - 2 products[i, j]``, ties to the lowest j."""
    best = score_offsets[0] - 2.0 * products[i, 0]
    label = 0
    for j in range(1, products.shape[1]):
        score = score_offsets[j] - 2.0 * products[i, j]
        if score < best:
            best = score
            label = j
    return label


@njit(cache=True, inline="always")
def _row_distance(x, centroid, cosine):
    """Euclidean distance, or ``1 - x.c / ||x||`` for a unit (or zero) centroid clipped to [0, 2]."""
    if cosine:
        dot = 0.0
        norm_sq = 0.0
        for f in range(x.shape[0]):
            dot += x[f] * centroid[f]
            norm_sq += x[f] * x[f]
        return min(max(1.0 - dot / np.sqrt(norm_sq), 0.0), 2.0)
    total = 0.0
    for f in range(x.shape[0]):
        diff = x[f] - centroid[f]
        total += diff * diff
    return np.sqrt(total)


@njit(parallel=True, cache=True)
def cluster_sums(X, labels, block_sums, block_counts, n_blocks, workers):
    """Per-block sums and counts of the rows of each label; rows labelled -1 are skipped."""
    n, d = X.shape
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            block_sums[b, :, :] = 0.0
            block_counts[b, :] = 0
            for row in range(b * n // n_blocks, (b + 1) * n // n_blocks):
                label = labels[row]
                if label >= 0:
                    block_counts[b, label] += 1
                    for f in range(d):
                        block_sums[b, label, f] += X[row, f]


@njit(parallel=True, cache=True)
def distance_to_own(X, shift, centroids, labels, cosine, squared, out):
    """``out[i]`` = distance from row i (minus ``shift``) to ``centroids[labels[i]]``, computed directly.

    Euclidean: ``sqrt(sum (x - c)^2)`` (or the square). Cosine: ``1 - x.c / ||x||`` for a unit (or zero)
    centroid, clipped to [0, 2].
    """
    n, d = X.shape
    for i in prange(n):
        c = labels[i]
        if cosine:
            dot = 0.0
            norm_sq = 0.0
            for f in range(d):
                dot += X[i, f] * centroids[c, f]
                norm_sq += X[i, f] * X[i, f]
            value = 1.0 - dot / np.sqrt(norm_sq)
            out[i] = min(max(value, 0.0), 2.0)
        else:
            total = 0.0
            for f in range(d):
                diff = (X[i, f] - shift[f]) - centroids[c, f]
                total += diff * diff
            out[i] = total if squared else np.sqrt(total)


@njit(parallel=True, cache=True)
def candidate_potentials(
    X,
    x_sq_norms,
    candidates_t,
    candidate_sq_norms,
    weights,
    weighted,
    buffer,
    current,
    targets,
    block_pots,
    workers,
):
    """D^2 after adding each candidate, for the greedy k-means++.

    ``buffer[current]`` holds each row's squared distance to its closest chosen centroid. For candidate
    t, ``buffer[targets[t]]`` receives ``min(buffer[current], ||x - cand_t||^2)`` and
    ``block_pots[b, t]`` the (weighted) sum of that over the rows of block b.
    """
    n = X.shape[0]
    n_candidates = candidates_t.shape[1]
    n_blocks = block_pots.shape[0]
    chunk_rows = 256
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        totals = np.empty(n_candidates + 2 * _PAD)  # padded: no cache line shared with the other thread
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            totals[:] = 0.0
            block_start = b * n // n_blocks
            block_stop = (b + 1) * n // n_blocks
            for start in range(block_start, block_stop, chunk_rows):
                stop = min(start + chunk_rows, block_stop)
                products = np.dot(X[start:stop], candidates_t)
                for i in range(stop - start):
                    row = start + i
                    closest = buffer[current, row]
                    weight = weights[row] if weighted else 1.0
                    for t in range(n_candidates):
                        sq = (-2.0 * products[i, t] + x_sq_norms[row]) + candidate_sq_norms[t]
                        if sq < 0.0:
                            sq = 0.0
                        if sq > closest:
                            sq = closest
                        buffer[targets[t], row] = sq
                        totals[_PAD + t] += weight * sq
            for t in range(n_candidates):
                block_pots[b, t] = totals[_PAD + t]


@njit(cache=True)
def find_weighted_row(closest_sq, weights, weighted, start, stop, target):
    """First row in [start, stop) where the running sum of w*D^2 exceeds ``target``; -1 if none.

    Falls back to the last row with positive D^2 when rounding leaves the target just out of reach.
    """
    running = 0.0
    last_positive = -1
    for row in range(start, stop):
        value = closest_sq[row] * (weights[row] if weighted else 1.0)
        if value > 0.0:
            running += value
            last_positive = row
            if running > target:
                return row
    return last_positive


@njit(parallel=True, cache=True)
def update_nearest(
    X, x_sq_norms, candidates_t, candidate_sq_norms, first_id, closest_sq, nearest, chunk_rows
):
    """Lower ``closest_sq`` / ``nearest`` with a batch of new candidates numbered from ``first_id``."""
    n = X.shape[0]
    n_candidates = candidates_t.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    for chunk in prange(n_chunks):
        start = chunk * chunk_rows
        stop = min(start + chunk_rows, n)
        products = np.dot(X[start:stop], candidates_t)
        for i in range(stop - start):
            row = start + i
            for t in range(n_candidates):
                sq = (-2.0 * products[i, t] + x_sq_norms[row]) + candidate_sq_norms[t]
                if sq < 0.0:
                    sq = 0.0
                if sq < closest_sq[row]:
                    closest_sq[row] = sq
                    nearest[row] = first_id + t


@njit(cache=True)
def column_sums(X):
    """Sum of every column, adding the rows in order: bit for bit ``X.sum(axis=0)`` for d >= 2 (NumPy
    reduces the outer axis sequentially), at about four times its speed."""
    n, d = X.shape
    totals = np.zeros(d)
    for i in range(n):
        for f in range(d):
            totals[f] += X[i, f]
    return totals


@njit(parallel=True, cache=True)
def row_sq_norms(X):
    """``||x_i||^2`` for every row."""
    n, d = X.shape
    out = np.empty(n)
    for i in prange(n):
        total = 0.0
        for f in range(d):
            total += X[i, f] * X[i, f]
        out[i] = total
    return out


@njit(parallel=True, cache=True)
def silhouette_terms(  # noqa: C901 - one fused loop nest, kept whole for the compiler
    X,
    centroids_t,
    score_offsets,
    labels,
    own_distance,
    is_effective,
    cluster_sizes,
    cosine,
    n_blocks,
    chunk_rows,
    workers,
):
    """Per-block sums of the simplified silhouette ``(b - a) / max(a, b)``.

    ``a`` is ``own_distance[i]``; ``b`` the distance to the nearest other non-empty centroid, from the
    GEMM scores (as in :func:`lloyd_pass`). Rows of one-row clusters score 0.
    """
    n, d = X.shape
    k = centroids_t.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    block_totals = np.zeros(n_blocks)
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            total = 0.0
            for chunk in range(b * n_chunks // n_blocks, (b + 1) * n_chunks // n_blocks):
                start = chunk * chunk_rows
                stop = min(start + chunk_rows, n)
                products = np.dot(X[start:stop], centroids_t)
                for i in range(stop - start):
                    row = start + i
                    own = labels[row]
                    if cluster_sizes[own] <= 1:
                        continue
                    best = np.inf
                    for j in range(k):
                        if j != own and is_effective[j]:
                            score = score_offsets[j] - 2.0 * products[i, j]
                            if score < best:
                                best = score
                    norm_sq = 0.0
                    for f in range(d):
                        norm_sq += X[row, f] * X[row, f]
                    if cosine:
                        other = min(max(1.0 + 0.5 * best / np.sqrt(norm_sq), 0.0), 2.0)
                    else:
                        sq = norm_sq + best
                        other = np.sqrt(sq) if sq > 0.0 else 0.0
                    a = own_distance[row]
                    largest = max(a, other)
                    if largest > 0.0:
                        total += (other - a) / largest
            block_totals[b] = total
    return block_totals
