"""K-Means over a row-partitioned dask array on a real 2-process LocalCluster: the in-memory engine
and scikit-learn are the references."""

from __future__ import annotations

import math
from collections.abc import Iterator

import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, make_blobs

from modules.engine import fit_kmeans
from modules.engine.distributed import fit_kmeans_partitioned, initial_centroids_partitioned
from modules.errors import Cancelled, ModuleError


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def iris() -> np.ndarray:
    return np.ascontiguousarray(load_iris().data, dtype=np.float64)


def blobs() -> np.ndarray:
    X, _ = make_blobs(n_samples=3000, n_features=6, centers=7, cluster_std=1.5, random_state=3)
    return X


def partitioned(X: np.ndarray, n_partitions: int) -> da.Array:
    """X split into ``n_partitions`` uneven row partitions (sizes growing with the index)."""
    weights = np.arange(1, n_partitions + 1, dtype=np.float64)
    bounds = np.round(np.cumsum(weights) / weights.sum() * X.shape[0]).astype(int)
    sizes = np.diff(np.concatenate([[0], bounds]))
    return da.from_array(X, chunks=(tuple(int(size) for size in sizes), X.shape[1]))


def squared_distance_sum(X: np.ndarray, centroids: np.ndarray, labels: np.ndarray) -> float:
    return float(((X - centroids[labels]) ** 2).sum())


@pytest.mark.parametrize("data", [iris, blobs])
@pytest.mark.parametrize("n_partitions", [1, 3, 7])
@pytest.mark.parametrize("n_clusters", [3, 8])
def test_first_n_is_the_in_memory_fit(client: Client, data, n_partitions: int, n_clusters: int) -> None:
    X = data()
    reference = fit_kmeans(X, n_clusters, init="first_n", max_iter=300)

    fit = fit_kmeans_partitioned(partitioned(X, n_partitions), n_clusters, init="first_n", max_iter=300)

    labels = fit.labels.compute()
    np.testing.assert_array_equal(labels, reference.labels)
    np.testing.assert_allclose(fit.centroids, reference.centroids, rtol=0, atol=1e-9)
    assert fit.converged == reference.converged
    if data is iris and n_partitions > 1:
        # Iris (measured to 0.1 cm) has rows exactly between two centroids on the way: the last bit of
        # the sums, which partitions add in other groups, decides them, and with k = 8 such a row
        # moves one pass later or earlier (same end point, 13 vs 14 passes).
        assert abs(fit.n_iter - reference.n_iter) <= 1
    else:
        assert fit.n_iter == reference.n_iter
    assert fit.inertia == pytest.approx(reference.inertia, rel=1e-12)
    if n_partitions == 1:  # the same sums in the same order: the same bits
        np.testing.assert_array_equal(fit.centroids, reference.centroids)
        assert fit.inertia == reference.inertia


def test_labels_stay_partitioned_and_lazy(client: Client) -> None:
    X = partitioned(blobs(), 5)
    fit = fit_kmeans_partitioned(X, 4, max_iter=10)
    assert isinstance(fit.labels, da.Array)
    assert fit.labels.chunks == (X.chunks[0],)
    assert fit.labels.dtype == np.int64
    # one task per partition on top of the persisted matrix
    assert len(fit.labels.__dask_graph__().layers[fit.labels.name]) == X.npartitions


@pytest.mark.parametrize("max_iter", [1, 2, 5])
def test_inertia_is_the_squared_distance_sum_at_the_iteration_limit(client: Client, max_iter: int) -> None:
    X = np.random.default_rng(7).random((2053, 5))  # uniform: far from converged after a few passes

    fit = fit_kmeans_partitioned(partitioned(X, 4), 6, max_iter=max_iter)

    assert fit.n_iter == max_iter and not fit.converged
    labels = fit.labels.compute()
    assert fit.inertia == pytest.approx(squared_distance_sum(X, fit.centroids, labels), rel=1e-12)
    unsquared = float(np.sqrt(((X - fit.centroids[labels]) ** 2).sum(axis=1)).sum())
    assert not math.isclose(fit.inertia, unsquared, rel_tol=1e-3)  # dask-ml's mistake


@pytest.mark.parametrize("max_iter", [3, 300])
def test_first_n_matches_scikit_learn_lloyd(client: Client, max_iter: int) -> None:
    X = blobs()
    reference = KMeans(5, init=X[:5], n_init=1, algorithm="lloyd", tol=0, max_iter=max_iter).fit(X)

    fit = fit_kmeans_partitioned(partitioned(X, 3), 5, init="first_n", max_iter=max_iter)

    np.testing.assert_array_equal(fit.labels.compute(), reference.labels_)
    np.testing.assert_allclose(fit.centroids, reference.cluster_centers_, rtol=0, atol=1e-9)
    assert fit.n_iter == reference.n_iter_
    assert fit.inertia == pytest.approx(reference.inertia_, rel=1e-10)


