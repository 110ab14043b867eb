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
def block_sums_pass(
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
