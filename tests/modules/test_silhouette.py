"""Per-row silhouettes against scikit-learn's silhouette_samples and hand-computed simplified ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.metrics import silhouette_samples
from sklearn.preprocessing import MinMaxScaler

from modules.silhouette import feature_space, silhouettes, table_silhouettes


@pytest.mark.parametrize("loader", [load_iris, load_wine], ids=["iris", "wine"])
def test_exact_values_equal_scikit_learn(loader) -> None:
    X = MinMaxScaler().fit_transform(loader().data)
    labels = KMeans(n_clusters=3, n_init=1, random_state=0).fit_predict(X)
    found = silhouettes(X, labels)
    assert not found.sampled and found.exact_rows.tolist() == list(range(len(X)))
    np.testing.assert_allclose(found.exact, silhouette_samples(X, labels), rtol=0, atol=1e-12)


def test_simplified_values_by_hand() -> None:
    # Two clusters on a line: {0, 2} (centroid 1) and {10} (centroid 10).
    X = np.array([[0.0], [2.0], [10.0]])
    found = silhouettes(X, np.array([4, 4, 9]))
    a = np.array([1.0, 1.0, 0.0])
    b = np.array([10.0, 8.0, 9.0])
    np.testing.assert_allclose(found.simplified, (b - a) / np.maximum(a, b))
    # Exact: row 0: a = 2, b = 10 → 0.8; row 1: a = 2, b = 8 → 0.75; row 2 is alone in its cluster → 0.
    np.testing.assert_allclose(found.exact, [0.8, 0.75, 0.0])


def test_noise_and_missing_rows_get_no_value_and_one_cluster_gives_nan() -> None:
    X, labels = make_blobs(n_samples=60, centers=3, random_state=1)
    labels = labels.astype(np.int64)
    labels[:5] = -1
    found = silhouettes(X, labels)
    assert np.isnan(found.exact[:5]).all() and np.isnan(found.simplified[:5]).all()
    np.testing.assert_allclose(found.exact[5:], silhouette_samples(X[5:], labels[5:]), atol=1e-12)
    alone = silhouettes(X, np.zeros(60, dtype=np.int64))
    assert np.isnan(alone.exact).all() and np.isnan(alone.simplified).all()


def test_a_large_input_is_sampled_by_cluster_and_exact_on_the_sample() -> None:
    X, labels = make_blobs(n_samples=3000, centers=[[0, 0], [5, 5], [0, 8]], random_state=2)
    labels[labels == 2] = 7  # labels need not be 0 … k−1
    found = silhouettes(X, labels, exact_rows=500)
    assert found.sampled and found.exact_rows.size == 500
    assert np.isfinite(found.exact).sum() == 500 and np.isfinite(found.simplified).all()
    picked = found.exact_rows
    np.testing.assert_allclose(found.exact[picked], silhouette_samples(X[picked], labels[picked]), atol=1e-12)
    codes = np.unique(labels, return_inverse=True)[1]
    np.testing.assert_allclose(np.bincount(codes[picked]) / 500, np.bincount(codes) / 3000, atol=0.002)


def test_a_results_tables_feature_space_leaves_out_results_text_and_incomplete_rows() -> None:
    frame = pd.DataFrame(
        {
            "x": [0.0, 10.0, 5.0, np.nan, 2.0],
            "name": ["a", "b", "c", "d", "e"],
            "Assignments": pd.array([0, 1, 1, 0, None], dtype="Int64"),
            "DistancesToClusterCenter no.0": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    space = feature_space(frame)
    assert space.features == ["x"] and space.rows.tolist() == [0, 1, 2]
    np.testing.assert_allclose(space.X[:, 0], [0.0, 1.0, 0.5])  # min-max over the rows kept
    found, _ = table_silhouettes(frame)
    assert np.isnan(found.exact[3:]).all() and np.isfinite(found.exact[:3]).all()
