"""Sweep metrics: hand-computed toy cases, scikit-learn's Davies-Bouldin, and the NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import davies_bouldin_score

from modules.engine import _reference, cluster_metrics, fit_kmeans

# 1-D: cluster 0 = {0, 2} around 1, cluster 1 = {10} alone, cluster 2 = {20} alone.
LINE = np.array([[0.0], [2.0], [10.0], [20.0]])
LINE_CENTROIDS = np.array([[1.0], [10.0], [20.0]])
LINE_LABELS = np.array([0, 0, 1, 2])


def test_simplified_silhouette_with_one_row_clusters() -> None:
    # Row 0: a = 1, b = |0 - 10| = 10 -> 0.9; row 1: a = 1, b = 8 -> 0.875; rows 2 and 3 are alone -> 0.
    metrics = cluster_metrics(LINE, LINE_CENTROIDS, LINE_LABELS)
    assert metrics["simplified_silhouette"] == pytest.approx((0.9 + 0.875) / 4, rel=1e-15)


def test_dunn_and_average_deviation() -> None:
    metrics = cluster_metrics(LINE, LINE_CENTROIDS, LINE_LABELS)
    # Closest centroids: 1 and 10 (distance 9); largest a(i) = 1.
    assert metrics["dunn"] == pytest.approx(9.0, rel=1e-15)
    assert metrics["average_deviation"] == pytest.approx((1 + 1 + 0 + 0) / 4, rel=1e-15)


def test_davies_bouldin_hand_computed() -> None:
    # S = (1, 0, 0); pair ratios: (0,1) 1/9, (0,2) 1/19, (1,2) 0/10.
    expected = (1 / 9 + 1 / 9 + 1 / 19) / 3
    assert cluster_metrics(LINE, LINE_CENTROIDS, LINE_LABELS)["davies_bouldin"] == pytest.approx(
        expected, rel=1e-14
    )


def test_keys_and_order() -> None:
    assert list(cluster_metrics(LINE, LINE_CENTROIDS, LINE_LABELS)) == [
        "simplified_silhouette",
        "davies_bouldin",
        "dunn",
        "average_deviation",
    ]


@pytest.mark.parametrize("n_clusters", [2, 3, 6])
def test_davies_bouldin_equals_sklearn(dataset: np.ndarray, n_clusters: int) -> None:
    fit = fit_kmeans(dataset, n_clusters, init="first_n", max_iter=300)
    # sklearn recomputes the centroids as the cluster means: converged k-means centroids are those means.
    ours = cluster_metrics(dataset, fit.centroids, fit.labels)["davies_bouldin"]
    assert ours == pytest.approx(davies_bouldin_score(dataset, fit.labels), rel=1e-9)


def test_one_effective_cluster_scores_worst() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    centroids = np.array([[0.3, 0.3], [5.0, 5.0]])  # cluster 1 has no rows
    metrics = cluster_metrics(X, centroids, np.zeros(3, dtype=np.int64))
    assert metrics["simplified_silhouette"] == -1.0
    assert metrics["dunn"] == 0.0
    assert metrics["davies_bouldin"] == float("inf")
    assert metrics["average_deviation"] == pytest.approx(np.linalg.norm(X - centroids[0], axis=1).mean())


def test_empty_clusters_are_ignored_as_other_clusters() -> None:
    centroids = np.vstack([LINE_CENTROIDS, [[3.0]]])  # an empty cluster at 3 would be "nearest other"
    with_empty = cluster_metrics(LINE, centroids, LINE_LABELS)
    assert with_empty == pytest.approx(cluster_metrics(LINE, LINE_CENTROIDS, LINE_LABELS))


def test_every_row_on_its_centroid() -> None:
    X = np.array([[0.0], [0.0], [4.0], [4.0]])
    metrics = cluster_metrics(X, np.array([[0.0], [4.0]]), np.array([0, 0, 1, 1]))
    assert metrics["simplified_silhouette"] == 1.0
    assert metrics["dunn"] == float("inf")
    assert metrics["davies_bouldin"] == 0.0
    assert metrics["average_deviation"] == 0.0


def test_cosine_metrics_toy() -> None:
    X = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0], [0.0, 1.0], [1.0, 1.0]])
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]])
    labels = np.array([0, 0, 1, 1, 0])
    metrics = cluster_metrics(X, centroids, labels, metric="cosine")
    c45 = 1.0 - np.sqrt(0.5)  # 1 - cos(45 degrees)
    # a = (0, 0, 0, 0, c45); b = (1, 1, 1, 1, c45): silhouette (1 + 1 + 1 + 1 + 0) / 5.
    assert metrics["simplified_silhouette"] == pytest.approx(0.8, rel=1e-12)
    assert metrics["average_deviation"] == pytest.approx(c45 / 5, rel=1e-12)
    assert metrics["dunn"] == pytest.approx(1.0 / c45, rel=1e-12)
    # S_0 = c45 / 3, S_1 = 0, centroid distance 1.
    assert metrics["davies_bouldin"] == pytest.approx(c45 / 3, rel=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_metrics_equal_numpy_reference(uniform: np.ndarray, metric: str) -> None:
    for n_clusters in (2, 5, 11):
        fit = fit_kmeans(uniform, n_clusters, metric=metric, seed=n_clusters)
        ours = cluster_metrics(uniform, fit.centroids, fit.labels, metric)
        expected = _reference.cluster_metrics(uniform, fit.centroids, fit.labels, metric)
        for name, value in expected.items():
            assert ours[name] == pytest.approx(value, rel=1e-7), name


def test_metrics_with_a_one_row_cluster_match_reference() -> None:
    X = np.vstack([np.random.default_rng(3).random((300, 2)), [[9.0, 9.0]]])
    fit = fit_kmeans(X, 4, seed=0)
    assert np.bincount(fit.labels).min() == 1
    ours = cluster_metrics(X, fit.centroids, fit.labels)
    expected = _reference.cluster_metrics(X, fit.centroids, fit.labels)
    for name, value in expected.items():
        assert ours[name] == pytest.approx(value, rel=1e-9), name
