"""Train Clustering Model against scikit-learn on real data (first_n init, no normalisation)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import davies_bouldin_score

import modules
from modules.samples import load_sample
from tests.modules.helpers import kmeans, sweep, train

ITERATIONS = 300


def _blobs() -> pd.DataFrame:
    X, _ = make_blobs(n_samples=3000, n_features=8, centers=6, cluster_std=2.0, random_state=0)
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(8)])


CASES: dict[str, tuple[Callable[[], pd.DataFrame], int, str | None]] = {
    "iris": (lambda: load_sample("sample-iris"), 3, "species"),
    "wine": (lambda: load_sample("sample-wine"), 3, "class"),
    "breast_cancer": (lambda: load_sample("sample-breast-cancer"), 2, "diagnosis"),
    "blobs": (_blobs, 6, None),
}


@pytest.fixture(params=sorted(CASES), scope="module")
def case(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, np.ndarray, int, str | None]:
    load, k, label = CASES[request.param]
    df = load()
    features = [c for c in df.columns if c != label]
    return df, df[features].to_numpy(dtype=np.float64), k, label


def test_train_matches_sklearn_lloyd(case: tuple[pd.DataFrame, np.ndarray, int, str | None]) -> None:
    df, X, k, label = case
    out = train(df, kmeans(n_clusters=k, init="first_n", iterations=ITERATIONS, seed=0), label_column=label)
    ref = KMeans(n_clusters=k, init=X[:k], n_init=1, algorithm="lloyd", tol=0, max_iter=ITERATIONS).fit(X)
    res = out["results_dataset"]
    assert np.array_equal(res["Assignments"].to_numpy(dtype=np.int64), ref.labels_)
    np.testing.assert_allclose(out["trained_model"].model.centroids, ref.cluster_centers_, rtol=0, atol=1e-9)
    distances = res[[f"DistancesToClusterCenter no.{j}" for j in range(k)]].to_numpy()
    np.testing.assert_allclose(distances, ref.transform(X), rtol=1e-9, atol=1e-9)
    # every input column passes through unchanged
    pd.testing.assert_frame_equal(res[list(df.columns)], df)


def test_davies_bouldin_matches_sklearn(case: tuple[pd.DataFrame, np.ndarray, int, str | None]) -> None:
    df, X, k, label = case
    model = kmeans(
        trainer_mode="range", n_clusters_range=str(k), init_sweep=["first_n"], iterations=ITERATIONS
    )
    out = sweep(df, model, sweep_mode="grid", sweep_metric="davies_bouldin", label_column=label)
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    expected = davies_bouldin_score(X, labels)
    assert out["sweep_results"]["Davies-Bouldin"].iloc[0] == pytest.approx(expected, rel=1e-9)


def test_normalised_training_equals_sklearn_on_min_max_scaled_data() -> None:
    df = load_sample("sample-wine")
    X = df.drop(columns=["class"]).to_numpy()
    Xn = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    out = train(df, kmeans(n_clusters=3, init="first_n", normalize=True, iterations=ITERATIONS, seed=0))
    ref = KMeans(n_clusters=3, init=Xn[:3], n_init=1, algorithm="lloyd", tol=0, max_iter=ITERATIONS).fit(Xn)
    assert np.array_equal(out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64), ref.labels_)
    np.testing.assert_allclose(out["trained_model"].model.centroids, ref.cluster_centers_, atol=1e-9)
    assert isinstance(out["trained_model"], modules.TrainedClusterModel)
