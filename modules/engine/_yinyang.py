"""Yinyang k-means (Ding et al., 2015) on the BLAS-chunked pass: exact, like Hamerly's bounds.

The centroids are split into t groups (k-means of the centroids themselves). Each row keeps an upper
bound on the distance to its centroid, Hamerly's lower bound on the distance to any other, and one
lower bound per group (float32, rounded down: half the memory; ``t`` is capped so this n x t array
stays under :data:`MAX_GROUP_BOUND_BYTES`). A row whose Hamerly bounds fail is tested group by group
(group filter); every centroid of a group that may hold a nearer one is scored, the group at once in
one vectorised loop (Ding et al.'s local filter, centroid by centroid, costs more than it saves next
to that), or, when the candidate groups hold many centroids, the row is gathered with others for one
GEMM with every centroid (as Hamerly's pass scores its rows). The label is the one
:func:`_kernels.lloyd_pass` gives, bit for bit: a row keeps the nearest scored centroid only if every
other centroid is proven farther by more than the rounding threshold of the chunk GEMM (as in
:func:`_bounds.hamerly_pass`); otherwise its chunk's GEMM decides.

Bounds are kept lazily: each row stores its bounds with the pass they were set at (``upper_stamp``,
``lower_stamp``), and the drift since then is read from cumulative drift tables (one row per bounded
pass since the bounds were last set from scratch), so a row whose bounds hold costs no writes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from modules.engine._kernels import _fetch_increment
from modules.engine._yinyang_block import _yinyang_block

# The n x t group bounds (float32) never take more than this; fewer groups are used if needed, and
# Hamerly's bounds (16 bytes per row) when not even one group fits.
MAX_GROUP_BOUND_BYTES = 128 * 2**20
# About this many centroids per group (Ding et al. use t = k / 10).
GROUP_SIZE = 10
_GROUPING_PASSES = 5
_ROUNDING = 2.0**-50


def group_count(n_rows: int, n_clusters: int) -> int:
    """Groups for a fit: about k / GROUP_SIZE (at least 1), as many as the memory budget allows; 0 if
    not even one group's bounds fit."""
    affordable = MAX_GROUP_BOUND_BYTES // (4 * max(1, n_rows))
    return int(min(max(1, round(n_clusters / GROUP_SIZE)), affordable, n_clusters))


