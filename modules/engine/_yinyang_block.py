"""One block of a Yinyang pass (see :mod:`modules.engine._yinyang`): the row-by-row work, compiled on
its own so that the parallel kernel stays small (Numba's parallel passes are slow on a large loop body:
the kernel in one piece took over a minute to compile)."""

from __future__ import annotations

import numpy as np
from numba import njit

from modules.engine._bounds import _chunk_scores, _clear_winner, _redo_affected_sums, _sq_norm


@njit(cache=True, inline="always")
def _to_float32_down(value):
    """A float32 no larger than ``value`` (>= 0): the relative step covers rounding to nearest."""
    return np.float32(value * (1.0 - 2.0**-22))


@njit(cache=True, inline="always")
def _label_and_group_bounds(scores, index, score_offsets, rho, norm_sq, row_margin, group_of, work):
    """Label as lloyd_pass computes it (argmin of ``offset_j - 2 scores[index, j]``, ties to the lowest
    j), the upper bound on its distance, and in ``work[g]`` a lower bound on the distance to every
    centroid of group g other than the label (inf when there is none)."""
    k = scores.shape[1]
    best = score_offsets[0] - 2.0 * scores[index, 0]
    label = 0
    for j in range(1, k):
        score = score_offsets[j] - 2.0 * scores[index, j]
        if score < best:
            best = score
            label = j
    work[:] = np.inf
    for j in range(k):
        if j != label:
            value = score_offsets[j] - 2.0 * scores[index, j] + rho[j]
            g = group_of[j]
            work[g] = min(work[g], value)
    for g in range(work.shape[0]):
        if work[g] < np.inf:
            work[g] = np.sqrt(max(norm_sq + work[g] - row_margin, 0.0)) * (1.0 - 2.0**-50)
    upper = np.sqrt(max(norm_sq + best + rho[label] + row_margin, 0.0)) * (1.0 + 2.0**-50)
    return label, upper


@njit(cache=True, inline="always")
def _store_bounds(
    row, label, upper_value, work, now, labels, upper, lower, group_lower, upper_stamp, lower_stamp
):
    """Write a row's label and freshly set bounds (stamped with pass ``now``)."""
    labels[row] = label
    upper[row] = upper_value
    upper_stamp[row] = now
    lowest = np.inf
    for g in range(work.shape[0]):
        lowest = min(lowest, work[g])
        group_lower[row, g] = _to_float32_down(work[g])
    lower[row] = lowest
    lower_stamp[row] = now


@njit(cache=True, inline="always")
def _restamp_lower(row, low, current, now, lower, group_lower, lower_stamp):
    """Store a row's lower bounds as they are at pass ``now`` (same label, same upper bound)."""
    lower[row] = low
    for g in range(current.shape[0]):
        group_lower[row, g] = _to_float32_down(current[g])
    lower_stamp[row] = now


@njit(cache=True, inline="always")
def _proven(lower_value, upper_value, threshold):
    """Whether a centroid at distance >= ``lower_value`` scores worse, in the chunk GEMM, than one at
    distance <= ``upper_value`` (the squared gap beats the rounding threshold)."""
    return lower_value > upper_value and (lower_value - upper_value) * (lower_value + upper_value) > threshold


# A distance scored alone (a candidate group's loop) costs about this many distances scored in a GEMM:
# a row with more candidates than k / SCALAR_DISTANCE_COST is gathered for one GEMM with every centroid.
SCALAR_DISTANCE_COST = 4
# A block goes on with full chunk GEMMs once its first chunk computed this share of its m * k distances
# (as Hamerly's pass does when half the rows of its first chunk fail their bounds).
FULL_BLOCK_SHARE = 0.5


