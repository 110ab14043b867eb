"""Yinyang's bounds with several groups of centroids: plain Lloyd's passes bit for bit, the groups, the
memory guard and the choice of algorithm.

test_accelerated.py runs every shape through Hamerly and Yinyang; at its small k Yinyang has one group.
Here k is large enough for several groups (about k / GROUP_SIZE), so the group filter, the scoring
of candidate groups and the per-group bounds are what is tested.
"""

from __future__ import annotations

import itertools

import numba
import numpy as np
import pytest

from modules.engine import _yinyang, fit_kmeans
from modules.engine._passes import choose_algorithm
from modules.engine._yinyang import GROUP_SIZE, MAX_GROUP_BOUND_BYTES, group_centroids, group_count
from tests.engine.bounded_passes import _assert_identical_passes, _blobs, _fit


@pytest.mark.parametrize(("n_features", "k", "spread"), [(2, 30, 0.02), (8, 45, 0.05), (20, 64, 0.1)])
def test_blobs_with_several_groups(n_features: int, k: int, spread: float) -> None:
    X = _blobs(6007, n_features, k, spread, seed=k)
    _assert_identical_passes(X, X[:k].copy())
    fit, _ = _fit(X, X[:k].copy(), "yinyang")
    assert fit.algorithm == "yinyang" and fit.skipped_fraction > 0.5


def test_uniform_data() -> None:
    X = np.random.default_rng(21).random((4099, 6))
    _assert_identical_passes(X, X[:40].copy(), max_iter=40)


@pytest.mark.parametrize(("sides", "k"), [((10, 10, 4), 32), ((12, 12, 4), 100)])
def test_exact_ties_on_an_integer_grid(sides: tuple[int, ...], k: int) -> None:
    # Rows exactly halfway between centroids: near ties both in rows gathered for one GEMM (k = 32: a
    # candidate group is a quarter of the centroids) and in rows scored group by group (k = 100).
    grid = np.array(list(itertools.product(*(range(side) for side in sides))), dtype=np.float64)
    X = np.concatenate([grid, grid[::-1], grid])
    init = grid[np.linspace(0, grid.shape[0] - 1, k).astype(int)]
    _assert_identical_passes(X, init)
    _assert_identical_passes(X, init, max_iter=2)


def test_duplicated_rows_and_forced_empty_clusters() -> None:
    base = _blobs(400, 3, 12, 0.1, seed=22)
    X = np.repeat(base, np.random.default_rng(23).integers(1, 9, base.shape[0]), axis=0)
    _assert_identical_passes(X, X[:30].copy())
    _assert_identical_passes(X, np.repeat(X[:6], 5, axis=0))  # 24 of 30 clusters start empty


def test_cosine_weights_and_tol() -> None:
    X = np.abs(_blobs(5000, 10, 30, 0.05, seed=24)) + 0.01
    _assert_identical_passes(X, X[:30].copy(), cosine=True)
    weights = np.random.default_rng(25).uniform(0.0, 2.0, X.shape[0])
    weights[::11] = 0.0
    _assert_identical_passes(X, X[:30].copy(), weights=weights)
    _assert_identical_passes(X, X[:30].copy(), tol=1e-4)


def test_results_do_not_depend_on_the_thread_count() -> None:
    X = _blobs(8000, 12, 40, 0.08, seed=26)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single, _ = _fit(X, X[:40].copy(), "yinyang")
    finally:
        numba.set_num_threads(threads)
    parallel, _ = _fit(X, X[:40].copy(), "yinyang")
    np.testing.assert_array_equal(single.centroids, parallel.centroids)
    np.testing.assert_array_equal(single.labels, parallel.labels)
    assert single.skipped_fraction == parallel.skipped_fraction


def test_groups_cover_every_centroid_once() -> None:
    centroids = _blobs(90, 5, 9, 0.01, seed=27)
    groups = group_centroids(centroids, 9)
    assert groups.shape == (90,) and groups.min() == 0
    assert set(np.unique(groups)) == set(range(int(groups.max()) + 1))  # no empty group
    assert groups.max() + 1 <= 9
    np.testing.assert_array_equal(groups, group_centroids(centroids, 9))  # deterministic
    np.testing.assert_array_equal(group_centroids(centroids, 1), np.zeros(90, dtype=np.int64))


def test_group_count_stays_under_the_memory_budget() -> None:
    assert group_count(1000, 200) == 200 // GROUP_SIZE
    assert group_count(1000, 3) == 1
    rows = MAX_GROUP_BOUND_BYTES // (4 * 5)  # room for exactly 5 float32 bounds per row
    assert group_count(rows, 200) == 5
    assert group_count(MAX_GROUP_BOUND_BYTES, 200) == 0  # not even one group fits


def test_explicit_yinyang_falls_back_to_hamerly_over_the_budget() -> None:
    too_many_rows = MAX_GROUP_BOUND_BYTES  # 4 bytes per row would already be over the budget
    assert choose_algorithm("yinyang", too_many_rows, 100, 20) == "hamerly"
    assert choose_algorithm("yinyang", 100_000, 100, 20) == "yinyang"
    assert choose_algorithm("hamerly", 100_000, 100, 20) == "hamerly"


def test_auto_picks_yinyang_for_many_clusters_in_few_dimensions() -> None:
    assert choose_algorithm("auto", 100_000, 200, 20) == "yinyang"
    assert choose_algorithm("auto", 100_000, 50, 20) == "hamerly"
    assert choose_algorithm("auto", 100_000, 200, 100) == "hamerly"
    assert choose_algorithm("auto", MAX_GROUP_BOUND_BYTES // 4, 200, 20) == "hamerly"  # one group at most
    X = _blobs(12_000, 3, 160, 0.004, seed=29)
    auto = fit_kmeans(X, 160, init="first_n")
    plain = fit_kmeans(X, 160, init="first_n", algorithm="lloyd")
    assert auto.algorithm == "yinyang"
    np.testing.assert_array_equal(auto.labels, plain.labels)
    np.testing.assert_array_equal(auto.centroids, plain.centroids)
    assert auto.n_iter == plain.n_iter


def test_fit_kmeans_reports_yinyang() -> None:
    X = _blobs(20_000, 6, 30, 0.03, seed=28)
    yinyang = fit_kmeans(X, 30, init="first_n", algorithm="yinyang")
    plain = fit_kmeans(X, 30, init="first_n", algorithm="lloyd")
    assert yinyang.algorithm == "yinyang" and yinyang.skipped_fraction > 0.5
    np.testing.assert_array_equal(yinyang.labels, plain.labels)
    np.testing.assert_array_equal(yinyang.centroids, plain.centroids)
    assert (yinyang.n_iter, yinyang.inertia) == (plain.n_iter, plain.inertia)


def test_kernel_module_is_precompiled() -> None:
    from modules.engine.precompile import kernel_dispatchers

    assert kernel_dispatchers()["yinyang_pass"] is _yinyang.yinyang_pass
