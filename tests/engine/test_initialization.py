"""Every initialisation on toy data with the expected centroids worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from modules.engine import fit_kmeans, initial_centroids
from modules.errors import ModuleError

# Three tight, far-apart groups: any sensible seeding puts one centroid in each.
GROUPS = np.array(
    [
        [0.0, 0.0],
        [0.1, 0.0],
        [0.0, 0.1],
        [10.0, 0.0],
        [10.1, 0.0],
        [10.0, 0.1],
        [0.0, 10.0],
        [0.1, 10.0],
        [0.0, 10.1],
    ]
)


def group_of(point: np.ndarray) -> int:
    return int(np.argmin(np.linalg.norm(np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]) - point, axis=1)))


def test_first_n_skips_duplicate_rows() -> None:
    X = np.array([[0.0, 0.0], [-0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    centroids = initial_centroids(X, 3, "first_n")
    np.testing.assert_array_equal(centroids, [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])


def test_evenly_spaced_between_feature_min_and_max() -> None:
    X = np.array([[0.0, 10.0], [4.0, 20.0], [2.0, 15.0]])
    # lo = (0, 10), hi = (4, 20): c_j = lo + (j + 1) / 4 * (hi - lo)
    centroids = initial_centroids(X, 3, "evenly")
    np.testing.assert_allclose(centroids, [[1.0, 12.5], [2.0, 15.0], [3.0, 17.5]], rtol=0, atol=1e-15)


def test_random_partition_centroids_are_the_random_clusters_means() -> None:
    X = np.arange(40, dtype=np.float64).reshape(20, 2) ** 1.5
    seed = 11
    labels = np.random.default_rng(seed).integers(0, 3, size=20)
    expected = np.array([X[labels == j].mean(axis=0) for j in range(3)])
    centroids = initial_centroids(X, 3, "random", seed=seed)
    np.testing.assert_allclose(centroids, expected, rtol=1e-14)


def test_random_partition_reseeds_an_empty_cluster() -> None:
    # 3 rows, 3 clusters: a random partition leaves a cluster empty for most seeds; every centroid
    # must still be distinct, so Lloyd keeps 3 clusters.
    X = np.array([[0.0], [1.0], [5.0]])
    for seed in range(10):
        centroids = initial_centroids(X, 3, "random", seed=seed)
        fit = fit_kmeans(X, 3, init="random", seed=seed)
        assert np.isfinite(centroids).all()
        assert sorted(fit.centroids.ravel()) == [0.0, 1.0, 5.0]


@pytest.mark.parametrize("init", ["kmeans++", "kmeans++_fast"])
def test_plusplus_seeds_one_centroid_per_group(init: str) -> None:
    for seed in range(20):
        centroids = initial_centroids(GROUPS, 3, init, seed=seed)
        assert sorted(group_of(c) for c in centroids) == [0, 1, 2]
        for centroid in centroids:  # each centroid is a data row
            assert (np.abs(GROUPS - centroid).sum(axis=1) == 0).any()


@pytest.mark.parametrize("init", ["kmeans++", "kmeans++_fast"])
def test_plusplus_with_as_many_clusters_as_distinct_rows_takes_them_all(init: str) -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 3.0], [2.0, 2.0]])
    centroids = initial_centroids(X, 4, init, seed=5)
    assert sorted(map(tuple, centroids)) == [(0.0, 0.0), (0.0, 3.0), (1.0, 0.0), (2.0, 2.0)]


def test_kmeans_parallel_on_larger_data_picks_distinct_rows() -> None:
    X = np.random.default_rng(1).random((5000, 3))
    centroids = initial_centroids(X, 25, "kmeans++_fast", seed=3)
    assert np.unique(centroids, axis=0).shape[0] == 25


def test_label_column_means_most_frequent_first_then_kmeanspp() -> None:
    X = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 2.0], [10.0, 4.0], [50.0, 50.0], [0.0, 1.0]])
    labels = np.array([7, 7, 3, 3, 3, -1, -1])
    centroids = initial_centroids(X, 3, "label_column", init_labels=labels, seed=0)
    # label 3 (3 rows) first: mean (10, 2); label 7 (2 rows): mean (0, 1); then D^2 seeding, whose
    # mass is almost all on the far row (50, 50).
    np.testing.assert_allclose(centroids[:2], [[10.0, 2.0], [0.0, 1.0]])
    np.testing.assert_array_equal(centroids[2], [50.0, 50.0])


def test_label_column_truncates_to_k_and_breaks_ties_by_label_value() -> None:
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    labels = np.array([2, 2, 1, 1, 0, 5])  # labels 2 and 1 both have 2 rows: 1 comes first
    centroids = initial_centroids(X, 2, "label_column", init_labels=labels)
    np.testing.assert_array_equal(centroids, [[2.5], [0.5]])


def test_label_column_without_labels_raises_0024() -> None:
    with pytest.raises(ModuleError) as error:
        initial_centroids(GROUPS, 3, "label_column")
    assert error.value.code == "0024"


@pytest.mark.parametrize("init", ["first_n", "random", "kmeans++", "kmeans++_fast", "evenly"])
def test_too_few_distinct_rows_raises_0021_naming_both_numbers(init: str) -> None:
    X = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0], [3.0, 4.0]])
    with pytest.raises(ModuleError) as error:
        fit_kmeans(X, 3, init=init)
    assert error.value.code == "0021"
    assert "n_clusters=3" in error.value.message
    assert "2 distinct rows" in error.value.message


def test_fewer_rows_than_clusters_raises_0021() -> None:
    with pytest.raises(ModuleError) as error:
        fit_kmeans(np.array([[1.0], [2.0]]), 5)
    assert error.value.code == "0021"
    assert "n_clusters=5" in error.value.message


@pytest.mark.parametrize("init", ["random", "kmeans++", "kmeans++_fast", "evenly", "first_n"])
def test_initialisations_under_cosine_are_unit_vectors(init: str) -> None:
    X = np.abs(np.random.default_rng(4).standard_normal((300, 4))) + 0.01
    centroids = initial_centroids(X, 4, init, metric="cosine", seed=2)
    np.testing.assert_allclose(np.linalg.norm(centroids, axis=1), 1.0, rtol=1e-12)
