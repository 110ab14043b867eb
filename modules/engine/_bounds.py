"""Compiled kernels for the weighted M-step and the bounded (Hamerly) assignment pass.

Same conventions as :mod:`modules.engine._kernels`: rows are split into the blocks of
:func:`_kernels.lloyd_pass` (a block is a fixed range of ``chunk_rows``-row chunks), threads take blocks
from an atomic counter, and every block writes its own partial sums, so results are bit-for-bit the
same whatever the thread count. Per block and label the rows are added in row order, exactly as
``lloyd_pass`` adds them: per-block sums computed here equal the ones the plain pass would compute.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from modules.engine._kernels import _fetch_increment


@njit(parallel=True, cache=True)
def block_sums_pass(  # noqa: C901 - one loop nest per block, kept whole for the compiler
    X,
    shift,
    labels,
    weights,
    weighted,
    block_sums,
    block_counts,
    block_weights,
    affected,
    n_blocks,
    chunk_rows,
    workers,
):
    """Per-block sums of the (weighted) shifted rows of each label, their counts and weight totals.

    Only the (block, label) slots with ``affected[b, label]`` set are recomputed; the others keep the
    values of the previous call (same rows, same labels: the same sums). ``weighted`` multiplies each
    row by its weight and fills ``block_weights``; otherwise ``block_weights`` is left alone.
    """
    n, d = X.shape
    k = affected.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            any_affected = False
            for j in range(k):
                if affected[b, j]:
                    any_affected = True
                    block_sums[b, j, :] = 0.0
                    block_counts[b, j] = 0
                    if weighted:
                        block_weights[b, j] = 0.0
            if not any_affected:
                continue
            start = (b * n_chunks // n_blocks) * chunk_rows
            stop = min(((b + 1) * n_chunks // n_blocks) * chunk_rows, n)
            for row in range(start, stop):
                label = labels[row]
                if not affected[b, label]:
                    continue
                block_counts[b, label] += 1
                if weighted:
                    weight = weights[row]
                    block_weights[b, label] += weight
                    for f in range(d):
                        block_sums[b, label, f] += (X[row, f] - shift[f]) * weight
                else:
                    for f in range(d):
                        block_sums[b, label, f] += X[row, f] - shift[f]


@njit(parallel=True, cache=True)
def hamerly_pass(  # noqa: C901 - one fused loop nest per block, kept whole for the compiler
    X,
    shift,
    centroids,
    centroids_t,
    score_offsets,
    rho,
    separation,
    drift,
    drift_other,
    centroid_norm_max,
    margin,
    threshold,
    full,
    labels,
    upper,
    lower,
    weights,
    weighted,
    block_sums,
    block_counts,
    block_weights,
    affected,
    block_stats,
    block_norm_max,
    n_blocks,
    chunk_rows,
    workers,
):
    """One assignment pass with Hamerly's bounds, plus the per-block M-step sums of ``lloyd_pass``.

    The label of a row is the one :func:`_kernels.lloyd_pass` would give, bit for bit: argmin of
    ``offset_j - 2 x.c_j`` (ties to the lowest index) from the GEMM of the row's 256-row chunk. A row
    keeps its label without being scored when its bounds prove that chunk GEMM would give it: the
    upper bound ``upper`` on the distance to its centroid and the lower bound on the distance to any
    other (``lower``, and ``separation[a]`` - upper) must differ by more than ``threshold`` in squared
    distance, which covers the rounding of the GEMM scores (``margin``, a bound on it that grows with d
    and the norms) and the gap between ``offset_j`` and ``||c_j||^2`` (``rho``). Rows that fail are
    first tested again with their exact distance to their centroid, then scored: all of them with
    the chunk's own GEMM when many fail, otherwise gathered into one smaller GEMM whose label is kept
    only if the best score beats every other by more than ``margin`` (else the chunk's GEMM decides).

    ``full`` scores every row from its chunk's GEMM (the first pass: labels and bounds from scratch).
    ``drift[j]`` is how far centroid j moved since the bounds were set (``drift_other[j]`` the largest
    move of any other centroid); bounds are updated with them first. The per-block sums are
    recomputed only for the labels that some row of the block left or joined (all when ``full``).
    ``block_stats[b]`` = (labels changed, row-centroid distances computed); under ``full``,
    ``block_norm_max[b]`` = the largest shifted row norm of block b.
    """
    n, d = X.shape
    k = centroids_t.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    up = 1.0 + 2.0**-50
    down = 1.0 - 2.0**-50
    tight_up = 1.0 + (d + 8) * 2.0**-50
    margin_coefficient = 16.0 * (d + 2) * 2.0**-53
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        rows = np.empty((chunk_rows, d))
        scores = np.empty((chunk_rows, k))
        gathered = np.empty((chunk_rows, d))
        gathered_scores = np.empty((chunk_rows, k))
        pending = np.empty(chunk_rows, np.int64)
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            n_changed = 0
            n_computed = 0
            norm_max = 0.0
            for j in range(k):
                affected[b, j] = full
            for chunk in range(b * n_chunks // n_blocks, (b + 1) * n_chunks // n_blocks):
                start = chunk * chunk_rows
                stop = min(start + chunk_rows, n)
                m = stop - start
                n_pending = 0
                if full:
                    for i in range(m):
                        pending[i] = i
                    n_pending = m
                else:
                    for i in range(m):
                        row = start + i
                        a = labels[row]
                        u = (upper[row] + drift[a]) * up
                        low = (lower[row] - drift_other[a]) * down
                        if low < 0.0:
                            low = 0.0
                        lower[row] = low
                        z = max(low, separation[a] - u)
                        if z > u and (z - u) * (z + u) > threshold:
                            upper[row] = u
                            continue
                        # Tighten: the exact distance to the own centroid, then test again.
                        total = 0.0
                        for f in range(d):
                            diff = (X[row, f] - shift[f]) - centroids[a, f]
                            total += diff * diff
                        u = np.sqrt(total) * tight_up
                        upper[row] = u
                        n_computed += 1
                        z = max(low, separation[a] - u)
                        if z > u and (z - u) * (z + u) > threshold:
                            continue
                        pending[n_pending] = i
                        n_pending += 1
                if n_pending == 0:
                    continue
                chunk_scored = False
                use_gathered = not full and m == chunk_rows and n_pending * 4 < m
                if use_gathered:
                    for p in range(n_pending):
                        row = start + pending[p]
                        for f in range(d):
                            gathered[p, f] = X[row, f] - shift[f]
                    np.dot(gathered[:n_pending], centroids_t, gathered_scores[:n_pending])
                    n_computed += n_pending * k
                products = scores
                for p in range(n_pending):
                    i = pending[p]
                    row = start + i
                    source = gathered_scores
                    index = p
                    if use_gathered:
                        best = score_offsets[0] - 2.0 * gathered_scores[p, 0]
                        label = 0
                        for j in range(1, k):
                            score = score_offsets[j] - 2.0 * gathered_scores[p, j]
                            if score < best:
                                best = score
                                label = j
                        clear = True
                        for j in range(k):
                            if j != label and score_offsets[j] - 2.0 * gathered_scores[p, j] - best <= margin:
                                clear = False
                                break
                    else:
                        clear = False
                    if not clear:
                        # The chunk's own GEMM, exactly as lloyd_pass computes it.
                        if not chunk_scored:
                            for r in range(m):
                                for f in range(d):
                                    rows[r, f] = X[start + r, f] - shift[f]
                            if m == chunk_rows:
                                np.dot(rows, centroids_t, scores)
                                products = scores
                            else:
                                products = np.dot(rows[:m], centroids_t)
                            chunk_scored = True
                            n_computed += m * k
                        source = products
                        index = i
                        best = score_offsets[0] - 2.0 * products[i, 0]
                        label = 0
                        for j in range(1, k):
                            score = score_offsets[j] - 2.0 * products[i, j]
                            if score < best:
                                best = score
                                label = j
                    # Bounds from the scores: d_j^2 = ||x||^2 + score_j + rho_j, up to the margin.
                    norm_sq = 0.0
                    for f in range(d):
                        value = X[row, f] - shift[f]
                        norm_sq += value * value
                    if full:
                        norm = np.sqrt(norm_sq)
                        norm_max = max(norm_max, norm)
                        row_margin = margin_coefficient * (norm + centroid_norm_max) ** 2
                    else:
                        row_margin = margin
                    second = np.inf
                    for j in range(k):
                        if j != label:
                            value = score_offsets[j] - 2.0 * source[index, j] + rho[j]
                            if value < second:
                                second = value
                    upper[row] = np.sqrt(max(norm_sq + best + rho[label] + row_margin, 0.0)) * up
                    lower[row] = np.sqrt(max(norm_sq + second - row_margin, 0.0)) * down
                    previous = labels[row]
                    if previous != label:
                        labels[row] = label
                        n_changed += 1
                        if previous >= 0:
                            affected[b, previous] = True
                        affected[b, label] = True
            block_stats[b, 0] = n_changed
            block_stats[b, 1] = n_computed
            if full:
                block_norm_max[b] = norm_max
            # The M-step's partial sums, in row order per label, for the labels whose members changed.
            any_affected = False
            for j in range(k):
                if affected[b, j]:
                    any_affected = True
                    block_sums[b, j, :] = 0.0
                    block_counts[b, j] = 0
                    if weighted:
                        block_weights[b, j] = 0.0
            if not any_affected:
                continue
            start = (b * n_chunks // n_blocks) * chunk_rows
            stop = min(((b + 1) * n_chunks // n_blocks) * chunk_rows, n)
            for row in range(start, stop):
                label = labels[row]
                if not affected[b, label]:
                    continue
                block_counts[b, label] += 1
                if weighted:
                    weight = weights[row]
                    block_weights[b, label] += weight
                    for f in range(d):
                        block_sums[b, label, f] += (X[row, f] - shift[f]) * weight
                else:
                    for f in range(d):
                        block_sums[b, label, f] += X[row, f] - shift[f]
