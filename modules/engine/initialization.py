"""Initial centroids: first_n, random partition, greedy k-means++, k-means|| and more."""

from __future__ import annotations

import math

import numpy as np

from modules.engine import _kernels
from modules.engine._mstep import centroids_from_sums, relocate_empty_clusters
from modules.engine._validation import (
    check_data,
    check_dtype,
    check_enough_distinct_rows,
    check_metric,
    check_sample_weight,
    check_zero_rows,
    normalize_centroids,
    unit_rows,
)
from modules.errors import ModuleError

INIT_METHODS = ("first_n", "random", "kmeans++", "kmeans++_fast", "evenly", "label_column")

KMEANS_PARALLEL_ROUNDS = 5
KMEANS_PARALLEL_OVERSAMPLING = 2.0


def initial_centroids(
    X: object,
    n_clusters: int,
    init: str,
    *,
    metric: str = "euclidean",
    seed: int | np.random.Generator | None = None,
    rng: np.random.Generator | None = None,
    init_labels: object = None,
    sample_weight: object = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """Initial centroids (k, d) for ``init`` (one of :data:`INIT_METHODS`).

    ``seed`` is an int (or a Generator; ``rng`` is accepted as an alias). Under cosine the rows are
    normalised first and the centroids returned have unit length. ``sample_weight`` and ``dtype`` as
    in :func:`modules.engine.fit_kmeans` (whose initialisation this is, seed for seed). Raises 0021
    when X has fewer distinct rows than ``n_clusters``, 0018 for a zero row under cosine.
    """
    precision = check_dtype(dtype)
    data = check_data(X, dtype=precision)
    weights = check_sample_weight(sample_weight, data.shape[0])
    cosine = check_metric(metric)
    n_clusters = check_n_clusters(n_clusters)
    check_init(init)
    labels = check_init_labels(init_labels, data.shape[0]) if init == "label_column" else None
    generator = rng if rng is not None else np.random.default_rng(seed)
    if cosine:
        sq_norms = _row_sq_norms(data)
        check_zero_rows(data, sq_norms)
        data = unit_rows(data, sq_norms).astype(precision, copy=False)
    check_enough_distinct_rows(data, n_clusters)
    return _initial_centroids(data, n_clusters, init, generator, cosine, labels, weights)


def check_n_clusters(n_clusters: object) -> int:
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer) or n_clusters < 1:
        raise ValueError(f"n_clusters must be a positive int, got {n_clusters!r}")
    return int(n_clusters)


def check_init(init: str) -> None:
    if init not in INIT_METHODS:
        raise ValueError(f"init must be one of {INIT_METHODS}, got {init!r}")


def check_init_labels(init_labels: object, n_rows: int) -> np.ndarray:
    """Labels for ``label_column``: int64 (n,), -1 where the label is missing."""
    if init_labels is None:
        raise ModuleError("0024", "init='label_column' needs a label column, but none was given")
    labels = np.ascontiguousarray(init_labels, dtype=np.int64)
    if labels.shape != (n_rows,):
        raise ValueError(f"init_labels must have shape ({n_rows},), got {labels.shape}")
    if n_rows and labels.min() < -1:
        raise ValueError("init_labels must be >= 0, or -1 for a missing label")
    return labels


