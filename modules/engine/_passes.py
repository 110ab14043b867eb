"""The assignment step of every Lloyd pass: the plain pass, Hamerly's or Yinyang's bounds, chosen per fit.

All give the same labels and the same per-block M-step sums, bit for bit (see
:func:`_bounds.hamerly_pass`, :func:`_yinyang.yinyang_pass`); the bounds only skip the row-centroid
distances they make unnecessary.
"""

from __future__ import annotations

import numpy as np

from modules.engine import _bounds, _kernels, _yinyang
from modules.engine.distances import _score_offsets

# The bounds cost a few comparisons per row; a plain pass costs about k * d multiply-adds per row
# (the GEMM) plus the k-way argmin. Below this many multiply-adds per row the plain pass is as cheap.
MIN_WORK_FOR_BOUNDS = 48
# A bounded pass that still computes more than this share of the distances costs about as much as a
# plain one plus the bookkeeping: the fit goes on with plain passes for a while, then tries the bounds
# again (a full pass that sets them afresh); each failed retry doubles the wait.
MAX_COMPUTED_SHARE = 0.7
FIRST_RETRY_AFTER = 4
# While many labels change, centroids move far and the bounds prove little (and the pass that sets
# them costs about 1.5 plain passes): the first bounded pass waits until at most this share of the
# labels changed in the last pass.
START_CHANGED_SHARE = 0.01
# "auto" runs Yinyang's bounds instead of Hamerly's from this many clusters on, up to this many
# features (bench/bench_bounds.py, fits to convergence, Yinyang / Hamerly CPU time: d = 20: k = 100
# 0.98x, k = 150 0.57x, k = 200 0.73-0.81x; d = 50, k = 200 0.95x; d = 100: 0.96-1.08x for every k. In
# many dimensions the group bounds loosen as fast as Hamerly's one bound).
YINYANG_MIN_CLUSTERS = 150
YINYANG_MAX_FEATURES = 50
_ROUNDING = 2.0**-50


def choose_algorithm(algorithm: str, n_rows: int, n_clusters: int, n_features: int) -> str:
    """The algorithm a fit runs: "auto" picks bounds where the plain pass is costly, Yinyang's for many
    clusters in few dimensions, else Hamerly's.

    Under "auto" the bounds are then used pass by pass only where they pay (see
    :meth:`AssignmentPasses.run`); "hamerly" and "yinyang" use them on every pass, "lloyd" never.
    Yinyang's group bounds must fit :data:`_yinyang.MAX_GROUP_BOUND_BYTES`, else Hamerly's run.
    """
    if algorithm == "yinyang" and _yinyang.group_count(n_rows, n_clusters) < 1:
        return "hamerly"
    if algorithm != "auto":
        return algorithm
    if n_clusters < 3 or n_rows < 4 * _kernels.CHUNK_ROWS:
        return "lloyd"
    if n_clusters * (n_features + 2) < MIN_WORK_FOR_BOUNDS:
        return "lloyd"
    if (
        n_clusters >= YINYANG_MIN_CLUSTERS
        and n_features <= YINYANG_MAX_FEATURES
        and _yinyang.group_count(n_rows, n_clusters) >= 2
    ):
        return "yinyang"
    return "hamerly"


