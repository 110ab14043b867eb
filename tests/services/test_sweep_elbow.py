"""The sweep chart's elbow (inertia against k, with Kneedle's knee), its swept-parameter series and its
seed-agreement curve, against hand-made tables and the ``kneed`` package itself; and the sweep table's
Inertia and seed agreement against scikit-learn on Iris."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from kneed import KneeLocator
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from backend.services.outputs.sweep import elbow, find_knee, parameter_columns, sweep_visualization
from modules.errors import Cancelled
from modules.samples import load_sample
from modules.sweep_table import adjusted_rand_index, mean_pairwise_ari, within_cluster_sum_of_squares
from tests.modules.helpers import kmeans, sweep
from tests.services.test_outputs import strict_json

# An obvious elbow at k = 3: steep before, nearly flat after.
KS = [1, 2, 3, 4, 5, 6, 7, 8]
CURVE = [100.0, 45.0, 15.0, 12.0, 10.0, 9.0, 8.5, 8.0]


def sweep_results(**extra: list[object]) -> pd.DataFrame:
    """A sweep table of two runs per k (k = 1 … 8), the second run's inertia 5 % worse."""
    ks = [k for k in KS for _ in range(2)]
    inertia = [v * f for v in CURVE for f in (1.05, 1.0)]
    df = pd.DataFrame(
        {
            "Number of centroids": ks,
            "Index of run": list(range(len(ks))),
            "Initialization": ["random"] * len(ks),
            "Seed": [0, 1] * len(KS),
            **extra,
            "Simplified Silhouette": [0.5 + 0.01 * i for i in range(len(ks))],
            "Davies-Bouldin": [1.0] * len(ks),
            "Dunn": [1.0] * len(ks),
            "Average Deviation": [1.0] * len(ks),
            "Inertia": inertia,
            "Cluster metric spread across seeds": [0.01 * k for k in ks],
            "Mean ARI across seeds": [1.0 - 0.1 * k for k in ks],
            "Iterations run": [3] * len(ks),
            "Seconds": [0.01] * len(ks),
        }
    )
    df.insert(0, "Cluster metric", df["Simplified Silhouette"])
    return df


def test_the_knee_is_kneedles_on_a_hand_made_curve() -> None:
    assert find_knee(KS, CURVE) == 3
    assert find_knee(KS, CURVE) == KneeLocator(KS, CURVE, curve="convex", direction="decreasing").knee
    assert find_knee([2, 3], [10.0, 5.0]) is None  # too few points
    assert find_knee([1, 2, 3, 4], [4.0, 3.0, 2.0, 1.0]) is None  # a straight line has no knee


def test_the_elbow_payload_keeps_the_smallest_inertia_of_each_k() -> None:
    payload = strict_json(sweep_visualization(sweep_results()))
    assert isinstance(payload, dict)
    assert payload["elbow"]["points"] == [
        {"k": k, "inertia": pytest.approx(v), "count": 2} for k, v in zip(KS, CURVE, strict=True)
    ]
    assert payload["elbow"]["knee"] == {"k": 3, "inertia": pytest.approx(15.0)}
    assert "Kneedle" in payload["elbow"]["method"]
    assert elbow(np.array([2.0, 3.0]), np.array([np.nan, np.nan])) is None


def test_stability_per_k_and_the_swept_parameters() -> None:
    shapes = ["round", "long"] * len(KS)
    df = sweep_results(Shape=shapes, Spacing=[0.5, None] * len(KS))
    assert parameter_columns(df) == ["Shape", "Spacing"]
    payload = strict_json(sweep_visualization(df))
    assert isinstance(payload, dict)
    assert payload["stability"]["points"][0] == {
        "k": 1,
        "ari": 0.9,
        "min_ari": 0.9,
        "spread": 0.01,
        "runs": 2,
    }
    assert [p["k"] for p in payload["stability"]["points"]] == KS
    shape, spacing = payload["parameters"]
    assert (shape["column"], shape["numeric"], shape["values"]) == ("Shape", False, ["long", "round"])
    silhouettes = sweep_results()["Simplified Silhouette"].to_numpy()
    long_rows, round_rows = silhouettes[1::2], silhouettes[0::2]
    long_point, round_point = shape["series"]["Simplified Silhouette"]
    assert (long_point["x"], long_point["count"], long_point["best"]) == (
        "long",
        8,
        pytest.approx(long_rows.max()),
    )
    assert round_point["mean"] == pytest.approx(round_rows.mean())
    assert round_point["runs"] == list(range(0, 16, 2))
    # a missing value is left out of a numeric parameter's points
    assert (spacing["numeric"], spacing["values"]) == (True, [0.5])
    assert spacing["series"]["Dunn"][0]["count"] == 8


