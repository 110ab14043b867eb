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
    n = X.shape[0]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            start = (b * n_chunks // n_blocks) * chunk_rows
            stop = min(((b + 1) * n_chunks // n_blocks) * chunk_rows, n)
            _redo_affected_sums(
                X,
                shift,
                labels,
                affected,
                weights,
                weighted,
                b,
                start,
                stop,
                block_sums,
                block_counts,
                block_weights,
            )


@njit(cache=True, inline="always")
def _nearest_with_bounds(scores, index, score_offsets, rho, norm_sq, row_margin):
    """Label, score, upper bound on the distance to that centroid and lower bound to any other.

    The label is ``argmin_j offset_j - 2 scores[index, j]``, ties to the lowest j, as lloyd_pass
    computes it. The bounds use ``d_j^2 = ||x||^2 + score_j + rho_j`` up to ``row_margin``, their
    square roots rounded outwards. One loop over the centroids.
    """
    best = score_offsets[0] - 2.0 * scores[index, 0]
    label = 0
    first = best + rho[0]  # the two smallest score + rho, and where the smallest is
    first_at = 0
    second = np.inf
    for j in range(1, scores.shape[1]):
        score = score_offsets[j] - 2.0 * scores[index, j]
        if score < best:
            best = score
            label = j
        # Branch-free (selects): the order of these values is data-dependent, mispredicted branches cost.
        value = score + rho[j]
        less = value < first
        second = min(second, max(first, value))
        first_at = j if less else first_at
        first = value if less else first
    other = second if first_at == label else first
    upper = np.sqrt(max(norm_sq + best + rho[label] + row_margin, 0.0)) * (1.0 + 2.0**-50)
    lower = np.sqrt(max(norm_sq + other - row_margin, 0.0)) * (1.0 - 2.0**-50)
    return label, best, upper, lower


@njit(cache=True, inline="always")
def _sq_norm(buffer, index):
    """``||buffer[index]||^2`` with four running sums (the margin covers any order of summation)."""
    d = buffer.shape[1]
    s0 = s1 = s2 = s3 = 0.0
    f = 0
    while f + 4 <= d:
        s0 += buffer[index, f] * buffer[index, f]
        s1 += buffer[index, f + 1] * buffer[index, f + 1]
        s2 += buffer[index, f + 2] * buffer[index, f + 2]
        s3 += buffer[index, f + 3] * buffer[index, f + 3]
        f += 4
    while f < d:
        s0 += buffer[index, f] * buffer[index, f]
        f += 1
    return (s0 + s1) + (s2 + s3)


@njit(cache=True, inline="always")
def _clear_winner(scores, index, label, best, score_offsets, margin):
    """Whether every other score exceeds the best by more than ``margin`` (rounding cannot flip it)."""
    for j in range(scores.shape[1]):
        if j != label and score_offsets[j] - 2.0 * scores[index, j] - best <= margin:
            return False
    return True


@njit(cache=True, inline="always")
def _chunk_scores(X, shift, centroids_t, chunk, chunk_rows, rows, scores):
    """The GEMM scores of one chunk exactly as lloyd_pass computes them (same shapes, same calls)."""
    n, d = X.shape
    start = chunk * chunk_rows
    m = min(start + chunk_rows, n) - start
    for r in range(m):
        for f in range(d):
            rows[r, f] = X[start + r, f] - shift[f]
    if m == chunk_rows:
        np.dot(rows, centroids_t, scores)
        return scores
    return np.dot(rows[:m], centroids_t)


@njit(parallel=True, cache=True)
def hamerly_pass(
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
    tested again with their exact distance to their centroid, then scored: with their chunk's own GEMM
    when many of the chunk fail, otherwise gathered (across the chunks of the block) into one GEMM
    whose label is kept only if the best score beats every other by more than ``margin``; if not, the
    row's chunk GEMM decides.

    ``full`` scores every row from its chunk's GEMM (the first pass: labels and bounds from scratch); so
    does a block where half the rows of its first chunk fail their bounds.
    ``drift[j]`` is how far centroid j moved since the bounds were set (``drift_other[j]`` the largest
    move of any other centroid); bounds are updated with them first. The per-block sums are
    recomputed only for the labels that some row of the block left or joined (all, as the rows are
    scored, when ``full``). ``block_stats[b]`` = (labels changed, row-centroid distances computed);
    under ``full``, ``block_norm_max[b]`` = the largest shifted row norm of block b.
    """
    d = X.shape[1]
    k = centroids_t.shape[1]
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        rows = np.empty((chunk_rows, d))
        scores = np.empty((chunk_rows, k))
        gathered = np.empty((2 * chunk_rows, d))
        gathered_scores = np.empty((2 * chunk_rows, k))
        gathered_rows = np.empty(2 * chunk_rows, np.int64)
        gathered_norms = np.empty(2 * chunk_rows)
        pending = np.empty(chunk_rows, np.int64)
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            _hamerly_block(
                b,
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
                rows,
                scores,
                gathered,
                gathered_scores,
                gathered_rows,
                gathered_norms,
                pending,
            )


# One block of a pass, compiled on its own: the parallel kernel above stays small, which keeps
# Numba's parallel passes (slow on a large loop body) from costing minutes at the first compile.
@njit(cache=True)
def _hamerly_block(  # noqa: C901 - one fused loop nest, kept whole for the compiler
    b,
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
    rows,
    scores,
    gathered,
    gathered_scores,
    gathered_rows,
    gathered_norms,
    pending,
):
    """The work of :func:`hamerly_pass` on block ``b`` (its scratch buffers passed in)."""
    n, d = X.shape
    k = centroids_t.shape[1]
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    up = 1.0 + 2.0**-50
    down = 1.0 - 2.0**-50
    tight_up = 1.0 + (d + 8) * 2.0**-50
    margin_coefficient = 16.0 * (d + 2) * 2.0**-53
    centroid_norm_sq_max = centroid_norm_max * centroid_norm_max
    n_changed = 0
    n_computed = 0
    norm_sq_max = 0.0
    n_gathered = 0
    scored_chunk = -1  # the chunk whose GEMM ``products`` holds
    products = scores
    for j in range(k):
        affected[b, j] = False
    block_full = full  # every row scored in order: its sums are added as it goes, as lloyd_pass does
    if full:
        block_sums[b, :, :] = 0.0
        block_counts[b, :] = 0
        if weighted:
            block_weights[b, :] = 0.0
    first_chunk = b * n_chunks // n_blocks
    last_chunk = (b + 1) * n_chunks // n_blocks - 1
    for chunk in range(first_chunk, last_chunk + 1):
        start = chunk * chunk_rows
        m = min(start + chunk_rows, n) - start
        n_pending = 0
        if not block_full:
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
            if chunk == first_chunk and n_pending * 2 >= m:
                # Half the first chunk fails: the bounds do not pay here, score the block in full.
                block_full = True
                block_sums[b, :, :] = 0.0
                block_counts[b, :] = 0
                if weighted:
                    block_weights[b, :] = 0.0
        if block_full:
            for i in range(m):
                pending[i] = i
            n_pending = m
        if block_full or m < chunk_rows or n_pending * 4 >= m:
            if n_pending > 0:
                products = _chunk_scores(X, shift, centroids_t, chunk, chunk_rows, rows, scores)
                scored_chunk = chunk
                n_computed += m * k
            for p in range(n_pending):
                i = pending[p]
                row = start + i
                norm_sq = _sq_norm(rows, i)
                row_margin = margin
                if full:
                    norm_sq_max = max(norm_sq_max, norm_sq)
                if block_full:  # (||x|| + max ||c||)^2 <= 2 (||x||^2 + max ||c||^2)
                    row_margin = margin_coefficient * 2.0 * (norm_sq + centroid_norm_sq_max)
                label, best, upper[row], lower[row] = _nearest_with_bounds(
                    products, i, score_offsets, rho, norm_sq, row_margin
                )
                previous = labels[row]
                if previous != label:
                    labels[row] = label
                    n_changed += 1
                    if not block_full:
                        affected[b, previous] = True
                        affected[b, label] = True
                if block_full:
                    block_counts[b, label] += 1
                    if weighted:
                        weight = weights[row]
                        block_weights[b, label] += weight
                        for f in range(d):
                            block_sums[b, label, f] += rows[i, f] * weight
                    else:
                        for f in range(d):
                            block_sums[b, label, f] += rows[i, f]
        else:
            for p in range(n_pending):
                row = start + pending[p]
                for f in range(d):
                    gathered[n_gathered, f] = X[row, f] - shift[f]
                gathered_rows[n_gathered] = row
                gathered_norms[n_gathered] = _sq_norm(gathered, n_gathered)
                n_gathered += 1
        if n_gathered == 0 or (n_gathered < chunk_rows and chunk < last_chunk):
            continue
        # Score the gathered rows with one GEMM; near ties go to their chunk's own GEMM.
        np.dot(gathered[:n_gathered], centroids_t, gathered_scores[:n_gathered])
        n_computed += n_gathered * k
        for g in range(n_gathered):
            row = gathered_rows[g]
            label, best, upper[row], lower[row] = _nearest_with_bounds(
                gathered_scores, g, score_offsets, rho, gathered_norms[g], margin
            )
            if not _clear_winner(gathered_scores, g, label, best, score_offsets, margin):
                if scored_chunk != row // chunk_rows:
                    scored_chunk = row // chunk_rows
                    products = _chunk_scores(X, shift, centroids_t, scored_chunk, chunk_rows, rows, scores)
                    n_computed += chunk_rows * k
                i = row - scored_chunk * chunk_rows
                label, best, upper[row], lower[row] = _nearest_with_bounds(
                    products, i, score_offsets, rho, gathered_norms[g], margin
                )
            previous = labels[row]
            if previous != label:
                labels[row] = label
                n_changed += 1
                affected[b, previous] = True
                affected[b, label] = True
        n_gathered = 0
    block_stats[b, 0] = n_changed
    block_stats[b, 1] = n_computed
    if full:
        block_norm_max[b] = np.sqrt(norm_sq_max)
    # The M-step's partial sums, in row order per label, for the labels whose members changed.
    start = first_chunk * chunk_rows
    stop = min((last_chunk + 1) * chunk_rows, n)
    _redo_affected_sums(
        X,
        shift,
        labels,
        affected,
        weights,
        weighted,
        b,
        start,
        stop,
        block_sums,
        block_counts,
        block_weights,
    )


@njit(cache=True, inline="always")
def _redo_affected_sums(
    X, shift, labels, affected, weights, weighted, b, start, stop, block_sums, block_counts, block_weights
):
    """Block b's sums, counts (and weights) of the clusters marked ``affected[b]``, recomputed from rows
    ``start:stop`` (minus ``shift``, weighted) in row order — the order a full pass adds them, so the
    same bits. Other clusters' sums are left as they are."""
    d = X.shape[1]
    any_affected = False
    for j in range(affected.shape[1]):
        if affected[b, j]:
            any_affected = True
            block_sums[b, j, :] = 0.0
            block_counts[b, j] = 0
            if weighted:
                block_weights[b, j] = 0.0
    if not any_affected:
        return
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


# Cached inside its caller's machine code: loading the caller loads it (see precompile.kernel_dispatchers).
_hamerly_block.compiled_into_caller = True  # type: ignore[attr-defined]