def test_relative_tolerance_stops_where_the_in_memory_fit_does(client: Client) -> None:
    X = np.random.default_rng(3).random((3000, 4))
    reference = fit_kmeans(X, 5, init="first_n", max_iter=300, tol=1e-3)

    fit = fit_kmeans_partitioned(partitioned(X, 4), 5, init="first_n", max_iter=300, tol=1e-3)

    assert (fit.n_iter, fit.converged) == (reference.n_iter, reference.converged)
    assert reference.n_iter < 300
    np.testing.assert_array_equal(fit.labels.compute(), reference.labels)
    np.testing.assert_allclose(fit.centroids, reference.centroids, rtol=0, atol=1e-9)


def test_an_emptied_cluster_is_reseeded_as_in_memory(client: Client) -> None:
    X = blobs()
    start = np.vstack([X[:3], np.full((2, X.shape[1]), 1e3)])  # two centroids no row is near
    reference = fit_kmeans(X, 5, init_centroids=start, max_iter=300)

    fit = fit_kmeans_partitioned(partitioned(X, 3), 5, init_centroids=start, max_iter=300)

    np.testing.assert_array_equal(fit.labels.compute(), reference.labels)
    np.testing.assert_allclose(fit.centroids, reference.centroids, rtol=0, atol=1e-9)
    assert fit.n_iter == reference.n_iter


def test_empty_partitions_and_partitions_smaller_than_k(client: Client) -> None:
    X = iris()
    reference = fit_kmeans(X, 5, init="first_n", max_iter=300)
    for sizes in [(2, 0, 1, 147), (0, 150), (150, 0), (1,) * 10 + (140,)]:
        Xd = da.from_array(X, chunks=(sizes, X.shape[1]))

        fit = fit_kmeans_partitioned(Xd, 5, init="first_n", max_iter=300)

        np.testing.assert_array_equal(fit.labels.compute(), reference.labels)
        np.testing.assert_allclose(fit.centroids, reference.centroids, rtol=0, atol=1e-9)
        for init in ("random", "k-means||"):
            other = fit_kmeans_partitioned(Xd, 5, init=init, seed=2, max_iter=300)
            assert other.labels.compute().shape == (150,)
            assert other.inertia == pytest.approx(
                squared_distance_sum(X, other.centroids, other.labels.compute()), rel=1e-12
            )


def separated_blobs() -> tuple[np.ndarray, np.ndarray]:
    centres = np.array([[0.0, 0.0], [40.0, 0.0], [0.0, 40.0], [40.0, 40.0], [80.0, 20.0], [20.0, 80.0]])
    X, _ = make_blobs(n_samples=6000, centers=centres, cluster_std=1.0, random_state=5)
    return X, centres


def test_kmeans_parallel_is_reproducible_for_a_partitioning(client: Client) -> None:
    X = partitioned(separated_blobs()[0], 5)

    first = initial_centroids_partitioned(X, 6, "k-means||", seed=11)
    again = initial_centroids_partitioned(X, 6, "k-means||", seed=11)
    other = initial_centroids_partitioned(X, 6, "k-means||", seed=12)

    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    fit = fit_kmeans_partitioned(X, 6, init="k-means||", seed=11)
    refit = fit_kmeans_partitioned(X, 6, init="kmeans++_fast", seed=11)  # the engine's name for it
    np.testing.assert_array_equal(fit.centroids, refit.centroids)
    assert fit.inertia == refit.inertia


@pytest.mark.parametrize("seed", range(4))
def test_kmeans_parallel_seeds_within_the_kmeans_plus_plus_bound(client: Client, seed: int) -> None:
    """The seeding's potential is at most 8 (ln k + 2) times the optimum's (the k-means++ guarantee,
    which k-means|| keeps by re-clustering its weighted candidates with k-means++; an expectation, so
    a generous bound for one draw). Six blobs 40 apart with unit spread: Lloyd from the true centres
    gives the optimum, and a seeding with one candidate per blob (all but certain) converges to it."""
    X, centres = separated_blobs()
    k = centres.shape[0]
    optimum = fit_kmeans(X, k, init_centroids=centres, max_iter=300)
    Xd = partitioned(X, 4)

    start = initial_centroids_partitioned(Xd, k, "k-means||", seed=seed)
    fit = fit_kmeans_partitioned(Xd, k, init="k-means||", seed=seed, max_iter=300)

    seeding_potential = float(((X[:, None, :] - start[None]) ** 2).sum(axis=2).min(axis=1).sum())
    assert seeding_potential <= 8 * (math.log(k) + 2) * optimum.inertia
    assert fit.inertia == pytest.approx(optimum.inertia, rel=1e-9)


def test_random_partition_init_is_reproducible(client: Client) -> None:
    X = partitioned(blobs(), 4)
    first = fit_kmeans_partitioned(X, 7, init="random", seed=4, max_iter=50)
    again = fit_kmeans_partitioned(X, 7, init="random", seed=4, max_iter=50)
    np.testing.assert_array_equal(first.centroids, again.centroids)
    start = initial_centroids_partitioned(X, 7, "random", seed=4)
    assert np.isfinite(start).all() and start.shape == (7, 6)