def test_a_table_without_the_new_columns_still_charts() -> None:
    df = sweep_results().drop(
        columns=["Inertia", "Cluster metric spread across seeds", "Mean ARI across seeds"]
    )
    payload = sweep_visualization(df)
    assert payload["elbow"] is None and payload["stability"] is None and payload["parameters"] == []


@pytest.fixture(scope="module")
def iris_x() -> np.ndarray:
    return load_sample("sample-iris").select_dtypes("number").to_numpy(dtype=np.float64)


def test_inertia_is_scikit_learns_kmeans_inertia(iris_x: np.ndarray) -> None:
    for k in (2, 3, 5):
        fitted = KMeans(k, n_init=1, tol=0.0, random_state=0).fit(iris_x)
        assert within_cluster_sum_of_squares(iris_x, fitted.labels_) == pytest.approx(
            fitted.inertia_, rel=1e-9
        )
        weights = np.linspace(0.5, 2.0, len(iris_x))
        weighted = KMeans(k, n_init=1, tol=0.0, random_state=0).fit(iris_x, sample_weight=weights)
        assert within_cluster_sum_of_squares(iris_x, weighted.labels_, weights) == pytest.approx(
            weighted.inertia_, rel=1e-9
        )


def test_adjusted_rand_index_is_scikit_learns_exactly(iris_x: np.ndarray) -> None:
    wine = load_sample("sample-wine").select_dtypes("number").to_numpy(dtype=np.float64)
    for X in (iris_x, wine):
        a = KMeans(3, n_init=1, init="random", random_state=1).fit(X).labels_
        b = KMeans(5, n_init=1, init="random", random_state=2).fit(X).labels_
        assert adjusted_rand_index(a, b) == adjusted_rand_score(a, b)
    rng = np.random.default_rng(3)
    noisy, other = rng.integers(-1, 6, 5_000), rng.integers(0, 4, 5_000)  # -1: noise rows
    assert adjusted_rand_index(noisy, other) == adjusted_rand_score(noisy, other)
    same = np.arange(10)
    for a, b in [(same, same), (np.zeros(4, int), np.zeros(4, int)), (np.zeros(4, int), np.arange(4))]:
        assert adjusted_rand_index(a, b) == adjusted_rand_score(a, b)


def test_mean_pairwise_ari_is_scikit_learns(iris_x: np.ndarray) -> None:
    labelings = [KMeans(4, n_init=1, init="random", random_state=s).fit(iris_x).labels_ for s in range(4)]
    expected = np.mean([adjusted_rand_score(a, b) for a, b in itertools.combinations(labelings, 2)])
    assert mean_pairwise_ari(labelings) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(mean_pairwise_ari(labelings[:1]))
    with pytest.raises(Cancelled):  # a cancelled run stops between two pairs
        mean_pairwise_ari(labelings, should_stop=lambda: True)


def test_a_kmeans_sweeps_inertia_is_the_models_own() -> None:
    iris = load_sample("sample-iris")
    config = kmeans(
        trainer_mode="range", n_clusters_range="2-5", n_seeds=2, init_sweep=["random"], normalize=False
    )
    out = sweep(iris, config, sweep_mode="grid")
    table, best = out["sweep_results"], out["best_model"]
    assert table["Inertia"].iloc[0] == pytest.approx(best.model.inertia, rel=1e-9)
    assert table["Mean ARI across seeds"].between(-1.0, 1.0).all()
    payload = sweep_visualization(table)
    assert [p["k"] for p in payload["elbow"]["points"]] == [2, 3, 4, 5]
