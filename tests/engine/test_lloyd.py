"""Lloyd's algorithm: the cosine metric, empty clusters, determinism, callbacks, errors, fast == reference."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from modules.engine import _reference, assign, fit_kmeans, pairwise_distances
from modules.engine.kmeans import _lloyd
from modules.errors import Cancelled, ModuleError


def test_cosine_spherical_kmeans_toy() -> None:
    X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.3], [0.2, 1.0]])
    fit = fit_kmeans(X, 2, init="first_n", metric="cosine")
    # Start at the directions of rows 0 and 1: rows 0, 2 go to (1, 0), rows 1, 3 to (0, 1). Each
    # centroid is then the normalised mean of its rows' unit vectors; nothing moves after that.
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    c0 = unit[0] + unit[2]
    c1 = unit[1] + unit[3]
    expected = np.array([c0 / np.linalg.norm(c0), c1 / np.linalg.norm(c1)])
    np.testing.assert_array_equal(fit.labels, [0, 1, 0, 1])
    np.testing.assert_allclose(fit.centroids, expected, rtol=1e-14)
    assert fit.converged
    cosines = (unit * expected[fit.labels]).sum(axis=1)
    assert fit.inertia == pytest.approx(np.sum(1.0 - cosines), rel=1e-12)
    distances = pairwise_distances(X, fit.centroids, metric="cosine")
    np.testing.assert_allclose(distances, 1.0 - unit @ expected.T, atol=1e-15)
    labels, own = assign(X, fit.centroids, metric="cosine")
    np.testing.assert_array_equal(labels, fit.labels)
    np.testing.assert_allclose(own, 1.0 - cosines, atol=1e-15)


def test_cosine_ignores_row_length() -> None:
    X = np.abs(np.random.default_rng(0).standard_normal((500, 3)))
    scales = np.random.default_rng(1).uniform(0.1, 100.0, size=(500, 1))
    a = fit_kmeans(X, 4, metric="cosine", seed=3)
    b = fit_kmeans(X * scales, 4, metric="cosine", seed=3)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(a.centroids, b.centroids, atol=1e-12)


def test_zero_row_under_cosine_raises_0018_naming_the_row() -> None:
    X = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 0.0], [0.0, 1.0]])
    for call in (
        lambda: fit_kmeans(X, 2, metric="cosine"),
        lambda: assign(X, X[:2], metric="cosine"),
        lambda: pairwise_distances(X, X[:2], metric="cosine"),
    ):
        with pytest.raises(ModuleError) as error:
            call()
        assert error.value.code == "0018"
        assert "row 2" in error.value.message
        assert "cosine" in error.value.message


def test_zero_row_is_fine_under_euclidean() -> None:
    X = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 0.0], [0.0, 1.0]])
    assert fit_kmeans(X, 2).labels.shape == (4,)


def test_emptied_cluster_is_reseeded_at_the_farthest_row() -> None:
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    fit = fit_kmeans(X, 3, init="evenly")
    # evenly: 2.5, 5, 7.5. Pass 1: rows 0, 1, 2 -> 2.5, row 3 -> 7.5; cluster 1 is empty. Squared
    # distances to own centroid: 6.25, 2.25, 0.25, 6.25: rows 0 and 3 tie, the lower index moves, so
    # cluster 1 = {0} and cluster 0 = {1, 2}. Pass 2: labels 1, 0, 0, 2 -> centroids 1.5, 0, 10.
    np.testing.assert_array_equal(fit.labels, [1, 0, 0, 2])
    np.testing.assert_array_equal(fit.centroids, [[1.5], [0.0], [10.0]])
    assert fit.converged


def test_duplicate_initial_centroids_end_as_k_distinct_clusters() -> None:
    X = np.random.default_rng(2).random((300, 2))
    start = np.repeat(X[:1], 4, axis=0)  # four identical centroids: three clusters start empty
    fit = _lloyd(X, np.zeros(2), start, False, 100)
    assert np.bincount(fit.labels, minlength=4).min() > 0
    assert np.unique(fit.centroids, axis=0).shape[0] == 4


@pytest.mark.parametrize("init", ["first_n", "random", "kmeans++", "kmeans++_fast", "evenly"])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_same_seed_same_result_bit_for_bit(uniform: np.ndarray, init: str, metric: str) -> None:
    a = fit_kmeans(uniform, 6, init=init, metric=metric, seed=1234, max_iter=30)
    b = fit_kmeans(uniform, 6, init=init, metric=metric, seed=1234, max_iter=30)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert (a.n_iter, a.inertia) == (b.n_iter, b.inertia)


def test_results_do_not_depend_on_the_thread_count(uniform: np.ndarray) -> None:
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = fit_kmeans(uniform, 6, init="kmeans++", seed=9, max_iter=30)
    finally:
        numba.set_num_threads(threads)
    parallel = fit_kmeans(uniform, 6, init="kmeans++", seed=9, max_iter=30)
    np.testing.assert_array_equal(single.centroids, parallel.centroids)
    np.testing.assert_array_equal(single.labels, parallel.labels)


@pytest.mark.parametrize("init", ["random", "kmeans++", "kmeans++_fast"])
def test_different_seeds_give_different_starts(uniform: np.ndarray, init: str) -> None:
    a = fit_kmeans(uniform, 6, init=init, seed=1, max_iter=1)
    b = fit_kmeans(uniform, 6, init=init, seed=2, max_iter=1)
    assert not np.array_equal(a.centroids, b.centroids)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("n_clusters", [1, 3, 9])
@pytest.mark.parametrize("max_iter", [1, 4, 100])
def test_fast_path_equals_numpy_reference(
    uniform: np.ndarray, metric: str, n_clusters: int, max_iter: int
) -> None:
    fit = fit_kmeans(uniform, n_clusters, init="first_n", metric=metric, max_iter=max_iter)
    centroids, labels, n_iter, converged = _reference.lloyd(uniform, uniform[:n_clusters], max_iter, metric)
    np.testing.assert_array_equal(fit.labels, labels)
    np.testing.assert_allclose(fit.centroids, centroids, rtol=0, atol=1e-12)
    assert (fit.n_iter, fit.converged) == (n_iter, converged)
    expected_distances = _reference.pairwise_distances(uniform, fit.centroids, metric)
    np.testing.assert_allclose(
        pairwise_distances(uniform, fit.centroids, metric), expected_distances, atol=1e-7
    )
    own = expected_distances[np.arange(len(labels)), fit.labels]
    expected_inertia = own.sum() if metric == "cosine" else (own**2).sum()
    assert fit.inertia == pytest.approx(expected_inertia, rel=1e-10)


def test_reference_agrees_on_assign_for_small_and_odd_sizes() -> None:
    rng = np.random.default_rng(5)
    for n_rows in (1, 255, 256, 257, 1000):
        X = rng.standard_normal((n_rows, 3))
        centroids = rng.standard_normal((4, 3))
        for metric in ("euclidean", "cosine"):
            labels, distances = assign(X, centroids, metric)
            expected_labels, expected_distances = _reference.assign(X, centroids, metric)
            np.testing.assert_array_equal(labels, expected_labels)
            np.testing.assert_allclose(distances, expected_distances, atol=1e-12)


def test_progress_is_monotone_and_ends_at_one(uniform: np.ndarray) -> None:
    for max_iter in (3, 500):
        seen: list[float] = []
        fit = fit_kmeans(uniform, 5, max_iter=max_iter, progress=seen.append)
        assert seen == sorted(seen)
        assert seen[-1] == 1.0
        assert all(0.0 < value <= 1.0 for value in seen)
        assert fit.n_iter <= len(seen) <= fit.n_iter + 1
        assert seen[0] == pytest.approx(1 / max_iter)


def test_should_stop_raises_cancelled(uniform: np.ndarray) -> None:
    calls = 0

    def stop_on_third_poll() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 3

    seen: list[float] = []
    with pytest.raises(Cancelled):
        fit_kmeans(uniform, 5, max_iter=100, progress=seen.append, should_stop=stop_on_third_poll)
    assert calls == 3
    assert seen == [pytest.approx(0.01)]  # one pass ran, then the stop was seen before the second


def test_should_stop_false_changes_nothing(uniform: np.ndarray) -> None:
    a = fit_kmeans(uniform, 5, seed=3, should_stop=lambda: False)
    b = fit_kmeans(uniform, 5, seed=3)
    np.testing.assert_array_equal(a.centroids, b.centroids)


def test_invalid_arguments() -> None:
    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(ValueError, match="metric"):
        fit_kmeans(X, 2, metric="manhattan")
    with pytest.raises(ValueError, match="init"):
        fit_kmeans(X, 2, init="nope")
    with pytest.raises(ValueError, match="seed"):
        fit_kmeans(X, 2, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        fit_kmeans(X, 2, seed=2**32)
    with pytest.raises(ValueError, match="max_iter"):
        fit_kmeans(X, 2, max_iter=0)
    with pytest.raises(ValueError, match="n_clusters"):
        fit_kmeans(X, 0)
    bad = X.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ModuleError) as error:
        fit_kmeans(bad, 2)
    assert error.value.code == "0018" and "row 7" in error.value.message
    with pytest.raises(ModuleError) as error:
        fit_kmeans(np.empty((0, 3)), 2)
    assert error.value.code == "0003"


def test_accepts_lists_and_fortran_order() -> None:
    X = np.asfortranarray(np.random.default_rng(0).random((50, 3)))
    a = fit_kmeans(X, 3, seed=1)
    b = fit_kmeans(X.tolist(), 3, seed=1)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    assert a.centroids.flags.c_contiguous and a.centroids.dtype == np.float64


def test_column_sums_kernel_is_numpys_mean_bit_for_bit() -> None:
    from modules.engine import _kernels

    rng = np.random.default_rng(11)
    for n_features in (2, 3, 20, 57):
        X = rng.standard_normal((10_007, n_features)) * 1e3 + 5.0
        np.testing.assert_array_equal(_kernels.column_sums(X) / len(X), X.mean(axis=0))