@njit(cache=True)
def _yinyang_block(  # noqa: C901 - one fused loop nest, kept whole for the compiler
    b,
    X,
    shift,
    centroids,
    centroids_t,
    score_offsets,
    rho,
    separation,
    cumulative_drift,
    cumulative_other,
    cumulative_group,
    group_of,
    order,
    group_start,
    grouped_t,
    grouped_sq_norms,
    centroid_norm_max,
    margin,
    threshold,
    full,
    labels,
    upper,
    lower,
    group_lower,
    upper_stamp,
    lower_stamp,
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
    x,
    work,
    current,
    products_row,
    gathered,
    gathered_scores,
    gathered_rows,
    gathered_norms,
):
    """The work of :func:`yinyang_pass` on block ``b`` (its scratch buffers passed in)."""
    n, d = X.shape
    k = centroids_t.shape[1]
    t = group_lower.shape[1]
    now = cumulative_drift.shape[0] - 1
    n_chunks = (n + chunk_rows - 1) // chunk_rows
    up = 1.0 + 2.0**-50
    down = 1.0 - 2.0**-50
    tight_up = 1.0 + (d + 8) * 2.0**-50
    margin_coefficient = 16.0 * (d + 2) * 2.0**-53
    centroid_norm_sq_max = centroid_norm_max * centroid_norm_max
    n_changed = 0
    n_computed = 0
    norm_sq_max = 0.0
    affected[b, :] = full
    block_full = full
    scored_chunk = -1  # the chunk whose GEMM ``products`` holds
    n_gathered = 0
    products = scores
    first_chunk = b * n_chunks // n_blocks
    last_chunk = (b + 1) * n_chunks // n_blocks - 1
    for chunk in range(first_chunk, last_chunk + 1):
        start = chunk * chunk_rows
        m = min(start + chunk_rows, n) - start
        if block_full:
            products = _chunk_scores(X, shift, centroids_t, chunk, chunk_rows, rows, scores)
            scored_chunk = chunk
            n_computed += m * k
            for i in range(m):
                row = start + i
                norm_sq = _sq_norm(rows, i)
                row_margin = margin
                if full:
                    norm_sq_max = max(norm_sq_max, norm_sq)
                    row_margin = margin_coefficient * 2.0 * (norm_sq + centroid_norm_sq_max)
                label, upper_value = _label_and_group_bounds(
                    products, i, score_offsets, rho, norm_sq, row_margin, group_of, work
                )
                if labels[row] != label:
                    n_changed += 1
                _store_bounds(
                    row, label, upper_value, work, now, labels, upper, lower, group_lower,
                    upper_stamp, lower_stamp,
                )  # fmt: skip
            continue
        chunk_computed = 0
        for i in range(m):
            row = start + i
            a = labels[row]
            since = upper_stamp[row]
            u = (upper[row] + (cumulative_drift[now, a] - cumulative_drift[since, a]) * up) * up
            set_at = lower_stamp[row]
            moved = (cumulative_other[now, a] - cumulative_other[set_at, a]) * up
            low = max((lower[row] - moved) * down, 0.0)
            if _proven(max(low, separation[a] - u), u, threshold):
                continue
            # The group bounds now; a row they prove keeps its label (restamped: its lower
            # bound becomes their minimum, so the first test holds more often next pass).
            lowest = np.inf
            for g in range(t):
                moved = (cumulative_group[now, g] - cumulative_group[set_at, g]) * up
                current[g] = max((np.float64(group_lower[row, g]) - moved) * down, 0.0)
                lowest = min(lowest, current[g])
            low = max(low, lowest)
            if _proven(low, u, threshold):
                _restamp_lower(row, low, current, now, lower, group_lower, lower_stamp)
                continue
            # Tighten: the exact distance to the own centroid, then test again.
            own_sq = 0.0
            for f in range(d):
                x[0, f] = X[row, f] - shift[f]
                diff = x[0, f] - centroids[a, f]
                own_sq += diff * diff
            u = np.sqrt(own_sq) * tight_up
            upper[row] = u
            upper_stamp[row] = now
            chunk_computed += 1
            if _proven(max(low, separation[a] - u), u, threshold):
                _restamp_lower(row, low, current, now, lower, group_lower, lower_stamp)
                continue
            # Group filter: the groups whose bound does not prove them farther are candidates.
            n_candidates = 0
            for g in range(t):
                if _proven(current[g], u, threshold):
                    work[g] = current[g]
                else:
                    work[g] = np.inf
                    current[g] = -1.0  # marks a candidate group
                    n_candidates += group_start[g + 1] - group_start[g]
            norm_sq = _sq_norm(x, 0)
            if n_candidates * SCALAR_DISTANCE_COST >= k:
                # Cheaper in one GEMM with every centroid, gathered with other such rows.
                gathered[n_gathered, :] = x[0, :]
                gathered_rows[n_gathered] = row
                gathered_norms[n_gathered] = norm_sq
                n_gathered += 1
                chunk_computed += k
                continue
            # Score every centroid of the candidate groups (a group's columns are contiguous in
            # ``grouped_t``: one vectorised loop per group), keeping the nearest.
            best = a
            best_sq = own_sq
            for g in range(t):
                if current[g] >= 0.0:
                    continue
                first = group_start[g]
                size = group_start[g + 1] - first
                for q in range(size):
                    products_row[q] = 0.0
                for f in range(d):
                    value = x[0, f]
                    for q in range(size):
                        products_row[q] += value * grouped_t[f, first + q]
                others_sq = np.inf  # the nearest of the group's centroids other than the best
                for q in range(size):
                    j = order[first + q]
                    if j == a:
                        continue
                    sq = norm_sq + grouped_sq_norms[first + q] - 2.0 * products_row[q]
                    if sq < best_sq:  # the previous best becomes one of the others
                        loser = group_of[best]
                        if loser == g:
                            others_sq = min(others_sq, best_sq)
                        else:
                            work[loser] = min(work[loser], np.sqrt(max(best_sq - margin, 0.0)) * down)
                        best = j
                        best_sq = sq
                    else:
                        others_sq = min(others_sq, sq)
                chunk_computed += size
                if others_sq < np.inf:
                    work[g] = min(work[g], np.sqrt(max(others_sq - margin, 0.0)) * down)
            best_upper = np.sqrt(max(best_sq + margin, 0.0)) * up
            lowest = np.inf
            for g in range(t):
                lowest = min(lowest, work[g])
            if not _proven(lowest, best_upper, threshold):
                # A near tie: the row's chunk GEMM decides, as in lloyd_pass.
                if scored_chunk != chunk:
                    products = _chunk_scores(X, shift, centroids_t, chunk, chunk_rows, rows, scores)
                    scored_chunk = chunk
                    chunk_computed += m * k
                best, best_upper = _label_and_group_bounds(
                    products, i, score_offsets, rho, norm_sq, margin, group_of, work
                )
            if best != a:
                n_changed += 1
                affected[b, a] = True
                affected[b, best] = True
            _store_bounds(
                row, best, best_upper, work, now, labels, upper, lower, group_lower,
                upper_stamp, lower_stamp,
            )  # fmt: skip
        n_computed += chunk_computed
        if chunk == first_chunk and chunk_computed >= FULL_BLOCK_SHARE * m * k:
            # The bounds do not pay here: the rest of the block is scored in full.
            block_full = True
            affected[b, :] = True
        if n_gathered == 0 or (n_gathered < chunk_rows and chunk < last_chunk and not block_full):
            continue
        # Score the gathered rows with one GEMM; near ties go to their chunk's own GEMM.
        np.dot(gathered[:n_gathered], centroids_t, gathered_scores[:n_gathered])
        for q in range(n_gathered):
            row = gathered_rows[q]
            a = labels[row]
            best, best_upper = _label_and_group_bounds(
                gathered_scores, q, score_offsets, rho, gathered_norms[q], margin, group_of, work
            )
            best_score = score_offsets[best] - 2.0 * gathered_scores[q, best]
            if not _clear_winner(gathered_scores, q, best, best_score, score_offsets, margin):
                if scored_chunk != row // chunk_rows:
                    scored_chunk = row // chunk_rows
                    products = _chunk_scores(X, shift, centroids_t, scored_chunk, chunk_rows, rows, scores)
                    n_computed += chunk_rows * k
                best, best_upper = _label_and_group_bounds(
                    products,
                    row - scored_chunk * chunk_rows,
                    score_offsets,
                    rho,
                    gathered_norms[q],
                    margin,
                    group_of,
                    work,
                )
            if best != a:
                n_changed += 1
                affected[b, a] = True
                affected[b, best] = True
            _store_bounds(
                row, best, best_upper, work, now, labels, upper, lower, group_lower,
                upper_stamp, lower_stamp,
            )  # fmt: skip
        n_gathered = 0
    block_stats[b, 0] = n_changed
    block_stats[b, 1] = n_computed
    if full:
        block_norm_max[b] = np.sqrt(norm_sq_max)
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


# Cached inside its caller's machine code: loading the caller loads it (see precompile.kernel_dispatchers).
_yinyang_block.compiled_into_caller = True  # type: ignore[attr-defined]