def test_progress_and_cancel(client: Client) -> None:
    X = partitioned(np.random.default_rng(1).random((2000, 3)), 3)
    reported: list[float] = []
    fit_kmeans_partitioned(X, 4, max_iter=5, progress=reported.append)
    assert reported == [0.2, 0.4, 0.6, 0.8, 1.0]

    polls = iter([False, False, False, True])
    with pytest.raises(Cancelled):
        fit_kmeans_partitioned(X, 4, max_iter=50, should_stop=lambda: next(polls))


def test_invalid_input_is_refused(client: Client) -> None:
    X = iris()
    with pytest.raises(ValueError, match="dask.array"):
        fit_kmeans_partitioned(X, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="split by rows only"):
        fit_kmeans_partitioned(da.from_array(X, chunks=(50, 2)), 3)
    with pytest.raises(ValueError, match="float64"):
        fit_kmeans_partitioned(da.from_array(X.astype(np.float32), chunks=(50, 4)), 3)
    with pytest.raises(ValueError, match="init"):
        fit_kmeans_partitioned(partitioned(X, 2), 3, init="kmeans++")
    with pytest.raises(ModuleError) as too_many:
        fit_kmeans_partitioned(partitioned(X, 2), 151)
    assert too_many.value.code == "0021"
    with_nan = X.copy()
    with_nan[97, 2] = np.nan
    with pytest.raises(ModuleError, match="row 97") as missing:
        fit_kmeans_partitioned(partitioned(with_nan, 3), 3)
    assert missing.value.code == "0018"
    few_distinct = np.repeat(X[:2], 40, axis=0)
    for init in ("first_n", "k-means||"):
        with pytest.raises(ModuleError) as duplicates:
            fit_kmeans_partitioned(partitioned(few_distinct, 3), 3, init=init)
        assert duplicates.value.code == "0021"


def test_task_groups_split_each_workers_partitions_by_its_threads() -> None:
    from modules.engine._partitions import TaskGroup, task_groups

    sizes = np.array([50, 10, 40, 30, 20, 5])
    holders = ["a", "b", "a", "a", "a", None]
    # a (2 threads): 50 -> g0, 40 -> g1, 30 -> g1 (40 < 50), 20 -> g0 (50 < 70); b: one partition.
    assert task_groups(holders, sizes, {"a": 2, "b": 4}) == [
        TaskGroup("a", (0, 4)),
        TaskGroup("a", (2, 3)),
        TaskGroup("b", (1,)),
        TaskGroup(None, (5,)),
    ]


def test_balancing_moves_even_out_the_rows_per_worker_thread() -> None:
    from modules.engine._partitions import balancing_moves

    # 9 equal partitions on a, 7 on b: one moves (8 and 8); then no move lowers the busiest's rows.
    assert balancing_moves(["a"] * 9 + ["b"] * 7, np.full(16, 10), {"a": 1, "b": 1}) == {0: "b"}
    # Already even (or as even as whole partitions allow: 3 vs 2 of equal size): none.
    assert balancing_moves(["a", "a", "b", "b"], np.full(4, 10), {"a": 1, "b": 1}) == {}
    assert balancing_moves(["a", "a", "a", "b", "b"], np.full(5, 10), {"a": 1, "b": 1}) == {}
    # Rows per thread: a has 60 rows on 2 threads (30 each), b 40 on one: b is the busiest. Moving its
    # 10 makes a 35 per thread, b 30; moving its 30 would make b 10 and a 45: the 10 moves.
    sizes = np.array([30, 30, 10, 30])
    assert balancing_moves(["a", "a", "b", "b"], sizes, {"a": 2, "b": 1}) == {2: "a"}
    # A worker holding nothing receives; partitions of unknown holder stay; one worker: nothing to do.
    assert balancing_moves(["a", "a", None, "a"], np.array([5, 5, 50, 5]), {"a": 1, "b": 1}) == {0: "b"}
    assert balancing_moves(["a", "a"], np.array([5, 5]), {"a": 1}) == {}


def test_partitions_held_by_one_worker_are_spread_and_fit_as_in_memory(client: Client) -> None:
    from modules.engine._partitions import Partitions

    X = blobs()
    first_worker = sorted(client.nthreads())[0]
    persisted = client.persist(da.from_array(X, chunks=(500, X.shape[1])), workers=[first_worker])
    parts = Partitions(client, persisted)
    assert {group.worker for group in parts.groups} == set(client.nthreads())
    assert sorted(len(group.partitions) for group in parts.groups) == [3, 3]
    reference = fit_kmeans(X, 5, init="first_n", max_iter=300)

    fit = fit_kmeans_partitioned(persisted, 5, init="first_n", max_iter=300, client=client)

    np.testing.assert_array_equal(fit.labels.compute(), reference.labels)
    np.testing.assert_allclose(fit.centroids, reference.centroids, rtol=0, atol=1e-9)
    assert fit.inertia == pytest.approx(reference.inertia, rel=1e-12)
