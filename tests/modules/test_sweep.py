"""Sweep Clustering: candidates, metrics (hand-computed), ordering and the best model."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import modules
from modules.algorithms.base import derive_seeds
from modules.catalog.sweep_clustering import METRICS
from modules.samples import load_sample
from modules.sweep_table import rank_key, sweep_columns
from tests.modules.helpers import assign, kmeans, sweep

HIGHER = {"simplified_silhouette": True, "dunn": True, "davies_bouldin": False, "average_deviation": False}
COLUMN = {
    "simplified_silhouette": "Simplified Silhouette",
    "dunn": "Dunn",
    "davies_bouldin": "Davies-Bouldin",
    "average_deviation": "Average Deviation",
}


@pytest.fixture(scope="module")
def iris() -> pd.DataFrame:
    return load_sample("sample-iris")


def range_model(**params: object) -> modules.ClusterConfig:
    return kmeans(trainer_mode="range", **params)


def test_metrics_on_a_hand_computed_toy_with_a_one_row_cluster() -> None:
    # first_n: centroids 0, 2 → {0}, {2, 10} → centroids 0, 6 → {0, 2}, {10} → 1 and 10.
    df = pd.DataFrame({"x": [0.0, 2.0, 10.0]})
    model = range_model(n_clusters_range="2", init_sweep=["first_n"])
    out = sweep(df, model, sweep_mode="random", sweep_seed=5)
    row = out["sweep_results"].iloc[0]
    # a = (1, 1, 0), b = (10, 8, 9); the one-row cluster scores 0
    assert row["Simplified Silhouette"] == pytest.approx((9 / 10 + 7 / 8 + 0) / 3, abs=1e-12)
    assert row["Davies-Bouldin"] == pytest.approx(1 / 9, abs=1e-12)  # S = (1, 0), d = 9
    assert row["Dunn"] == pytest.approx(9.0, abs=1e-12)  # 9 / max a
    assert row["Average Deviation"] == pytest.approx(2 / 3, abs=1e-12)
    assert row["Cluster metric"] == row["Simplified Silhouette"]
    assert (row["Number of centroids"], row["Index of run"], row["Initialization"], row["Seed"]) == (
        2,
        0,
        "first_n",
        5,
    )
    np.testing.assert_allclose(out["best_model"].model.centroids, [[1.0], [10.0]])
    assert out["results_dataset"]["Assignments"].tolist() == [0, 0, 1]


def test_cosine_metrics_use_cosine_distances() -> None:
    X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 2.0]])
    model = range_model(n_clusters_range="2", init_sweep=["first_n"], metric="cosine")
    out = sweep(pd.DataFrame(X, columns=["a", "b"]), model, sweep_mode="grid")
    # the average deviation is the mean cosine distance of each row to its own centroid
    centroids = out["best_model"].model.centroids
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=int)
    units = X / np.linalg.norm(X, axis=1, keepdims=True)
    D = 1 - units @ centroids.T
    a = D[np.arange(4), labels]
    assert out["sweep_results"]["Average Deviation"].iloc[0] == pytest.approx(a.mean(), abs=1e-12)


def test_grid_tries_exactly_the_product_of_ranges_and_seeds(iris: pd.DataFrame) -> None:
    model = range_model(n_clusters_range="2-4", init_sweep=["first_n", "kmeans++"], n_seeds=2, seed=None)
    out = sweep(iris, model, sweep_mode="grid", sweep_seed=0, label_column="species")
    table = out["sweep_results"]
    # the common columns, and one per registered algorithm's extra metric (NaN for K-Means)
    assert table.columns.tolist() == sweep_columns(METRICS)
    assert len(table) == 12
    assert sorted(table["Index of run"]) == list(range(12))
    seeds = derive_seeds(0, 2)  # the model has no seed: from the sweep seed (hidden in grid mode: 0)
    expected = set(itertools.product([2, 3, 4], ["first_n", "kmeans++"], seeds))
    got = set(zip(table["Number of centroids"], table["Initialization"], table["Seed"], strict=True))
    assert got == expected
    # the run index enumerates k, then initialisation, then seed
    for k, init, seed, idx in zip(
        table["Number of centroids"],
        table["Initialization"],
        table["Seed"],
        table["Index of run"],
        strict=True,
    ):
        assert idx == [2, 3, 4].index(k) * 4 + ["first_n", "kmeans++"].index(init) * 2 + seeds.index(seed)


def test_random_sweep_tries_max_runs_distinct_candidates(iris: pd.DataFrame) -> None:
    model = range_model(n_clusters_range="2-6", init_sweep=["first_n", "kmeans++", "evenly"], n_seeds=3)
    out = sweep(iris, model, sweep_mode="random", max_runs=7, sweep_seed=42)
    table = out["sweep_results"]
    assert len(table) == 7
    assert table["Index of run"].nunique() == 7
    assert set(table["Index of run"]) <= set(range(45))
    combos = set(zip(table["Number of centroids"], table["Initialization"], table["Seed"], strict=True))
    assert len(combos) == 7
    again = sweep(iris, model, sweep_mode="random", max_runs=7, sweep_seed=42)["sweep_results"]
    assert set(again["Index of run"]) == set(table["Index of run"])
    other = sweep(iris, model, sweep_mode="random", max_runs=7, sweep_seed=43)["sweep_results"]
    assert set(other["Index of run"]) != set(table["Index of run"])


def test_random_sweep_with_more_runs_than_candidates_trains_them_all(iris: pd.DataFrame) -> None:
    out = sweep(iris, range_model(n_clusters_range="2,3"), sweep_mode="random", max_runs=50)
    assert sorted(out["sweep_results"]["Index of run"]) == [0, 1]


@pytest.mark.parametrize("metric", sorted(HIGHER))
def test_results_sorted_best_first_and_best_model_is_first_row(iris: pd.DataFrame, metric: str) -> None:
    model = range_model(n_clusters_range="2-5", init_sweep=["kmeans++", "random"], n_seeds=2, seed=3)
    out = sweep(iris, model, sweep_mode="grid", sweep_metric=metric)
    table = out["sweep_results"]
    values = table[COLUMN[metric]].to_numpy()
    assert np.array_equal(table["Cluster metric"].to_numpy(), values)
    steps = np.diff(values)
    assert np.all(steps <= 1e-15) if HIGHER[metric] else np.all(steps >= -1e-15)
    best = out["best_model"]
    first = table.iloc[0]
    assert (best.k, best.model.init, best.seed) == (
        first["Number of centroids"],
        first["Initialization"],
        first["Seed"],
    )
    assert best.model.iterations_run == first["Iterations run"]
    # results_dataset holds the best model's assignments
    pd.testing.assert_frame_equal(assign(iris, best), out["results_dataset"])


def test_ties_prefer_fewer_clusters_then_lower_run_index() -> None:
    # first_n and evenly both find the three groups: runs 0 and 1 tie, run 0 comes first
    df = pd.DataFrame({"x": [0.0, 10.0, 20.0, 1.0, 11.0, 21.0, 2.0, 12.0, 22.0]})
    model = range_model(n_clusters_range="3, 2", init_sweep=["first_n", "evenly"])
    table = sweep(df, model, sweep_mode="grid", sweep_metric="average_deviation")["sweep_results"]
    assert table["Average Deviation"].iloc[0] == pytest.approx(2 / 3)
    assert table["Index of run"].tolist()[:2] == [0, 1]
    model = range_model(n_clusters_range="2", init_sweep=["first_n", "first_n"])
    assert len(sweep(df, model, sweep_mode="grid")["sweep_results"]) == 1  # duplicates dropped


@pytest.mark.parametrize("metric", sorted(HIGHER))
def test_sort_order_breaks_ties_by_clusters_then_run_index(metric: str) -> None:
    rows = [
        {COLUMN[metric]: 1.0, "Number of centroids": 3, "Index of run": 0},
        {COLUMN[metric]: 1.0, "Number of centroids": 2, "Index of run": 5},
        {COLUMN[metric]: 1.0, "Number of centroids": 2, "Index of run": 4},
        {COLUMN[metric]: float("nan"), "Number of centroids": 2, "Index of run": 1},
        {COLUMN[metric]: 2.0, "Number of centroids": 9, "Index of run": 9},
    ]
    rows.sort(key=lambda r: rank_key(metric, r))
    order = [r["Index of run"] for r in rows]
    assert order == ([9, 4, 5, 0, 1] if HIGHER[metric] else [4, 5, 0, 9, 1])


def test_single_mode_model_is_swept_over_its_seed_with_a_warning(iris: pd.DataFrame) -> None:
    ctx = modules.RunContext()
    out = sweep(iris, kmeans(n_clusters=3, init="kmeans++", seed=9), ctx, sweep_mode="grid")
    table = out["sweep_results"]
    assert len(table) == 1
    assert (table["Number of centroids"].iloc[0], table["Seed"].iloc[0]) == (3, 9)
    assert any("Single Parameter" in w for w in ctx.warnings)
    # the same configuration through Train gives the same model
    trained = modules.run_module(
        "train_clustering_model",
        {},
        {"untrained_model": kmeans(n_clusters=3, init="kmeans++", seed=9), "dataset": iris},
    )["trained_model"]
    assert np.array_equal(trained.model.centroids, out["best_model"].model.centroids)


def test_sweep_progress_is_reported_per_candidate(iris: pd.DataFrame) -> None:
    seen: list[float] = []
    ctx = modules.RunContext(on_progress=seen.append)
    sweep(iris, range_model(n_clusters_range="2-5"), ctx, sweep_mode="grid")
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert {0.25, 0.5, 0.75} <= set(seen)


def test_cancel_stops_the_sweep(iris: pd.DataFrame) -> None:
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    ctx = modules.RunContext(stop_requested=stop)
    with pytest.raises(modules.Cancelled):
        sweep(iris, range_model(n_clusters_range="2-9"), ctx, sweep_mode="grid")


def test_candidates_with_too_few_rows_are_skipped() -> None:
    ctx = modules.RunContext()
    df = pd.DataFrame({"x": [0.0, 1.0, 5.0]})
    out = sweep(df, range_model(n_clusters_range="2-4", init_sweep=["first_n"]), ctx, sweep_mode="grid")
    assert out["sweep_results"]["Number of centroids"].tolist() == [2, 3]
    assert any("skipped" in w for w in ctx.warnings)