class AssignmentPasses:
    """Runs the assignment passes of one fit and keeps what they share (labels, buffers, bounds)."""

    def __init__(
        self,
        X: np.ndarray,
        shift: np.ndarray,
        n_clusters: int,
        cosine: bool,
        weights: np.ndarray | None,
        algorithm: str,
    ) -> None:
        self.X, self.shift, self.cosine, self.weights = X, shift, cosine, weights
        n_rows, n_features = X.shape
        self.n_clusters = n_clusters
        self.algorithm = choose_algorithm(algorithm, n_rows, n_clusters, n_features)
        # "auto" also decides pass by pass when to use the bounds; an explicit "hamerly" always does.
        self.adaptive = algorithm == "auto"
        self.labels = np.full(n_rows, -1, dtype=np.int64)
        self.n_blocks = _kernels.block_count(n_rows, n_clusters * n_features)
        self.block_sums, self.block_counts = _kernels.block_buffers(self.n_blocks, n_clusters, n_features)
        self.block_weights = np.zeros(self.block_counts.shape) if weights is not None else np.empty((0, 0))
        self.affected = np.ones((self.n_blocks, n_clusters), dtype=np.bool_)
        self.block_stats = np.zeros((self.n_blocks, 6), dtype=np.int64)
        self.block_norm_max = np.zeros(self.n_blocks)
        # Hamerly's per-row bounds are allocated at the first bounded pass (a fit on data that never
        # settles runs only plain passes and never needs them).
        self.upper = self.lower = np.empty(0)
        self.yinyang: _yinyang.YinyangBounds | None = None  # allocated at the first bounded pass
        self.bounds_centroids: np.ndarray | None = None  # the centroids the bounds refer to
        self.row_norm_max = 0.0
        self.plain_passes_left = 0
        self.retry_after = FIRST_RETRY_AFTER
        self.last_changed = n_rows
        self.ran_bounds = False
        self.computed = 0  # row-centroid distances computed, over all passes
        self.possible = 0  # n * k per pass

    @property
    def skipped_fraction(self) -> float:
        return 0.0 if self.possible == 0 else max(0.0, 1.0 - self.computed / self.possible)

    def sums_and_totals(self) -> tuple[np.ndarray, np.ndarray]:
        """The M-step's sums of the (weighted, shifted) member rows and the counts or weight totals."""
        k = self.n_clusters
        sums = self.block_sums[:, :k].sum(axis=0)
        totals = (self.block_weights if self.weights is not None else self.block_counts)[:, :k].sum(axis=0)
        return sums, totals

    @property
    def algorithm_ran(self) -> str:
        """The bounds ("hamerly", "yinyang") once a bounded pass ran, else "lloyd"."""
        return self.algorithm if self.ran_bounds else "lloyd"

    def run(self, centroids: np.ndarray) -> int:
        """Assign every row to its nearest centroid and fill the block sums; return the labels changed.

        Under "auto" a pass uses the bounds once few labels change (``START_CHANGED_SHARE``) and
        while they skip enough (``MAX_COMPUTED_SHARE``, with a back-off); the others are plain passes.
        """
        n_rows = self.labels.shape[0]
        self.possible += n_rows * self.n_clusters
        if self.algorithm in ("hamerly", "yinyang") and (
            not self.adaptive
            or self.plain_passes_left == 0
            and (self.bounds_centroids is not None or self.last_changed <= START_CHANGED_SHARE * n_rows)
        ):
            self.ran_bounds = True
            self.last_changed = self._bounded(centroids)
            return self.last_changed
        self.plain_passes_left = max(0, self.plain_passes_left - 1)
        self.bounds_centroids = None
        self.computed += n_rows * self.n_clusters
        self.last_changed = self._plain(centroids)
        return self.last_changed

    def _plain(self, centroids: np.ndarray) -> int:
        weighted = self.weights is not None
        with _kernels.parallel_section():
            n_changed = _kernels.lloyd_pass(
                self.X,
                self.shift,
                centroids,
                np.ascontiguousarray(centroids.T),
                _score_offsets(centroids, self.cosine),
                self.labels,
                self.block_sums,
                self.block_counts,
                self.n_blocks,
                _kernels.CHUNK_ROWS,
                not weighted,
                np.empty(0),
                self.cosine,
                _kernels.n_workers(),
            )
            if weighted:
                self.affected[:] = True
                _bounds.block_sums_pass(
                    self.X,
                    self.shift,
                    self.labels,
                    self.weights,
                    True,
                    self.block_sums,
                    self.block_counts,
                    self.block_weights,
                    self.affected,
                    self.n_blocks,
                    _kernels.CHUNK_ROWS,
                    _kernels.n_workers(),
                )
        return int(n_changed)

    def _bounded(self, centroids: np.ndarray) -> int:
        k, d = centroids.shape
        full = self.bounds_centroids is None
        offsets = _score_offsets(centroids, self.cosine)
        sq_norms = np.einsum("ij,ij->i", centroids, centroids)
        rho = sq_norms - offsets  # 0 (Euclidean) or ||c||^2 (cosine, offsets 0)
        centroid_norm_max = float(np.sqrt(sq_norms.max())) * (1.0 + _ROUNDING)
        # A bound on the rounding of a GEMM score (and of ||x||^2 + score as a squared distance).
        margin = 16.0 * (d + 2) * 2.0**-53 * (self.row_norm_max + centroid_norm_max) ** 2
        threshold = 2.0 * margin + float(rho.max() - rho.min())
        if full:
            drift = drift_other = np.zeros(k)
        else:
            assert self.bounds_centroids is not None
            moves = np.sqrt(((centroids - self.bounds_centroids) ** 2).sum(axis=1))
            drift = moves * (1.0 + (d + 8) * _ROUNDING)
            drift_other = _largest_other(drift)
        separation = _separation(centroids, sq_norms, centroid_norm_max)
        bounded_pass = self._yinyang_pass if self.algorithm == "yinyang" else self._hamerly_pass
        bounded_pass(
            centroids, offsets, rho, separation, drift, drift_other, centroid_norm_max, margin, threshold
        )
        if full:
            self.row_norm_max = float(self.block_norm_max.max()) * (1.0 + _ROUNDING)
        self.bounds_centroids = centroids
        computed = int(self.block_stats[:, 1].sum())
        self.computed += computed
        if self.adaptive and not full and computed > MAX_COMPUTED_SHARE * self.labels.shape[0] * k:
            self.plain_passes_left = self.retry_after
            self.retry_after *= 2
        return int(self.block_stats[:, 0].sum())

    def _hamerly_pass(
        self,
        centroids: np.ndarray,
        offsets: np.ndarray,
        rho: np.ndarray,
        separation: np.ndarray,
        drift: np.ndarray,
        drift_other: np.ndarray,
        centroid_norm_max: float,
        margin: float,
        threshold: float,
    ) -> None:
        full = self.bounds_centroids is None
        if self.upper.shape[0] != self.labels.shape[0]:
            self.upper = np.empty(self.labels.shape[0])
            self.lower = np.empty(self.labels.shape[0])
        with _kernels.parallel_section():
            _bounds.hamerly_pass(
                self.X,
                self.shift,
                centroids,
                np.ascontiguousarray(centroids.T),
                offsets,
                rho,
                separation,
                drift,
                drift_other,
                centroid_norm_max,
                margin,
                threshold,
                full,
                self.labels,
                self.upper,
                self.lower,
                self.weights if self.weights is not None else np.empty(0),
                self.weights is not None,
                self.block_sums,
                self.block_counts,
                self.block_weights,
                self.affected,
                self.block_stats,
                self.block_norm_max,
                self.n_blocks,
                _kernels.CHUNK_ROWS,
                _kernels.n_workers(),
            )

    def _yinyang_pass(
        self,
        centroids: np.ndarray,
        offsets: np.ndarray,
        rho: np.ndarray,
        separation: np.ndarray,
        drift: np.ndarray,
        drift_other: np.ndarray,
        centroid_norm_max: float,
        margin: float,
        threshold: float,
    ) -> None:
        full = self.bounds_centroids is None
        n_rows = self.labels.shape[0]
        if self.yinyang is None:
            self.yinyang = _yinyang.YinyangBounds(n_rows, _yinyang.group_count(n_rows, self.n_clusters))
        bounds = self.yinyang
        if full:
            bounds.reset(centroids)  # groups from the current centroids; every bound set afresh
        else:
            bounds.add_drift(drift, drift_other)
        cumulative_drift, cumulative_other, cumulative_group = bounds.tables()
        with _kernels.parallel_section():
            _yinyang.yinyang_pass(
                self.X,
                self.shift,
                centroids,
                np.ascontiguousarray(centroids.T),
                offsets,
                rho,
                separation,
                cumulative_drift,
                cumulative_other,
                cumulative_group,
                bounds.group_of,
                bounds.order,
                bounds.group_start,
                np.ascontiguousarray(centroids[bounds.order].T),
                (offsets + rho)[bounds.order],
                centroid_norm_max,
                margin,
                threshold,
                full,
                self.labels,
                bounds.upper,
                bounds.lower,
                bounds.group_lower,
                bounds.upper_stamp,
                bounds.lower_stamp,
                self.weights if self.weights is not None else np.empty(0),
                self.weights is not None,
                self.block_sums,
                self.block_counts,
                self.block_weights,
                self.affected,
                self.block_stats,
                self.block_norm_max,
                self.n_blocks,
                _kernels.CHUNK_ROWS,
                _kernels.n_workers(),
            )


def _largest_other(values: np.ndarray) -> np.ndarray:
    """For each j, the largest of the other values (0 when there is no other)."""
    if values.shape[0] == 1:
        return np.zeros(1)
    order = np.argsort(values)
    out = np.full(values.shape[0], values[order[-1]])
    out[order[-1]] = values[order[-2]]
    return out


def _separation(centroids: np.ndarray, sq_norms: np.ndarray, norm_max: float) -> np.ndarray:
    """A lower bound on each centroid's distance to the nearest other centroid (inf when k = 1).

    From ``||a||^2 + ||b||^2 - 2 a.b`` less a bound on its rounding: a row within half of it of its
    centroid is nearer to it than to any other.
    """
    k, d = centroids.shape
    if k == 1:
        return np.full(1, np.inf)
    squared = sq_norms[:, None] + sq_norms[None, :] - 2.0 * (centroids @ centroids.T)
    squared -= 16.0 * (d + 2) * 2.0**-53 * (2.0 * norm_max) ** 2
    np.fill_diagonal(squared, np.inf)
    return np.sqrt(np.maximum(squared.min(axis=1), 0.0)) * (1.0 - _ROUNDING)
