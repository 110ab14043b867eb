"""With init=first_n the engine reproduces scikit-learn's Lloyd: labels, centroids, iterations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans

from modules.engine import assign, fit_kmeans, pairwise_distances


@pytest.mark.parametrize("n_clusters", [2, 3, 5, 8])
@pytest.mark.parametrize("max_iter", [1, 3, 300])
def test_first_n_matches_sklearn_lloyd(dataset: np.ndarray, n_clusters: int, max_iter: int) -> None:
    reference = KMeans(
        n_clusters=n_clusters,
        init=dataset[:n_clusters],
        n_init=1,
        algorithm="lloyd",
        tol=0,
        max_iter=max_iter,
    ).fit(dataset)

    fit = fit_kmeans(dataset, n_clusters, init="first_n", max_iter=max_iter)

    np.testing.assert_array_equal(fit.labels, reference.labels_)
    np.testing.assert_allclose(fit.centroids, reference.cluster_centers_, rtol=0, atol=1e-9)
    assert fit.n_iter == reference.n_iter_
    assert fit.inertia == pytest.approx(reference.inertia_, rel=1e-10)
    assert fit.labels.dtype == np.int64
    if fit.n_iter < max_iter:
        assert fit.converged


def test_converged_flag_and_stable_labels(dataset: np.ndarray) -> None:
    fit = fit_kmeans(dataset, 3, init="first_n", max_iter=300)
    assert fit.converged
    assert fit.n_iter < 300
    labels, _ = assign(dataset, fit.centroids)
    np.testing.assert_array_equal(labels, fit.labels)


def test_not_converged_within_one_pass(dataset: np.ndarray) -> None:
    fit = fit_kmeans(dataset, 5, init="first_n", max_iter=1)
    assert fit.n_iter == 1
    assert not fit.converged
    # Labels are the final E-step: consistent with the returned centroids.
    labels, _ = assign(dataset, fit.centroids)
    np.testing.assert_array_equal(labels, fit.labels)


def test_pairwise_distances_equal_transform(dataset: np.ndarray) -> None:
    reference = KMeans(n_clusters=4, init=dataset[:4], n_init=1, algorithm="lloyd", tol=0, max_iter=50).fit(
        dataset
    )
    distances = pairwise_distances(dataset, reference.cluster_centers_)
    expected = reference.transform(dataset)
    assert distances.shape == expected.shape
    np.testing.assert_allclose(distances, expected, rtol=1e-12, atol=1e-9)


def test_assign_equals_predict(dataset: np.ndarray) -> None:
    reference = KMeans(n_clusters=6, init=dataset[:6], n_init=1, algorithm="lloyd", tol=0, max_iter=50).fit(
        dataset
    )
    labels, distances = assign(dataset, reference.cluster_centers_)
    np.testing.assert_array_equal(labels, reference.predict(dataset))
    np.testing.assert_allclose(distances, reference.transform(dataset).min(axis=1), rtol=1e-12, atol=1e-7)