def _initial_centroids(
    X: np.ndarray,
    n_clusters: int,
    init: str,
    rng: np.random.Generator,
    cosine: bool,
    init_labels: np.ndarray | None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Dispatch on ``init``; X is valid (unit rows under cosine) with at least k distinct rows.

    ``weights`` (None, or float64 (n,) >= 0, not all zero) are the rows' sample weights: k-means++ and
    k-means|| sample rows in proportion to w * D^2 (the first in proportion to w), random partition and
    label column take weighted means; first_n and evenly do not depend on them. Equal weights give
    the centroids of no weights. Returns float64 (k, d)
    whatever the dtype of X (float32 X: distances of the seeding are computed from float32 products).
    """
    if weights is not None and weights.min() == weights.max():
        weights = None  # equal weights seed exactly as none (scikit-learn's None means all ones)
    if init == "first_n":
        centroids = _first_distinct_rows(X, n_clusters)
    elif init == "random":
        centroids = _random_partition(X, n_clusters, rng, cosine, weights)
    elif init == "kmeans++":
        centroids = kmeans_plusplus(X, n_clusters, rng, sample_weight=weights)
    elif init == "kmeans++_fast":
        centroids = kmeans_parallel(X, n_clusters, rng, sample_weight=weights)
    elif init == "evenly":
        centroids = _evenly_spaced(X, n_clusters)
    elif init == "label_column":
        assert init_labels is not None
        centroids = _label_means(X, n_clusters, init_labels, rng, cosine, weights)
    else:  # pragma: no cover - checked by check_init
        raise ValueError(init)
    centroids = np.asarray(centroids, dtype=np.float64)
    return normalize_centroids(centroids) if cosine else centroids


def _row_sq_norms(X: np.ndarray) -> np.ndarray:
    with _kernels.parallel_section():
        return _kernels.row_sq_norms(X)


def _first_distinct_rows(X: np.ndarray, n_clusters: int) -> np.ndarray:
    """The first k distinct rows, in row order."""
    seen: set[bytes] = set()
    chosen: list[int] = []
    for index in range(X.shape[0]):
        key = (X[index] + 0.0).tobytes()
        if key not in seen:
            seen.add(key)
            chosen.append(index)
            if len(chosen) == n_clusters:
                break
    if len(chosen) < n_clusters:
        raise ModuleError(
            "0021",
            f"n_clusters={n_clusters} needs at least {n_clusters} distinct rows, "
            f"but the data has only {len(chosen)} distinct rows",
        )
    return X[chosen].copy()


def _evenly_spaced(X: np.ndarray, n_clusters: int) -> np.ndarray:
    """c_j = lo + (j+1)/(k+1) * (hi - lo), with per-feature minimum lo and maximum hi."""
    low = X.min(axis=0)
    high = X.max(axis=0)
    fractions = np.arange(1, n_clusters + 1, dtype=np.float64) / (n_clusters + 1)
    return low + fractions[:, None] * (high - low)


def _cluster_sums(X: np.ndarray, labels: np.ndarray, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of the rows of each label (-1 skipped), reduced in a fixed order."""
    n_blocks = _kernels.block_count(X.shape[0], n_clusters * X.shape[1])
    block_sums, block_counts = _kernels.block_buffers(n_blocks, n_clusters, X.shape[1])
    with _kernels.parallel_section():
        _kernels.cluster_sums(X, labels, block_sums, block_counts, n_blocks, _kernels.n_workers())
    return block_sums[:, :n_clusters].sum(axis=0), block_counts[:, :n_clusters].sum(axis=0)


def _random_partition(
    X: np.ndarray,
    n_clusters: int,
    rng: np.random.Generator,
    cosine: bool,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Every row gets a uniformly random cluster; centroids are the clusters' (weighted) means.

    A cluster left empty (tiny data) is seeded like an emptied cluster in Lloyd's algorithm: at the row
    farthest from its own cluster's mean (weighted: a cluster without weight, at the positive-weight
    row farthest from its own cluster's weighted mean).
    """
    labels = np.asarray(rng.integers(0, n_clusters, size=X.shape[0], dtype=np.int64))
    if weights is not None:
        return _weighted_partition_means(X, labels, n_clusters, weights, cosine)
    sums, counts = _cluster_sums(X, labels, n_clusters)
    if (counts == 0).any():
        means = centroids_from_sums(sums, counts, np.zeros_like(sums), cosine)
        relocate_empty_clusters(X, np.zeros(X.shape[1]), means, labels, sums, counts, cosine)
    return centroids_from_sums(sums, counts, np.zeros_like(sums), cosine)


def _weighted_sums(
    X: np.ndarray, labels: np.ndarray, n_clusters: int, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-label sums of w * x and of w (labels -1 skipped), one feature at a time (no n x d copy)."""
    keep = labels >= 0
    kept_labels, kept_weights = labels[keep], weights[keep]
    totals = np.bincount(kept_labels, weights=kept_weights, minlength=n_clusters)
    sums = np.empty((n_clusters, X.shape[1]))
    for feature in range(X.shape[1]):
        column = X[keep, feature].astype(np.float64)
        sums[:, feature] = np.bincount(kept_labels, weights=kept_weights * column, minlength=n_clusters)
    return sums, totals


def _weighted_partition_means(
    X: np.ndarray, labels: np.ndarray, n_clusters: int, weights: np.ndarray, cosine: bool
) -> np.ndarray:
    sums, totals = _weighted_sums(X, labels, n_clusters, weights)
    filled = totals > 0.0
    means = sums / np.where(filled, totals, 1.0)[:, None]
    if cosine:
        means = normalize_centroids(means)
    empty = np.flatnonzero(~filled)
    if empty.size:
        own = means[labels]
        far = np.einsum("ij,ij->i", X - own, X - own)
        far[weights <= 0.0] = -1.0
        order = np.lexsort((np.arange(X.shape[0]), -far))  # farthest first, ties to the lower row
        for cluster, row in zip(empty, order, strict=False):
            means[cluster] = X[row]
    return means


def _label_means(
    X: np.ndarray,
    n_clusters: int,
    init_labels: np.ndarray,
    rng: np.random.Generator,
    cosine: bool,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """One centroid per label (mean of its rows, weighted when ``weights`` are given; a label whose
    rows all weigh 0 takes their plain mean), most frequent (by rows) first; the rest by k-means++."""
    values, counts = np.unique(init_labels[init_labels >= 0], return_counts=True)
    if values.size == 0:
        return kmeans_plusplus(X, n_clusters, rng, sample_weight=weights)
    order = np.lexsort((values, -counts))[:n_clusters]  # most frequent first, ties by label value
    rank_of_value = np.full(values.size, -1, dtype=np.int64)
    rank_of_value[order] = np.arange(order.size)
    labelled = init_labels >= 0
    ranked_labels = np.full(init_labels.size, -1, dtype=np.int64)
    ranked_labels[labelled] = rank_of_value[np.searchsorted(values, init_labels[labelled])]
    sums, sizes = _cluster_sums(X, ranked_labels, order.size)
    means = sums * (1.0 / sizes)[:, None]
    if weights is not None:
        weighted_sums, totals = _weighted_sums(X, ranked_labels, order.size, weights)
        has_weight = totals > 0.0
        means[has_weight] = weighted_sums[has_weight] / totals[has_weight][:, None]
    if cosine:
        means = normalize_centroids(means)
    if order.size == n_clusters:
        return means
    return kmeans_plusplus(X, n_clusters, rng, sample_weight=weights, fixed_centroids=means)


def kmeans_plusplus(
    X: np.ndarray,
    n_clusters: int,
    rng: np.random.Generator,
    *,
    sample_weight: np.ndarray | None = None,
    fixed_centroids: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy k-means++ (Arthur & Vassilvitskii D^2 seeding, 2 + log(k) local trials per step).

    Each step samples the trials with probability proportional to (weighted) D^2 and keeps the one
    that lowers the potential most, as scikit-learn does. ``fixed_centroids`` are taken as already
    chosen. X must be valid and C-contiguous.
    """
    n_rows = X.shape[0]
    n_trials = 2 + int(math.log(n_clusters))
    weighted = sample_weight is not None
    weights = np.ascontiguousarray(sample_weight, dtype=np.float64) if weighted else np.empty(0)
    n_blocks = min(n_rows, _kernels.MAX_BLOCKS)
    block_starts = np.arange(n_blocks + 1) * n_rows // n_blocks
    x_sq_norms = _row_sq_norms(X)

    # buffer[current] = D^2 of every row; the other rows take the trials' D^2.
    buffer = np.empty((n_trials + 1, n_rows))
    buffer[0] = np.inf
    current = 0
    block_pots = np.empty((n_blocks, n_trials))

    def add_candidates(candidates: np.ndarray) -> np.ndarray:
        """Write each candidate's D^2 into buffer rows other than ``current``; return their potentials."""
        targets = np.array([row for row in range(n_trials + 1) if row != current][: len(candidates)])
        pots = block_pots[:, : len(candidates)]
        candidates = np.asarray(candidates, dtype=X.dtype)  # the compiled GEMM needs equal dtypes
        with _kernels.parallel_section():
            _kernels.candidate_potentials(
                X,
                x_sq_norms,
                np.ascontiguousarray(candidates.T),
                np.einsum("ij,ij->i", candidates, candidates),
                weights,
                weighted,
                buffer,
                current,
                targets,
                pots,
                _kernels.n_workers(),
            )
        return targets

    centroids = np.empty((n_clusters, X.shape[1]), dtype=X.dtype)
    if fixed_centroids is None:
        if weighted:
            first = _sample_rows(
                np.ones(n_rows), weights, True, block_starts, _block_sums(weights, block_starts), rng, 1
            )[0]
        else:
            first = int(rng.integers(n_rows))
        centroids[0] = X[first]
        n_chosen = 1
    else:
        n_chosen = fixed_centroids.shape[0]
        centroids[:n_chosen] = fixed_centroids
    for start in range(0, n_chosen):
        targets = add_candidates(centroids[start : start + 1])
        current = int(targets[0])
    current_block_pots = block_pots[:, 0].copy()

    for step in range(n_chosen, n_clusters):
        rows = _sample_rows(
            buffer[current], weights, weighted, block_starts, current_block_pots, rng, n_trials
        )
        candidates = X[rows]
        targets = add_candidates(candidates)
        best = int(np.argmin(block_pots[:, : len(rows)].sum(axis=0)))
        current = int(targets[best])
        current_block_pots = block_pots[:, best].copy()
        centroids[step] = candidates[best]
    return centroids


def _block_sums(values: np.ndarray, block_starts: np.ndarray) -> np.ndarray:
    return np.add.reduceat(values, block_starts[:-1])


def _sample_rows(
    closest_sq: np.ndarray,
    weights: np.ndarray,
    weighted: bool,
    block_starts: np.ndarray,
    block_pots: np.ndarray,
    rng: np.random.Generator,
    n_samples: int,
) -> np.ndarray:
    """Rows drawn with probability proportional to w * D^2, located block by block (no full cumsum)."""
    cumulative = np.cumsum(block_pots)
    total = cumulative[-1]
    rows = np.empty(n_samples, dtype=np.int64)
    targets = rng.random(n_samples) * total
    for index, target in enumerate(targets):
        row = -1
        if total > 0.0:
            block = min(int(np.searchsorted(cumulative, target, side="right")), block_pots.size - 1)
            # Rounding can leave a zero-potential block or overshoot: walk forward to a usable one.
            for candidate_block in [*range(block, block_pots.size), *range(block - 1, -1, -1)]:
                before = cumulative[candidate_block - 1] if candidate_block > 0 else 0.0
                row = _kernels.find_weighted_row(
                    closest_sq,
                    weights,
                    weighted,
                    block_starts[candidate_block],
                    block_starts[candidate_block + 1],
                    target - before if candidate_block == block else 0.0,
                )
                if row >= 0:
                    break
        rows[index] = row if row >= 0 else 0  # no positive D^2 left: every row is already a centroid
    return rows


def kmeans_parallel(
    X: np.ndarray,
    n_clusters: int,
    rng: np.random.Generator,
    *,
    n_rounds: int = KMEANS_PARALLEL_ROUNDS,
    oversampling: float = KMEANS_PARALLEL_OVERSAMPLING,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """k-means|| (Bahmani et al. 2012): oversample, weight, then weighted k-means++ on the candidates.

    Starting from one uniformly drawn row, each of ``n_rounds`` rounds keeps every row independently
    with probability ``min(1, l * D^2 / potential)``, ``l = oversampling * k``. Each candidate is
    weighted by the number of rows closest to it, and a weighted greedy k-means++ picks k of them. If
    the candidates hold fewer than k distinct rows, the rest are added by k-means++ over all rows.
    With ``sample_weight`` the first row is drawn in proportion to w, D^2 becomes w * D^2 (a row of
    weight 0 is never a candidate) and a candidate weighs the total weight of the rows closest to it.
    """
    n_rows = X.shape[0]
    expected_per_round = oversampling * n_clusters
    x_sq_norms = _row_sq_norms(X)
    closest_sq = np.full(n_rows, np.inf)
    nearest = np.zeros(n_rows, dtype=np.int64)
    if sample_weight is None:
        first = int(rng.integers(n_rows))
    else:
        first = min(
            int(np.searchsorted(np.cumsum(sample_weight), rng.random() * sample_weight.sum(), "right")),
            n_rows - 1,
        )
    chosen = [np.array([first], dtype=np.int64)]
    _update_nearest(X, x_sq_norms, chosen[0], 0, closest_sq, nearest)
    n_candidates = 1
    for _ in range(n_rounds):
        weighted_sq = closest_sq if sample_weight is None else sample_weight * closest_sq
        potential = weighted_sq.sum()
        if potential <= 0.0:
            break
        uniform = rng.random(n_rows)
        new_rows = np.flatnonzero(uniform * potential < expected_per_round * weighted_sq)
        if new_rows.size == 0:
            continue
        _update_nearest(X, x_sq_norms, new_rows, n_candidates, closest_sq, nearest)
        chosen.append(new_rows)
        n_candidates += new_rows.size
    candidate_rows = np.concatenate(chosen)
    weights = np.bincount(nearest, weights=sample_weight, minlength=n_candidates).astype(np.float64)
    candidates = X[candidate_rows]
    distinct = np.unique(candidates + 0.0, axis=0)
    if distinct.shape[0] >= n_clusters and (weights > 0.0).any():
        return kmeans_plusplus(candidates, n_clusters, rng, sample_weight=weights)
    return kmeans_plusplus(X, n_clusters, rng, sample_weight=sample_weight, fixed_centroids=distinct)


def _update_nearest(
    X: np.ndarray,
    x_sq_norms: np.ndarray,
    new_rows: np.ndarray,
    first_id: int,
    closest_sq: np.ndarray,
    nearest: np.ndarray,
) -> None:
    """Fold new candidate rows (ids from ``first_id``) into each row's closest-candidate record."""
    for start in range(0, new_rows.size, 256):  # bounded batch: O(chunk * batch) scratch
        batch = new_rows[start : start + 256]
        candidates = X[batch]
        with _kernels.parallel_section():
            _kernels.update_nearest(
                X,
                x_sq_norms,
                np.ascontiguousarray(candidates.T),
                np.einsum("ij,ij->i", candidates, candidates),
                first_id + start,
                closest_sq,
                nearest,
                _kernels.CHUNK_ROWS,
            )
    closest_sq[new_rows] = 0.0
    nearest[new_rows] = first_id + np.arange(new_rows.size)
