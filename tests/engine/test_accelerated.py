"""Hamerly's and Yinyang's bounds give plain Lloyd's labels, centroids and iteration count at every
pass, bit for bit.

Every test runs the same fit with ``algorithm="lloyd"``, ``"hamerly"`` and ``"yinyang"`` and compares
each pass (the ``trace`` hook of ``_lloyd``: a pass's labels and the centroids computed from them) with
``np.array_equal``; shapes cover blobs, uniform data, duplicated rows, exact ties on integer grids,
forced empty clusters, k = 1, k = n, d = 1, cosine, weights and tol > 0.
"""

from __future__ import annotations

import itertools

import numba
import numpy as np
import pytest

from modules.engine import _reference, fit_kmeans
from modules.engine._passes import choose_algorithm
from tests.engine.bounded_passes import _assert_identical_passes, _blobs, _fit


@pytest.mark.parametrize(("n_features", "k"), [(2, 3), (6, 7), (20, 12), (50, 30)])
def test_blobs(n_features: int, k: int) -> None:
    X = _blobs(5003, n_features, k, 0.05, seed=n_features)
    fit = _assert_identical_passes(X, X[:k].copy())
    if k >= 10:
        assert fit.skipped_fraction > 0.3  # the bounds do their job on separated clusters


@pytest.mark.parametrize("k", [2, 5, 9])
def test_uniform(k: int) -> None:
    X = np.random.default_rng(7).random((2053, 5))
    _assert_identical_passes(X, X[:k].copy())


def test_duplicated_rows() -> None:
    base = _blobs(300, 3, 4, 0.2, seed=1)
    X = np.repeat(base, np.random.default_rng(2).integers(1, 12, base.shape[0]), axis=0)
    _assert_identical_passes(X, X[:6].copy())


@pytest.mark.parametrize("k", [2, 4, 7])
def test_exact_ties_on_an_integer_grid(k: int) -> None:
    # Rows on an integer grid, starting centroids on grid points: many rows sit exactly halfway.
    grid = np.array(list(itertools.product(range(12), range(12), range(3))), dtype=np.float64)
    X = np.concatenate([grid, grid[::-1], grid])
    init = grid[np.linspace(0, grid.shape[0] - 1, k).astype(int)]
    _assert_identical_passes(X, init)
    _assert_identical_passes(X, init, max_iter=1)


def test_forced_empty_clusters() -> None:
    X = _blobs(3000, 4, 5, 0.1, seed=3)
    init = np.repeat(X[:2], 4, axis=0)  # eight centroids on two points: six clusters start empty
    _assert_identical_passes(X, init)
    far = np.vstack([X[:3], X[:3].max(axis=0) + 100.0])  # one centroid nobody is near
    _assert_identical_passes(X, far)


def test_more_clusters_than_distinct_rows_nothing_to_relocate() -> None:
    X = np.repeat(np.array([[0.0, 1.0], [2.0, 3.0], [5.0, 5.0]]), 200, axis=0)
    _assert_identical_passes(X, np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [5.0, 5.0], [5.0, 5.0]]))


def test_one_cluster_and_one_feature() -> None:
    X = _blobs(1500, 1, 4, 0.05, seed=4)
    _assert_identical_passes(X, X[:1].copy())
    _assert_identical_passes(X, X[:4].copy())


def test_as_many_clusters_as_rows() -> None:
    X = np.random.default_rng(5).random((300, 3))
    _assert_identical_passes(X, X.copy())
    _assert_identical_passes(X, X[::-1].copy())


def test_cosine() -> None:
    X = np.abs(_blobs(4000, 8, 6, 0.1, seed=6)) + 0.01
    _assert_identical_passes(X, X[:6].copy(), cosine=True)
    _assert_identical_passes(
        np.random.default_rng(8).standard_normal((2600, 3)), X[:5, :3].copy(), cosine=True
    )


def test_weights() -> None:
    X = _blobs(4000, 6, 6, 0.08, seed=9)
    weights = np.random.default_rng(1).uniform(0.0, 3.0, X.shape[0])
    weights[::13] = 0.0
    _assert_identical_passes(X, X[:8].copy(), weights=weights)
    _assert_identical_passes(X, np.repeat(X[:2], 3, axis=0), weights=weights)


@pytest.mark.parametrize("tol", [1e-6, 1e-3])
def test_tol(tol: float) -> None:
    X = np.random.default_rng(10).random((3000, 4))
    fit = _assert_identical_passes(X, X[:6].copy(), tol=tol)
    assert fit.converged


def test_every_max_iter_gives_the_same_fit() -> None:
    X = _blobs(2000, 5, 6, 0.15, seed=12)
    for max_iter in range(1, 12):
        plain, _ = _fit(X, X[:6].copy(), "lloyd", max_iter=max_iter)
        bounded, _ = _fit(X, X[:6].copy(), "hamerly", max_iter=max_iter)
        np.testing.assert_array_equal(bounded.centroids, plain.centroids)
        np.testing.assert_array_equal(bounded.labels, plain.labels)
        assert (bounded.n_iter, bounded.converged) == (plain.n_iter, plain.converged)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_equals_the_numpy_reference(metric: str) -> None:
    X = np.abs(_blobs(3000, 5, 5, 0.1, seed=13)) + 0.01
    fit = fit_kmeans(X, 5, init="first_n", metric=metric, algorithm="hamerly")
    centroids, labels, n_iter, converged = _reference.lloyd(X, X[:5], 100, metric)
    np.testing.assert_array_equal(fit.labels, labels)
    np.testing.assert_allclose(fit.centroids, centroids, rtol=0, atol=1e-12)
    assert (fit.n_iter, fit.converged) == (n_iter, converged)


def test_results_do_not_depend_on_the_thread_count() -> None:
    X = _blobs(6000, 10, 8, 0.1, seed=14)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single, _ = _fit(X, X[:8].copy(), "hamerly")
    finally:
        numba.set_num_threads(threads)
    parallel, _ = _fit(X, X[:8].copy(), "hamerly")
    np.testing.assert_array_equal(single.centroids, parallel.centroids)
    np.testing.assert_array_equal(single.labels, parallel.labels)
    assert single.skipped_fraction == parallel.skipped_fraction


def test_auto_picks_bounds_where_the_plain_pass_is_costly() -> None:
    assert choose_algorithm("auto", 100_000, 20, 20) == "hamerly"
    assert choose_algorithm("auto", 100_000, 2, 5) == "lloyd"
    assert choose_algorithm("auto", 100, 20, 20) == "lloyd"
    assert choose_algorithm("lloyd", 100_000, 20, 20) == "lloyd"
    X = _blobs(20_000, 10, 10, 0.05, seed=15)
    auto = fit_kmeans(X, 10, init="first_n")
    plain = fit_kmeans(X, 10, init="first_n", algorithm="lloyd")
    assert auto.algorithm == "hamerly" and auto.skipped_fraction > 0.5
    np.testing.assert_array_equal(auto.labels, plain.labels)
    np.testing.assert_array_equal(auto.centroids, plain.centroids)
    assert auto.n_iter == plain.n_iter


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="algorithm"):
        fit_kmeans(np.random.default_rng(0).random((20, 2)), 2, algorithm="elkan")
