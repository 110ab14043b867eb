"""k-means++ quality against scikit-learn's: mean inertia over 20 seeds within 1%."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import make_blobs

from modules.engine import fit_kmeans, initial_centroids

SEEDS = range(20)


def potential(X: np.ndarray, centroids: np.ndarray) -> float:
    return float((((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)).min(axis=1).sum())


def blobs() -> np.ndarray:
    X, _ = make_blobs(n_samples=4000, n_features=5, centers=12, cluster_std=1.0, random_state=0)
    return X


def test_kmeanspp_final_inertia_within_one_percent_of_sklearn() -> None:
    X = blobs()
    ours = np.mean([fit_kmeans(X, 12, init="kmeans++", seed=s, max_iter=300).inertia for s in SEEDS])
    theirs = np.mean(
        [
            KMeans(12, init="k-means++", n_init=1, algorithm="lloyd", max_iter=300, tol=0, random_state=s)
            .fit(X)
            .inertia_
            for s in SEEDS
        ]
    )
    assert ours <= 1.01 * theirs


def test_kmeanspp_seeding_potential_within_one_percent_of_sklearn() -> None:
    X = blobs()
    ours = np.mean([potential(X, initial_centroids(X, 12, "kmeans++", seed=s)) for s in SEEDS])
    theirs = np.mean([potential(X, kmeans_plusplus(X, 12, random_state=s)[0]) for s in SEEDS])
    assert ours <= 1.01 * theirs


def test_kmeans_parallel_final_inertia_within_one_percent_of_sklearn() -> None:
    X = blobs()
    ours = np.mean([fit_kmeans(X, 12, init="kmeans++_fast", seed=s, max_iter=300).inertia for s in SEEDS])
    theirs = np.mean(
        [
            KMeans(12, init="k-means++", n_init=1, algorithm="lloyd", max_iter=300, tol=0, random_state=s)
            .fit(X)
            .inertia_
            for s in SEEDS
        ]
    )
    assert ours <= 1.01 * theirs
