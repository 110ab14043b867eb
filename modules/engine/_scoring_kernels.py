"""Compiled kernels that turn a table into the feature matrix and score it: the min and max of the
source columns, the fused normalising (transposing) write, and the one pass that gives every row its
nearest centroid and its distances to all of them.

Same conventions as :mod:`modules.engine._kernels`: valid input assumed, threads take work from a
shared atomic counter, called inside :func:`modules.engine._kernels.parallel_section`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from modules.engine._kernels import (
    _fetch_increment,
    n_workers,
    nearest_by_score,
    parallel_section,
    shifted_products,
)

__all__ = [
    "fill_features",
    "chunk_inertia",
    "fit_labels_and_scores",
    "n_workers",
    "nearest_and_distances",
    "parallel_section",
    "source_min_max",
]

_TILE_ROWS = 256  # rows per parallel task of the transposing write


@njit(parallel=True, cache=True)
def source_min_max(source, source_rows, offset, n_rows, complete, use_mask, mins, maxs, nonfinite):
    """Per feature g (row ``source_rows[g]`` of ``source``, columns ``offset … offset + n_rows``): the
    min and max of its finite values (only where ``complete`` when ``use_mask``) and how many values
    are NaN or infinite.

    On equal values the later row wins, as in NumPy's row-by-row ``X.min(axis=0)`` / ``X.max(axis=0)``
    of a C-contiguous matrix: the same bits, signed zeros included. A feature without a value keeps
    ``+inf`` / ``-inf``.
    """
    for g in prange(source_rows.shape[0]):
        r = source_rows[g]
        low = np.inf
        high = -np.inf
        bad = 0
        for i in range(n_rows):
            v = source[r, offset + i]
            if not np.isfinite(v):
                bad += 1
                continue
            if use_mask and not complete[i]:
                continue
            if v <= low:
                low = v
            if v >= high:
                high = v
        mins[g] = low
        maxs[g] = high
        nonfinite[g] = bad


@njit(parallel=True, cache=True)
def fill_features(  # noqa: C901 - one fused loop nest, kept whole for the compiler
    source, source_rows, out_cols, offset, rows, mins, scales, normalize, out, complete, workers
):
    """``out[i, out_cols[g]] = (v - mins[g]) / scales[g]`` (``v`` as is without ``normalize``), where
    ``v = source[source_rows[g], offset + rows[i]]`` (``offset + i`` when ``rows`` is empty).

    Row by row: each output row is written whole while the features' source rows are read as
    parallel sequential streams — the transposition at the speed of a plain copy. ``complete[i]`` is
    cleared where a ``v`` is NaN or infinite. ``workers`` threads take tiles of rows from a shared
    counter (a thread slowed by other work on its core just takes fewer).
    """
    m = out.shape[0]
    n_features = source_rows.shape[0]
    all_rows = rows.shape[0] == 0
    n_tiles = (m + _TILE_ROWS - 1) // _TILE_ROWS
    next_tile = np.zeros(1, np.int64)
    for _worker in prange(workers):
        while True:
            t = _fetch_increment(next_tile, 0)
            if t >= n_tiles:
                break
            for i in range(t * _TILE_ROWS, min(m, (t + 1) * _TILE_ROWS)):
                col = offset + (i if all_rows else rows[i])
                n_bad = 0
                if normalize:
                    for g in range(n_features):
                        v = source[source_rows[g], col]
                        n_bad += (v - v) != 0.0  # NaN for NaN and for +-inf
                        out[i, out_cols[g]] = (v - mins[g]) / scales[g]
                else:
                    for g in range(n_features):
                        v = source[source_rows[g], col]
                        n_bad += (v - v) != 0.0
                        out[i, out_cols[g]] = v
                if n_bad:
                    complete[i] = False


@njit(parallel=True, cache=True)
def nearest_and_distances(
    X, centroids_t, centroid_sq_norms, cosine, columns, labels, out, chunk_rows, workers
):
    """Every row's nearest centroid and its distances to all of them, transposed, in one pass.

    ``out[j, columns[i]]`` (``out[j, i]`` when ``columns`` is empty) receives the distance from row i
    to centroid j (Euclidean as ``(-2 x.c + ||x||^2) + ||c||^2`` clipped at 0, the order scikit-learn uses;
    cosine ``1 - x.c / ||x||`` for unit centroids, clipped to [0, 2]), and
    ``labels[i]`` its argmin as ``np.argmin`` picks it: the lowest index among equal distances, the
    first NaN if there is one. ``workers`` threads take chunks from a shared counter.
    """
    n = X.shape[0]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    next_chunk = np.zeros(1, np.int64)
    for _worker in prange(workers):
        while True:
            chunk = _fetch_increment(next_chunk, 0)
            if chunk >= n_chunks:
                break
            start = chunk * chunk_rows
            stop = min(start + chunk_rows, n)
            distances = _chunk_distances(X, start, stop, centroids_t, centroid_sq_norms, cosine, labels)
            _write_transposed(distances, start, columns, out)


@njit(cache=True, inline="always")
def _chunk_distances(X, start, stop, centroids_t, centroid_sq_norms, cosine, labels):
    """Rows ``start:stop``'s distances to every centroid, (rows, k), and their argmin into ``labels``
    (see :func:`nearest_and_distances`)."""
    d = X.shape[1]
    k = centroids_t.shape[1]
    distances = np.dot(X[start:stop], centroids_t)
    for i in range(stop - start):
        row = start + i
        norm_sq = 0.0
        for f in range(d):
            norm_sq += X[row, f] * X[row, f]
        if cosine:
            inv_norm = 1.0 / np.sqrt(norm_sq)
            for j in range(k):
                distances[i, j] = min(max(1.0 - distances[i, j] * inv_norm, 0.0), 2.0)
        else:
            for j in range(k):
                sq = (-2.0 * distances[i, j] + norm_sq) + centroid_sq_norms[j]
                distances[i, j] = np.sqrt(sq) if sq > 0.0 else 0.0
        best = np.inf
        label = 0
        for j in range(k):  # a separate loop: the one above vectorises
            value = distances[i, j]
            if value != value:
                label = j
                break
            if value < best:
                best = value
                label = j
        labels[row] = label
    return distances


@njit(cache=True, inline="always")
def _write_transposed(distances, start, columns, out):
    """``out[j, start + i]`` (or ``out[j, columns[start + i]]``) = ``distances[i, j]``."""
    all_columns = columns.shape[0] == 0
    for j in range(distances.shape[1]):
        for i in range(distances.shape[0]):
            out[j, start + i if all_columns else columns[start + i]] = distances[i, j]


@njit(cache=True, inline="always")
def _inertia_term(value, weights, row):
    return value if weights.shape[0] == 0 else weights[row] * value


@njit(cache=True)
def chunk_inertia(values, weights, chunk_rows, out):
    """``out[c]``: the sum, in row order, of chunk c's ``values`` (weighted by ``weights`` unless it is
    empty). The inertia is ``out.sum()``: summed the same way whether or not the fit scored its rows."""
    n = values.shape[0]
    for chunk in range(out.shape[0]):
        total = 0.0
        for row in range(chunk * chunk_rows, min(n, (chunk + 1) * chunk_rows)):
            total += _inertia_term(values[row], weights, row)
        out[chunk] = total


@njit(parallel=True, cache=True)
def fit_labels_and_scores(  # noqa: C901 - one fused loop nest, kept whole for the compiler
    X,
    shift,
    centroids,
    centroids_t,
    score_offsets,
    centers_t,
    center_sq_norms,
    margin_scale,
    margin_base,
    known,
    labels,
    write_labels,
    weights,
    chunk_inertia,
    columns,
    score_labels,
    out,
    chunk_rows,
    workers,
):
    """A Euclidean fit's final E-step and the scoring of its rows, in one pass over X.

    The scoring is :func:`nearest_and_distances` of X against ``centers_t`` (the returned centroids):
    ``out`` and ``score_labels``, the same bits. The fit's side works on ``X - shift`` against the
    centred ``centroids``: unless ``known``, ``labels`` receives the label a Lloyd pass
    (:func:`_kernels.lloyd_pass`) gives (only with ``write_labels``: without it ``score_labels`` may be
    the same array as ``labels``, the fit's labels then make way for the scoring's);
    ``chunk_inertia[c]`` the (``weights``-weighted unless empty) squared distances of chunk c's rows
    to their labelled centroids, computed directly and summed as :func:`chunk_inertia` sums them.

    Both sides rank the centroids by the same distances, rounded differently, so a row whose nearest
    centroid, at distance ``r``, beats the next by more than ``margin_scale * (r + margin_base)^2`` in
    squared distance (``margin_base`` >= the largest centroid norms: ``r + margin_base`` bounds the
    norms of the row and centroids, and so both roundings) has that label in both; a chunk with a
    closer row is scored again as the Lloyd pass scores it, so the labels are the Lloyd pass's, bit
    for bit.
    """
    n, d = X.shape
    k = centroids_t.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    next_chunk = np.zeros(1, np.int64)
    for _worker in prange(workers):
        rows = np.empty((chunk_rows, d))
        scores = np.empty((chunk_rows, k))
        fit_labels = np.empty(chunk_rows, np.int64)  # the chunk's labels of the fit
        while True:
            chunk = _fetch_increment(next_chunk, 0)
            if chunk >= n_chunks:
                break
            start = chunk * chunk_rows
            stop = min(start + chunk_rows, n)
            if known:  # read before the scoring labels may overwrite them
                for i in range(stop - start):
                    fit_labels[i] = labels[start + i]
            scored = _chunk_distances(X, start, stop, centers_t, center_sq_norms, False, score_labels)
            if not known:
                close = False
                for i in range(stop - start):
                    row = start + i
                    label = score_labels[row]
                    best = scored[i, label]
                    margin = margin_scale * (best + margin_base) * (best + margin_base)
                    # The centroids within the margin of the nearest (itself included) and NaN scores:
                    # exactly one means a clear nearest centroid (a branch-free count, vectorised).
                    n_near = 0
                    for j in range(k):
                        value = scored[i, j]
                        n_near += ((value - best) * (value + best) <= margin) | (value != value)
                    if n_near == 1:
                        fit_labels[i] = label
                    else:
                        close = True
                if close:
                    products = shifted_products(X, shift, centroids_t, start, stop, rows, scores)
                    for i in range(stop - start):
                        fit_labels[i] = nearest_by_score(products, i, score_offsets)
                if write_labels:
                    for i in range(stop - start):
                        labels[start + i] = fit_labels[i]
            chunk_total = 0.0
            for i in range(stop - start):
                row = start + i
                total = 0.0
                for f in range(d):
                    diff = (X[row, f] - shift[f]) - centroids[fit_labels[i], f]
                    total += diff * diff
                distance = np.sqrt(total)  # the distance _distance_to_own computes, squared as it is
                chunk_total += _inertia_term(distance * distance, weights, row)
            chunk_inertia[chunk] = chunk_total
            _write_transposed(scored, start, columns, out)
