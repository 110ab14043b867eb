"""DBSCAN Clustering against scikit-learn, through the real module runner.

Known answers: scikit-learn's ``DBSCAN`` on Iris, Wine (normalised) and moons (fixed seed) — the same
labels, not up to a permutation (DBSCAN's are deterministic given the row order), the same noise and
core samples; new rows' clusters by brute force with NumPy (nearest core sample within eps).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_moons

import modules
from backend.services.outputs import visualize
from modules.algorithms.dbscan import DBSCANConfig, DBSCANModel, eps_values
from modules.export import ExportUnsupported, export_model, import_model
from modules.results import ASSIGNMENTS, NOISE_LABEL
from modules.samples import load_sample
from modules.trained_model import TrainedClusterModel, model_from_bytes, model_to_bytes

IRIS = load_sample("sample-iris")
WINE = load_sample("sample-wine")
_MOONS = make_moons(n_samples=300, noise=0.08, random_state=5)[0]
# a few far-off rows that must come out as noise
MOONS = pd.DataFrame(np.vstack([_MOONS, [[3.0, 3.0], [-2.5, 2.0], [2.5, -1.5]]]), columns=["x", "y"])
#: (data, eps, min_samples, metric, normalise) on which the clusters and the noise are compared
CASES = {
    "iris": (IRIS, 0.2, 5, "euclidean", True),
    "iris-manhattan": (IRIS, 0.3, 4, "manhattan", True),
    "wine": (WINE, 0.5, 5, "euclidean", True),
    "wine-cosine": (WINE, 0.02, 5, "cosine", True),
    "moons": (MOONS, 0.2, 5, "euclidean", False),
}


def numeric(df: pd.DataFrame, normalise: bool) -> np.ndarray:
    X = df.select_dtypes("number").to_numpy(dtype=np.float64)
    if normalise:
        span = X.max(axis=0) - X.min(axis=0)
        X = (X - X.min(axis=0)) / np.where(span > 0, span, 1.0)
    return X


def config(**params: Any) -> DBSCANConfig:
    out: DBSCANConfig = modules.run_module("dbscan_clustering", params, {})["untrained_model"]
    return out


def train(df: pd.DataFrame, **params: Any) -> dict[str, Any]:
    return modules.run_module(
        "train_clustering_model", {}, {"untrained_model": config(**params), "dataset": df}
    )


def model_of(out: dict[str, Any]) -> DBSCANModel:
    trained: TrainedClusterModel = out["trained_model"]
    assert isinstance(trained.model, DBSCANModel)
    return trained.model


@pytest.mark.parametrize("case", CASES)
def test_labels_noise_and_core_samples_are_scikit_learns(case: str) -> None:
    df, eps, min_samples, metric, normalise = CASES[case]
    X = numeric(df, normalise)
    expected = DBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(X)
    out = train(df, eps=eps, min_samples=min_samples, metric=metric, normalize=normalise)
    labels = out["results_dataset"][ASSIGNMENTS].to_numpy(dtype=np.int64)
    assert np.array_equal(labels, expected.labels_)  # identical, not up to a permutation
    assert (labels == NOISE_LABEL).sum() == (expected.labels_ == -1).sum()
    model = model_of(out)
    assert model.k == expected.labels_.max() + 1 >= 2
    np.testing.assert_array_equal(model.core_samples, X[expected.core_sample_indices_])
    np.testing.assert_array_equal(model.core_labels, expected.labels_[expected.core_sample_indices_])
    trained = out["trained_model"]
    assert trained.noise_count == int((expected.labels_ == -1).sum())
    assert trained.cluster_sizes.tolist() == np.bincount(expected.labels_[expected.labels_ >= 0]).tolist()


def test_the_moons_far_off_rows_are_noise_and_the_moons_two_clusters() -> None:
    labels = train(MOONS, normalize=False)["results_dataset"][ASSIGNMENTS].to_numpy()
    assert labels[-3:].tolist() == [NOISE_LABEL] * 3
    assert set(labels[:-3].tolist()) - {NOISE_LABEL} == {0, 1}


def brute_force_assign(model: DBSCANModel, X: np.ndarray) -> np.ndarray:
    """The documented rule by brute force: the cluster of the nearest core sample if within eps."""
    if model.metric == "manhattan":
        D = np.abs(X[:, None, :] - model.core_samples[None, :, :]).sum(axis=2)
    elif model.metric == "cosine":
        u = X / np.linalg.norm(X, axis=1, keepdims=True)
        v = model.core_samples / np.linalg.norm(model.core_samples, axis=1, keepdims=True)
        D = 1.0 - u @ v.T
    else:
        D = np.linalg.norm(X[:, None, :] - model.core_samples[None, :, :], axis=2)
    nearest = D.argmin(axis=1)
    return np.where(D[np.arange(len(X)), nearest] <= model.eps, model.core_labels[nearest], NOISE_LABEL)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
def test_new_rows_join_the_nearest_core_samples_cluster_within_eps_else_noise(metric: str) -> None:
    out = train(MOONS, normalize=False, metric=metric, eps=0.2 if metric != "cosine" else 0.01)
    model = model_of(out)
    rng = np.random.default_rng(11)
    new = pd.DataFrame(rng.uniform(-1.5, 2.5, size=(400, 2)), columns=["x", "y"])
    scored = modules.run_module(
        "assign_data_to_clusters", {"append": False}, {"trained_model": out["trained_model"], "dataset": new}
    )["results_dataset"]
    assert scored.columns.tolist() == [ASSIGNMENTS]
    got = scored[ASSIGNMENTS].to_numpy(dtype=np.int64)
    assert np.array_equal(got, brute_force_assign(model, new.to_numpy()))
    assert (got == NOISE_LABEL).any() and (got >= 0).any()


def test_core_training_rows_assigned_again_keep_their_cluster() -> None:
    out = train(IRIS)
    model = model_of(out)
    assert np.array_equal(model.assign(model.core_samples), model.core_labels)


def test_rows_with_a_missing_feature_are_left_unscored_not_noise() -> None:
    df = MOONS.copy()
    df.loc[5, "x"] = np.nan
    labels = train(df, normalize=False)["results_dataset"][ASSIGNMENTS]
    assert labels.isna().tolist() == [i == 5 for i in range(len(df))]
    expected = DBSCAN(eps=0.2, min_samples=5).fit(df.drop(index=5).to_numpy()).labels_
    assert labels.drop(index=5).to_numpy(dtype=np.int64).tolist() == expected.tolist()


def test_the_model_round_trips_exactly_without_pickle() -> None:
    trained = train(WINE, eps=0.5)["trained_model"]
    back = model_from_bytes(model_to_bytes(trained))
    assert back == trained
    assert isinstance(back, TrainedClusterModel) and isinstance(back.model, DBSCANModel)
    state = trained.model.to_state()
    again = DBSCANModel.from_state(*state)
    assert again.to_state()[0] == state[0]
    for name, array in state[1].items():
        assert again.to_state()[1][name].dtype == array.dtype
        np.testing.assert_array_equal(again.to_state()[1][name], array)
    X = numeric(WINE, True)
    np.testing.assert_array_equal(back.model.assign(X), trained.model.assign(X))


def test_the_summary_says_what_was_found() -> None:
    out = train(IRIS)
    expected = DBSCAN(eps=0.2, min_samples=5).fit(numeric(IRIS, True))
    view = visualize(out["trained_model"], "model")
    assert view["clusters_found"] == view["k"] == 2
    assert view["noise_count"] == int((expected.labels_ == -1).sum()) == 3
    assert view["core_sample_count"] == len(expected.core_sample_indices_)
    assert view["cluster_sizes"] == np.bincount(expected.labels_[expected.labels_ >= 0]).tolist()
    assert view["eps"] == 0.2 and view["min_samples"] == 5 and view["metric"] == "euclidean"
    assert "seed" not in view["parameters"]


def test_the_cluster_chart_draws_noise_apart() -> None:
    out = train(MOONS, normalize=False)
    chart = visualize(out["results_dataset"], "clusters")
    labels = out["results_dataset"][ASSIGNMENTS].to_numpy()
    assert chart["noise_count"] == int((labels == NOISE_LABEL).sum()) >= 3
    assert [c["cluster"] for c in chart["centroids"]] == [0, 1]
    assert chart["distance_histograms"] == []


def test_exports_json_only() -> None:
    trained = train(IRIS)["trained_model"]
    assert import_model(export_model(trained, "json").content) == trained
    for fmt in ("onnx", "pmml"):
        with pytest.raises(ExportUnsupported):
            export_model(trained, fmt)  # type: ignore[arg-type]


def test_sweep_over_eps_and_min_samples_shows_the_fitted_k_and_noise_fraction() -> None:
    params = {
        "trainer_mode": "range",
        "eps_from": 0.1,
        "eps_to": 0.3,
        "eps_count": 3,
        "min_samples_range": "4-5",
    }
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_mode": "grid", "sweep_metric": "simplified_silhouette"},
        {"untrained_model": config(**params), "dataset": IRIS},
    )
    table = out["sweep_results"]
    X = numeric(IRIS, True)
    assert len(table) == 6
    grid = [(e, m) for e in (0.1, 0.2, 0.3) for m in (4, 5)]  # run-index order
    for row in table.to_dict("records"):
        eps, m = grid[int(row["Index of run"])]
        expected = DBSCAN(eps=eps, min_samples=m).fit(X).labels_
        assert row["Number of centroids"] == expected.max() + 1  # the fitted k
        assert row["Noise fraction"] == pytest.approx(np.mean(expected == -1))
        assert row["Initialization"] == f"eps={eps:g}, min_samples={m}"
    best = out["best_model"]
    assert isinstance(best.model, DBSCANModel)
    assert out["results_dataset"][ASSIGNMENTS].to_numpy().tolist() == (
        DBSCAN(eps=best.model.eps, min_samples=best.model.min_samples).fit(X).labels_.tolist()
    )


def test_sweep_metrics_leave_the_noise_out() -> None:
    from modules.engine.metrics import cluster_metrics

    out = train(MOONS, normalize=False)
    X = MOONS.to_numpy()
    labels = out["results_dataset"][ASSIGNMENTS].to_numpy(dtype=np.int64)
    keep = labels >= 0
    centroids = np.array([X[labels == j].mean(axis=0) for j in range(2)])
    expected = cluster_metrics(X[keep], centroids, labels[keep])
    got = model_of(out).sweep_metrics(X[keep], labels[keep])
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12)


def test_everything_noise_gives_no_cluster_and_nan_metrics() -> None:
    from modules.algorithms.base import sweep_metric_values

    out = train(WINE, eps=0.05)
    assert model_of(out).k == 0 and out["trained_model"].noise_count == len(WINE)
    assert (out["results_dataset"][ASSIGNMENTS] == NOISE_LABEL).all()
    values = sweep_metric_values(model_of(out), numeric(WINE, True), np.full(len(WINE), NOISE_LABEL))
    assert math.isnan(values["dunn"]) and values["noise_fraction"] == 1.0


def test_the_memory_estimate_refuses_too_large_neighbourhoods() -> None:
    # every row within eps of every other: n² neighbours, 8 bytes each
    rows = pd.DataFrame({"x": np.zeros(17_000)})
    with pytest.raises(modules.ModuleError) as refused:
        train(rows, eps=1.0, normalize=False)
    assert refused.value.code == "0160"
    assert "DBSCAN of 17,000 training rows needs 2.2 GiB" in refused.value.message
    assert "STUDIO_MAX_PAIRWISE_BYTES" in refused.value.message
    # sparse neighbourhoods of the same number of rows fit (each row alone: all noise)
    spread = pd.DataFrame({"x": np.arange(17_000, dtype=np.float64)})
    fitted = train(spread, eps=0.5, min_samples=2, normalize=False)
    assert model_of(fitted).k == 0 and fitted["trained_model"].noise_count == 17_000


@pytest.mark.parametrize(("metric", "eps"), [("euclidean", 0.2), ("manhattan", 0.25), ("cosine", 0.01)])
def test_the_neighbourhood_share_of_a_small_table_is_exact(metric: str, eps: float) -> None:
    from sklearn.neighbors import NearestNeighbors

    from modules.algorithms.dbscan import _neighbour_share

    X = MOONS.to_numpy()  # fewer rows than the sample: every row is counted
    # scikit-learn's own neighbourhoods, as its DBSCAN finds them
    counts = [len(n) for n in NearestNeighbors(radius=eps, metric=metric).fit(X).radius_neighbors(X)[1]]
    assert _neighbour_share(X, eps, metric) == pytest.approx(np.mean(counts) / len(X), rel=1e-12)


def test_a_config_round_trips_and_the_range_is_a_grid() -> None:
    made = config(trainer_mode="range", eps_from=0.1, eps_to=0.2, eps_count=2, min_samples_range="3, 6")
    assert DBSCANConfig.from_state(made.to_state()) == made
    assert [(c.settings["eps"], c.settings["min_samples"]) for c in made.candidates(0)] == [
        (0.1, 3),
        (0.1, 6),
        (0.2, 3),
        (0.2, 6),
    ]
    assert all(c.n_clusters == 0 for c in made.candidates(0))
    assert made.training_candidate().settings == {"eps": 0.1, "min_samples": 3}
    assert eps_values(0.1, 0.5, 5) == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert config().train_warning() is None and config().sweep_warning() is not None


def test_the_module_says_the_fit_finds_the_number_of_clusters() -> None:
    from modules import registry

    spec = registry.get("dbscan_clustering").to_json()
    assert "The number of clusters is found by the fit" in spec["description"]
    assert {p["id"] for p in spec["params"]} >= {"eps", "min_samples", "metric", "normalize", "trainer_mode"}
    assert all(p.get("description") for p in spec["params"])


# Found by tests/modules/test_errors.py (module, params, inputs, ctx, code, message fragments).
ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    ("dbscan_clustering", {"eps": "wide"}, {}, {}, "0002", ["'Eps (neighbourhood radius)'", '"wide"']),
    ("dbscan_clustering", {"eps": 0.0}, {}, {}, "0004", ["'Eps (neighbourhood radius)'", "got 0"]),
    ("dbscan_clustering", {"min_samples": 0}, {}, {}, "0005", ["'Minimum samples'", "got 0"]),
    ("dbscan_clustering", {"min_samples": 10_001}, {}, {}, "0007", ["'Minimum samples'", "10001"]),
    ("dbscan_clustering", {"metric": "chebyshev"}, {}, {}, "0008", ["'Metric'", '"chebyshev"']),
    (
        "dbscan_clustering",
        {"trainer_mode": "range", "eps_from": 0.5, "eps_to": 0.2},
        {},
        {},
        "0008",
        ["'Eps to'", "below 'Eps from'"],
    ),
    (
        "dbscan_clustering",
        {"trainer_mode": "range", "eps_count": 100, "min_samples_range": "1-101"},
        {},
        {},
        "0007",
        ["10100 pairs", "STUDIO_MAX_SWEEP_CANDIDATES"],
    ),
]
