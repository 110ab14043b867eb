"""`_lloyd` with an absolute ``tol`` and row ``weights`` reproduces scikit-learn's Lloyd.

scikit-learn centres X on its (unweighted) mean and scales ``tol`` by the mean feature variance
(``_tolerance``); the engine receives the centred data and the absolute tol, so the tests do the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans

from modules.engine.kmeans import _lloyd


def _sklearn_tolerance(X: np.ndarray, tol: float) -> float:
    return 0.0 if tol == 0 else float(np.mean(np.var(X, axis=0)) * tol)


def _blobs(n_rows: int = 3000, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.random((6, 4)) * 10
    return centres[rng.integers(0, 6, n_rows)] + rng.standard_normal((n_rows, 4))


def _ours(X: np.ndarray, init: np.ndarray, max_iter: int, tol: float, weights: np.ndarray | None):
    mean = X.mean(axis=0)
    fit = _lloyd(X, mean, init - mean, False, max_iter, tol=_sklearn_tolerance(X, tol), weights=weights)
    fit.centroids += mean
    return fit


def _theirs(X: np.ndarray, init: np.ndarray, max_iter: int, tol: float, weights: np.ndarray | None):
    model = KMeans(init.shape[0], init=init, n_init=1, algorithm="lloyd", tol=tol, max_iter=max_iter)
    return model.fit(X, sample_weight=weights)


def _assert_same(fit, reference) -> None:  # noqa: ANN001 - a KMeansFit and a fitted KMeans
    np.testing.assert_array_equal(fit.labels, reference.labels_)
    np.testing.assert_allclose(fit.centroids, reference.cluster_centers_, rtol=0, atol=1e-9)
    assert fit.n_iter == reference.n_iter_
    assert fit.inertia == pytest.approx(reference.inertia_, rel=1e-9)


@pytest.mark.parametrize("tol", [1e-4, 1e-2, 0.3])
@pytest.mark.parametrize("k", [3, 6, 9])
def test_tol_matches_sklearn(tol: float, k: int) -> None:
    X = _blobs()
    init = X[:k].copy()
    fit = _ours(X, init, 300, tol, None)
    reference = _theirs(X, init, 300, tol, None)
    _assert_same(fit, reference)
    assert fit.converged
    strict = _ours(X, init, 300, 0.0, None)
    assert fit.n_iter <= strict.n_iter


def test_tol_stops_earlier_than_strict_convergence() -> None:
    X = np.random.default_rng(1).random((4000, 3))  # uniform: many small moves before labels settle
    init = X[:8].copy()
    loose = _ours(X, init, 500, 1e-2, None)
    strict = _ours(X, init, 500, 0.0, None)
    assert loose.converged and strict.converged
    assert loose.n_iter < strict.n_iter
    _assert_same(loose, _theirs(X, init, 500, 1e-2, None))


@pytest.mark.parametrize("tol", [0.0, 1e-3])
@pytest.mark.parametrize("max_iter", [1, 4, 300])
def test_weights_match_sklearn(tol: float, max_iter: int) -> None:
    X = _blobs(seed=7)
    weights = np.random.default_rng(3).uniform(0.1, 5.0, X.shape[0])
    weights[::17] = 0.0  # rows without weight count for nothing
    init = X[:5].copy()
    _assert_same(_ours(X, init, max_iter, tol, weights), _theirs(X, init, max_iter, tol, weights))


def test_integer_weights_equal_repeated_rows() -> None:
    X = _blobs(n_rows=600, seed=2)
    repeats = np.random.default_rng(5).integers(1, 4, X.shape[0])
    init = X[:4].copy()
    weighted = _ours(X, init, 300, 0.0, repeats.astype(np.float64))
    repeated = _ours(np.repeat(X, repeats, axis=0), init, 300, 0.0, None)
    np.testing.assert_array_equal(np.repeat(weighted.labels, repeats), repeated.labels)
    np.testing.assert_allclose(weighted.centroids, repeated.centroids, rtol=0, atol=1e-12)
    assert weighted.n_iter == repeated.n_iter
    assert weighted.inertia == pytest.approx(repeated.inertia, rel=1e-12)


def test_unit_weights_change_nothing_bit_for_bit() -> None:
    X = _blobs(seed=9)
    init = X[:7].copy()
    plain = _ours(X, init, 300, 0.0, None)
    ones = _ours(X, init, 300, 0.0, np.ones(X.shape[0]))
    np.testing.assert_array_equal(plain.centroids, ones.centroids)
    np.testing.assert_array_equal(plain.labels, ones.labels)
    assert (plain.n_iter, plain.inertia) == (ones.n_iter, ones.inertia)


def test_weighted_empty_cluster_is_relocated_as_sklearn_does() -> None:
    # Four identical starting centroids: three clusters start empty and take the farthest rows.
    X = _blobs(n_rows=500, seed=11)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    init = np.repeat(X[:1], 4, axis=0)
    for max_iter in (1, 2, 300):
        _assert_same(_ours(X, init, max_iter, 0.0, weights), _theirs(X, init, max_iter, 0.0, weights))


def test_zero_weight_cluster_counts_as_empty() -> None:
    # Rows 0 and 1 carry no weight: the cluster that holds only them is empty, as in scikit-learn.
    X = np.array([[0.0], [0.1], [5.0], [5.2], [9.0], [9.4], [12.0]])
    weights = np.array([0.0, 0.0, 1.0, 2.0, 1.0, 1.0, 3.0])
    init = np.array([[0.0], [5.0], [9.0]])
    for max_iter in (1, 2, 50):
        _assert_same(_ours(X, init, max_iter, 0.0, weights), _theirs(X, init, max_iter, 0.0, weights))
