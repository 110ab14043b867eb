"""Agreement of a clustering with known labels, against scikit-learn's metrics and hand-counted purity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, load_wine
from sklearn.preprocessing import StandardScaler

from modules.agreement import AGREEMENT_METRICS, agreement, known_pairs


@pytest.mark.parametrize("loader", [load_iris, load_wine], ids=["iris", "wine"])
def test_scores_equal_scikit_learn(loader) -> None:
    data = loader()
    clusters = KMeans(n_clusters=3, n_init=1, random_state=0).fit_predict(
        StandardScaler().fit_transform(data.data)
    )
    names = np.asarray(data.target_names)[data.target]  # labels as text, as a table holds them
    found = agreement(clusters, names)
    h, c, v = metrics.homogeneity_completeness_v_measure(data.target, clusters)
    assert found.scores["adjusted_rand"] == pytest.approx(
        metrics.adjusted_rand_score(data.target, clusters), abs=1e-12
    )
    assert found.scores["normalized_mutual_info"] == pytest.approx(
        metrics.normalized_mutual_info_score(data.target, clusters), abs=1e-12
    )
    assert (
        found.scores["homogeneity"],
        found.scores["completeness"],
        found.scores["v_measure"],
    ) == pytest.approx((h, c, v), abs=1e-12)
    reference = metrics.cluster.contingency_matrix(data.target, clusters)  # labels × clusters
    np.testing.assert_array_equal(found.contingency, reference.T)
    assert found.labels == sorted(data.target_names.tolist()) == list(data.target_names)
    assert found.scores["purity"] == pytest.approx(reference.max(axis=0).sum() / len(clusters))
    assert [m.id for m in AGREEMENT_METRICS] == list(found.scores)


def test_purity_and_the_table_by_hand() -> None:
    # Cluster 0 holds a a b, cluster 5 holds b b: purity (2 + 2) / 5.
    found = agreement([0, 0, 0, 5, 5], ["a", "a", "b", "b", "b"])
    assert found.clusters == [0, 5] and found.labels == ["a", "b"]
    assert found.contingency.tolist() == [[2, 1], [0, 2]]
    assert found.scores["purity"] == pytest.approx(0.8)
    perfect = agreement([1, 1, 2], ["x", "x", "y"])
    assert all(value == pytest.approx(1.0) for value in perfect.scores.values())


def test_rows_without_a_cluster_a_label_or_in_noise_are_left_out() -> None:
    assignments = pd.Series([0, 1, None, -1, 1], dtype="Int64")
    labels = pd.Series(["a", None, "b", "c", "d"])
    clusters, kept, left_out = known_pairs(assignments, labels)
    assert clusters.tolist() == [0, 1] and kept.tolist() == ["a", "d"]
    assert left_out == {"missing_assignment": 1, "noise": 1, "missing_label": 1}
    empty = agreement([], [])
    assert empty.compared == 0 and all(np.isnan(v) for v in empty.scores.values())


@pytest.mark.parametrize(
    ("clusters", "labels"),
    [
        ([0, 0, 0, 0], ["a", "a", "a", "a"]),  # neither labelling splits the rows
        ([0, 0, 0, 0], ["a", "b", "c", "d"]),  # one cluster, every row its own label
        ([0, 1, 2, 3], ["a", "a", "a", "a"]),
        ([3, 1, 2, 0, 1], ["x", "y", "y", "x", "z"]),
    ],
)
def test_edge_cases_score_as_scikit_learn_scores_them(clusters: list[int], labels: list[str]) -> None:
    found = agreement(np.array(clusters), np.array(labels)).scores
    assert found["adjusted_rand"] == pytest.approx(metrics.adjusted_rand_score(labels, clusters), abs=1e-12)
    assert found["normalized_mutual_info"] == pytest.approx(
        metrics.normalized_mutual_info_score(labels, clusters), abs=1e-12
    )
    h, c, v = metrics.homogeneity_completeness_v_measure(labels, clusters)
    assert (found["homogeneity"], found["completeness"], found["v_measure"]) == pytest.approx(
        (h, c, v), abs=1e-12
    )


def test_a_large_random_labelling_scores_as_scikit_learn_scores_it() -> None:
    rng = np.random.default_rng(3)
    clusters = rng.integers(0, 7, 200_000)
    labels = np.where(rng.random(200_000) < 0.7, clusters, rng.integers(0, 5, 200_000)).astype(str)
    found = agreement(clusters, labels).scores
    assert found["adjusted_rand"] == pytest.approx(metrics.adjusted_rand_score(labels, clusters), abs=1e-12)
    assert found["normalized_mutual_info"] == pytest.approx(
        metrics.normalized_mutual_info_score(labels, clusters), abs=1e-12
    )