def group_centroids(centroids: np.ndarray, n_groups: int) -> np.ndarray:
    """Group of each centroid (0..t'-1, every group non-empty): a few Lloyd passes over the centroids
    from evenly spaced ones. Deterministic."""
    k = centroids.shape[0]
    if n_groups <= 1:
        return np.zeros(k, dtype=np.int64)
    centres = centroids[np.linspace(0, k - 1, n_groups).astype(np.int64)]
    groups = np.zeros(k, dtype=np.int64)
    for _ in range(_GROUPING_PASSES):
        squared = ((centroids[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        groups = np.argmin(squared, axis=1)
        for g in range(centres.shape[0]):
            members = groups == g
            if members.any():
                centres[g] = centroids[members].mean(axis=0)
    _, groups = np.unique(groups, return_inverse=True)  # drop empty groups, keep the order
    return groups.astype(np.int64).reshape(k)


class YinyangBounds:
    """The per-row bounds, the groups and the cumulative drift tables of one fit's Yinyang passes."""

    def __init__(self, n_rows: int, n_groups: int) -> None:
        self.n_groups = n_groups
        self.upper = np.empty(n_rows)
        self.lower = np.empty(n_rows)
        self.upper_stamp = np.zeros(n_rows, dtype=np.int32)
        self.lower_stamp = np.zeros(n_rows, dtype=np.int32)
        self.group_lower = np.empty((0, 0), dtype=np.float32)
        self.group_of = self.order = self.group_start = np.empty(0, dtype=np.int64)
        # Cumulative drift since the bounds were set from scratch, one entry per bounded pass: per
        # centroid, largest of the other centroids', per group (each step rounded up).
        self.cumulative_drift: list[np.ndarray] = []
        self.cumulative_other: list[np.ndarray] = []
        self.cumulative_group: list[np.ndarray] = []

    def reset(self, centroids: np.ndarray) -> None:
        """Group the centroids afresh: the next pass sets every bound from scratch."""
        k = centroids.shape[0]
        self.group_of = group_centroids(centroids, self.n_groups)
        t = int(self.group_of.max()) + 1
        if self.group_lower.shape != (self.upper.shape[0], t):
            self.group_lower = np.empty((self.upper.shape[0], t), dtype=np.float32)
        self.order = np.argsort(self.group_of, kind="stable").astype(np.int64)
        self.group_start = np.searchsorted(self.group_of[self.order], np.arange(t + 1)).astype(np.int64)
        self.cumulative_drift = [np.zeros(k)]
        self.cumulative_other = [np.zeros(k)]
        self.cumulative_group = [np.zeros(t)]

    def add_drift(self, drift: np.ndarray, drift_other: np.ndarray) -> None:
        """Record one pass's centroid drift (rounded up): ``drift`` per centroid, ``drift_other`` the
        largest of the other centroids'."""
        group_drift = np.zeros(self.cumulative_group[0].shape[0])
        np.maximum.at(group_drift, self.group_of, drift)
        up = 1.0 + _ROUNDING
        self.cumulative_drift.append((self.cumulative_drift[-1] + drift) * up)
        self.cumulative_other.append((self.cumulative_other[-1] + drift_other) * up)
        self.cumulative_group.append((self.cumulative_group[-1] + group_drift) * up)

    def tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The cumulative drift tables: (passes, k), (passes, k), (passes, t)."""
        return (
            np.stack(self.cumulative_drift),
            np.stack(self.cumulative_other),
            np.stack(self.cumulative_group),
        )


@njit(parallel=True, cache=True)
def yinyang_pass(
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
    workers,
):
    """One assignment pass with Yinyang's bounds, plus the per-block M-step sums of ``lloyd_pass``.

    ``full`` scores every row with its chunk's GEMM and sets all bounds (stamp 0); otherwise the bounds
    of pass ``now`` (the last row of the cumulative drift tables) are the stored ones moved by the drift
    since their stamp. A row's label is kept unscored when Hamerly's test holds (upper bound vs its lower
    bound and half the separation of its centroid), else after tightening the upper bound, else after the
    group filter; otherwise the centroids of the groups that may be nearer are scored (``grouped_t``:
    the centroids' columns in group order, ``grouped_sq_norms`` their squared norms) and the nearest
    kept when proven, else the chunk GEMM decides; a row with many candidates is gathered instead and
    scored against every centroid in one GEMM (kept if the winner is clear, else its chunk decides).
    Sums, ``block_stats`` and ``block_norm_max`` as in :func:`_bounds.hamerly_pass`.
    """
    d = X.shape[1]
    k = centroids_t.shape[1]
    t = group_lower.shape[1]
    next_block = np.zeros(1, np.int64)
    for _worker in prange(workers):
        rows = np.empty((chunk_rows, d))
        scores = np.empty((chunk_rows, k))
        x = np.empty((1, d))
        work = np.empty(t)  # the group bounds being set for a row
        current = np.empty(t)  # the row's group bounds at this pass, -1 for a candidate group
        products_row = np.empty(k)  # x . c for the centroids of one group
        gathered = np.empty((2 * chunk_rows, d))
        gathered_scores = np.empty((2 * chunk_rows, k))
        gathered_rows = np.empty(2 * chunk_rows, np.int64)
        gathered_norms = np.empty(2 * chunk_rows)
        while True:
            b = _fetch_increment(next_block, 0)
            if b >= n_blocks:
                break
            _yinyang_block(
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
            )
