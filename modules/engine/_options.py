"""The fitting options scikit-learn users expect: checks, the relative tolerance, restart seeds and the
rule that picks the best restart."""

from __future__ import annotations

import numpy as np

from modules.engine import _kernels

MAX_N_INIT = 1000
_VARIANCE_CHUNK_ROWS = 65536


def check_tol(tol: object) -> float:
    if isinstance(tol, bool) or not isinstance(tol, int | float | np.integer | np.floating):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    value = float(tol)
    if not np.isfinite(value) or value < 0.0:
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    return value


def check_n_init(n_init: object) -> int:
    if isinstance(n_init, bool) or not isinstance(n_init, int | np.integer) or not 1 <= n_init <= MAX_N_INIT:
        raise ValueError(f"n_init must be an int in 1..{MAX_N_INIT}, got {n_init!r}")
    return int(n_init)


def absolute_tolerance(X: np.ndarray, column_means: np.ndarray, tol: float) -> float:
    """scikit-learn's ``_tolerance``: ``tol`` times the mean of the per-feature variances of X.

    Unweighted even when the fit is weighted, as scikit-learn 1.9 computes it. Summed over row chunks,
    so no (n, d) temporary is made; equal to ``np.var(X, axis=0).mean() * tol`` up to rounding.
    """
    if tol == 0.0:
        return 0.0
    squares = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], _VARIANCE_CHUNK_ROWS):
        deviations = X[start : start + _VARIANCE_CHUNK_ROWS] - column_means
        squares += np.einsum("ij,ij->j", deviations, deviations)
    return float((squares / X.shape[0]).mean() * tol)


def column_sums(X: np.ndarray) -> np.ndarray:
    """Float64 sum of each column; divided by n, bit for bit ``X.mean(axis=0)`` for float64 X (the
    centring scikit-learn uses; equal bits keep its tie-breaking)."""
    if X.shape[1] == 1:
        return X.sum(axis=0, dtype=np.float64)
    return _kernels.column_sums(X)


def restart_seeds(seed: int, n_init: int) -> list[int]:
    """The seed of each restart: ``seed`` itself first (so one restart is today's fit), then
    independent seeds derived from it."""
    seeds = [int(seed)]
    for index in range(1, n_init):
        seeds.append(int(np.random.SeedSequence(int(seed), spawn_key=(index,)).generate_state(1)[0]))
    return seeds


def same_clustering(labels1: np.ndarray, labels2: np.ndarray, n_clusters: int) -> bool:
    """True when the two labellings are the same partition up to a permutation of the labels
    (scikit-learn's ``_is_same_clustering``)."""
    mapping = np.full(n_clusters, -1, dtype=np.int64)
    values, first_rows = np.unique(labels1, return_index=True)
    mapping[values] = labels2[first_rows]
    return bool(np.array_equal(mapping[labels1], labels2))
