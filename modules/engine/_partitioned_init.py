"""Initial centroids of a partitioned matrix: first N (the in-memory rule), random partition and
k-means|| (Bahmani et al. 2012) run partition by partition on the Dask workers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from modules.engine import _partition_tasks as tasks
from modules.engine._mstep import centroids_from_sums
from modules.engine._partitions import GroupResults, Partitions, PerPartition
from modules.engine.initialization import (
    KMEANS_PARALLEL_OVERSAMPLING,
    KMEANS_PARALLEL_ROUNDS,
    _first_distinct_rows,
    kmeans_plusplus,
)
from modules.errors import ModuleError

# k-means|| goes on past KMEANS_PARALLEL_ROUNDS while its candidates hold fewer than k distinct rows
# (each round adds rows away from all candidates); this many extra rounds without enough is a bug.
MAX_EXTRA_ROUNDS = 100
_RANDOM_STREAM = 0  # the first element of a partition's seed key: which init the stream serves
_KMEANS_PARALLEL_STREAM = 1


def first_distinct_rows(parts: Partitions, n_clusters: int) -> np.ndarray:
    """The first k distinct rows in row order (what the in-memory ``first_n`` picks), read from the
    head of the matrix, a growing window at a time."""
    window = n_clusters
    while True:
        window = min(window, parts.n_rows)
        head = parts.rows(np.arange(window, dtype=np.int64))
        try:
            return _first_distinct_rows(head, n_clusters)
        except ModuleError:
            if window == parts.n_rows:
                raise
        window *= 4


def random_partition(parts: Partitions, n_clusters: int, seed: int) -> np.ndarray:
    """Each row in a uniformly random cluster (partition p's labels from its own stream of ``seed``,
    so reproducible for a given partitioning); the clusters' means. An empty cluster is seeded at the
    row farthest from its own cluster's mean, as the in-memory random partition does."""
    keys = [(_RANDOM_STREAM, int(seed), p) for p in range(len(parts))]
    results = parts.run_on_partitions(tasks.random_partition_sums, keys, n_clusters=n_clusters)
    sums = np.sum([result[0] for result in results], axis=0)
    counts = np.sum([result[1] for result in results], axis=0)
    zero = np.zeros_like(sums)
    if (counts == 0).any():
        means = centroids_from_sums(sums, counts, zero, False)
        relocate_empty_clusters(parts, np.zeros(parts.n_features), means, sums, counts, keys)
    return centroids_from_sums(sums, counts, zero, False)


def relocate_empty_clusters(
    parts: Partitions,
    shift: np.ndarray,
    old_centroids: np.ndarray,
    sums: np.ndarray,
    counts: np.ndarray,
    random_keys: Sequence[tuple[int, ...]] | None = None,
) -> None:
    """:func:`_mstep.relocate_empty_clusters` over partitions, in place: each partition offers its rows
    farthest from their own centroid, the client keeps the farthest overall (ties: lower row first)
    and moves them into the empty clusters in index order."""
    empty = np.flatnonzero(counts == 0)
    if empty.size == 0:
        return
    n_moves = min(empty.size, parts.n_rows)
    keys: Sequence[tuple[int, ...] | None] = random_keys if random_keys is not None else [None] * len(parts)
    offered = parts.run_on_partitions(
        tasks.farthest_rows,
        parts.first_rows,
        keys,
        shift=shift,
        centroids=old_centroids,
        n_rows_wanted=n_moves,
    )
    rows = np.concatenate([offer[0] for offer in offered])
    distances = np.concatenate([offer[1] for offer in offered])
    labels = np.concatenate([offer[2] for offer in offered])
    values = np.concatenate([offer[3] for offer in offered])
    if distances.size == 0 or distances.max() <= 0.0:
        return
    farthest = np.lexsort((rows, -distances))[:n_moves]
    for cluster, index in zip(empty, farthest, strict=False):
        source = labels[index]
        sums[source] -= values[index]
        counts[source] -= 1
        sums[cluster] = values[index]
        counts[cluster] = 1


def kmeans_parallel(
    parts: Partitions,
    n_clusters: int,
    seed: int,
    *,
    n_rounds: int = KMEANS_PARALLEL_ROUNDS,
    oversampling: float = KMEANS_PARALLEL_OVERSAMPLING,
) -> np.ndarray:
    """k-means|| over partitions: from one uniformly drawn row, each round keeps every row with
    probability ``min(1, l * D^2 / potential)`` (``l = oversampling * k``; each partition draws its
    uniforms from its own stream of ``seed`` and the round), candidates are weighted by the number of
    rows closest to them, and a weighted greedy k-means++ on the client picks k of them.

    The rows' distances to their closest candidate stay on the workers between rounds (one state per
    partition). Rounds go on past ``n_rounds`` while the candidates hold fewer than k distinct rows;
    when every row is a candidate's duplicate (potential 0) before that, X has fewer than k distinct
    rows: ModuleError 0021. Same seed and partitioning, same centroids.
    """
    rng = np.random.default_rng(seed)
    expected = oversampling * n_clusters
    first = np.array([int(rng.integers(parts.n_rows))], dtype=np.int64)
    candidates = [parts.rows(first)]
    states = _add_candidates(parts, [None] * len(parts), candidates[0], 0, first)
    n_candidates = 1
    for round_index in range(n_rounds + MAX_EXTRA_ROUNDS):
        potential = float(np.sum(parts.run(tasks.state_potential, states)))
        if potential <= 0.0:
            break
        if round_index >= n_rounds and _n_distinct(candidates) >= n_clusters:
            break
        keys = [(_KMEANS_PARALLEL_STREAM, int(seed), round_index, p) for p in range(len(parts))]
        sampled = parts.run_on_partitions(
            tasks.kmeans_parallel_sample,
            states,
            keys,
            parts.first_rows,
            potential=potential,
            expected=expected,
        )
        new_rows = np.concatenate([rows for rows, _ in sampled])
        if new_rows.size == 0:
            continue
        new_values = np.concatenate([values for _, values in sampled])
        states = _add_candidates(parts, states, new_values, n_candidates, new_rows)
        candidates.append(new_values)
        n_candidates += new_rows.size
    all_candidates = np.concatenate(candidates)
    if _n_distinct(candidates) < n_clusters:
        raise ModuleError(
            "0021",
            f"n_clusters={n_clusters} needs at least {n_clusters} distinct rows, "
            f"but the data has only {_n_distinct(candidates)} distinct rows",
        )
    weights = np.sum(parts.run(tasks.candidate_counts, states, n_candidates=n_candidates), axis=0)
    del states
    return kmeans_plusplus(np.ascontiguousarray(all_candidates), n_clusters, rng, sample_weight=weights)


def _add_candidates(
    parts: Partitions, states: PerPartition, new_values: np.ndarray, first_id: int, new_rows: np.ndarray
) -> GroupResults:
    """Fold new candidates (ids from ``first_id``) into every partition's state: the new states, left
    on the workers."""
    return parts.map(
        tasks.kmeans_parallel_update,
        parts.futures,
        states,
        parts.first_rows,
        candidates=new_values,
        first_id=first_id,
        candidate_rows=new_rows,
    )


def _n_distinct(candidates: list[np.ndarray]) -> int:
    return int(np.unique(np.concatenate(candidates) + 0.0, axis=0).shape[0])
