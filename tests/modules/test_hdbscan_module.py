"""HDBSCAN Clustering through the real module runner: Train, Assign, Sweep, Evaluate, the model file,
the model view, the exports and graph validation.

Known answers: scikit-learn's ``HDBSCAN`` on the min-max normalised features (the module normalises by
default) — identical labels and noise; the prediction rule for new rows by brute force with NumPy.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from sklearn.cluster import HDBSCAN
from sklearn.datasets import make_moons

import modules
from backend.services.outputs import visualize
from modules.algorithms.hdbscan import HDBSCANConfig, HDBSCANModel
from modules.export import export_model
from modules.results import NOISE_LABEL
from modules.samples import load_sample
from modules.trained_model import TrainedClusterModel, model_from_bytes, model_to_bytes


def moons_frame(n: int = 300, n_noise: int = 20, seed: int = 3) -> pd.DataFrame:
    moons = make_moons(n_samples=n, noise=0.06, random_state=seed)[0]
    rng = np.random.default_rng(seed)
    noise = rng.uniform(moons.min(axis=0) - 0.3, moons.max(axis=0) + 0.3, size=(n_noise, 2))
    return pd.DataFrame(np.vstack([moons, noise]), columns=["x", "y"])


MOONS = moons_frame()
ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    ("hdbscan_clustering", {"min_cluster_size": "many"}, {}, {}, "0002", ["'Minimum cluster size'"]),
    ("hdbscan_clustering", {"min_cluster_size": 1}, {}, {}, "0005", ["'Minimum cluster size'", "got 1"]),
    ("hdbscan_clustering", {"min_samples": 0}, {}, {}, "0005", ["'Minimum samples'", "got 0"]),
    ("hdbscan_clustering", {"eps": -0.5}, {}, {}, "0005", ["'Epsilon'", "-0.5"]),
    ("hdbscan_clustering", {"min_samples": 100_001}, {}, {}, "0007", ["'Minimum samples'", "100001"]),
    ("hdbscan_clustering", {"cluster_selection_method": "median"}, {}, {}, "0008", ["'Cluster selection"]),
    ("hdbscan_clustering", {"metric": "chebyshev"}, {}, {}, "0008", ["'Metric'"]),
    (
        "hdbscan_clustering",
        {"trainer_mode": "range", "min_cluster_size_range": "2, 1"},
        {},
        {},
        "0008",
        ["'Range for Minimum cluster size'"],
    ),
]
#: Declared codes these tests exercise through Train (test_too_few_rows_for_min_samples_is_refused_on_train;
#: the epsilon scikit-learn cannot apply: tests/modules/test_hdbscan.py).
ERRORS_COVERED = {("hdbscan_clustering", "0143")}
WINE = load_sample("sample-wine")


def numeric(df: pd.DataFrame) -> np.ndarray:
    return df.select_dtypes("number").to_numpy(dtype=np.float64)


def min_max(X: np.ndarray) -> np.ndarray:
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))


def config(**params: Any) -> HDBSCANConfig:
    out: HDBSCANConfig = modules.run_module("hdbscan_clustering", params, {})["untrained_model"]
    return out


def train(df: pd.DataFrame, **params: Any) -> dict[str, Any]:
    return modules.run_module(
        "train_clustering_model", {}, {"untrained_model": config(**params), "dataset": df}
    )


def model_of(trained: TrainedClusterModel) -> HDBSCANModel:
    assert isinstance(trained.model, HDBSCANModel)
    return trained.model


@pytest.mark.parametrize(
    ("data", "params"),
    [("moons", {"min_cluster_size": 15}), ("wine", {}), ("wine", {"cluster_selection_method": "leaf"})],
)
def test_train_gives_scikit_learns_labels_and_noise_and_no_score_columns(
    data: str, params: dict[str, Any]
) -> None:
    df = {"moons": MOONS, "wine": WINE}[data]
    out = train(df, **params)
    expected = HDBSCAN(copy=True, **params).fit(min_max(numeric(df))).labels_
    results = out["results_dataset"]
    assert list(results.columns) == [*df.columns, "Assignments"]
    assert results["Assignments"].tolist() == expected.tolist()
    trained = out["trained_model"]
    assert trained.k == len(set(expected.tolist()) - {-1})
    assert trained.cluster_sizes.tolist() == np.bincount(expected[expected >= 0]).tolist()


def test_the_moons_train_into_two_clusters_and_noise() -> None:
    out = train(MOONS, min_cluster_size=15)
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    assert out["trained_model"].k == 2
    assert set(labels.tolist()) == {NOISE_LABEL, 0, 1}


def test_rows_with_a_missing_feature_are_unscored_not_noise() -> None:
    holed = MOONS.copy()
    holed.loc[[4, 70], "y"] = np.nan
    results = train(holed, min_cluster_size=15)["results_dataset"]
    assert results["Assignments"].isna().tolist() == [i in (4, 70) for i in range(len(MOONS))]
    complete = train(MOONS.drop(index=[4, 70]), min_cluster_size=15)["results_dataset"]
    assert results["Assignments"].dropna().astype(int).tolist() == complete["Assignments"].tolist()


def test_assign_follows_the_prediction_rule() -> None:
    trained = train(MOONS, min_cluster_size=15, min_samples=5)["trained_model"]
    model = model_of(trained)
    rng = np.random.default_rng(5)
    new = pd.DataFrame(
        np.vstack([
            make_moons(n_samples=150, noise=0.1, random_state=9)[0],
            rng.uniform(-1.5, 2.5, size=(60, 2)),
        ]),
        columns=["x", "y"],
    )  # fmt: skip
    scored = modules.run_module("assign_data_to_clusters", {}, {"trained_model": trained, "dataset": new})
    X = (numeric(new) - trained.features.norm_min) / trained.features.norm_scale
    distances = cdist(X, model.training_rows)
    nearest = np.argmin(distances, axis=1)
    within = distances[np.arange(len(X)), nearest] <= model.core_distances[nearest]
    expected = np.where(within, model.training_labels[nearest], NOISE_LABEL)
    results = scored["results_dataset"]
    assert list(results.columns) == ["x", "y", "Assignments"]
    assert results["Assignments"].tolist() == expected.tolist()
    assert {NOISE_LABEL, 0, 1} == set(expected.tolist())


def test_assigning_the_training_rows_gives_their_fitted_labels() -> None:
    out = train(WINE, min_cluster_size=6, min_samples=3)
    scored = modules.run_module(
        "assign_data_to_clusters", {}, {"trained_model": out["trained_model"], "dataset": WINE}
    )
    assert scored["results_dataset"]["Assignments"].tolist() == out["results_dataset"]["Assignments"].tolist()


def test_the_model_file_round_trips_and_scores_the_same() -> None:
    trained = train(MOONS, min_cluster_size=12, cluster_selection_method="leaf")["trained_model"]
    back = model_from_bytes(model_to_bytes(trained))
    assert isinstance(back, TrainedClusterModel) and back == trained  # every array and field equal
    meta, arrays = model_of(back).to_state()
    assert meta == model_of(trained).to_state()[0]
    for name, array in arrays.items():
        np.testing.assert_array_equal(array, model_of(trained).to_state()[1][name])
    new = MOONS.sample(60, random_state=2)
    before = modules.run_module("assign_data_to_clusters", {}, {"trained_model": trained, "dataset": new})
    after = modules.run_module("assign_data_to_clusters", {}, {"trained_model": back, "dataset": new})
    assert after["results_dataset"].equals(before["results_dataset"])


def test_the_model_view_reports_clusters_noise_sizes_and_strengths() -> None:
    out = train(MOONS, min_cluster_size=15)
    view = visualize(out["trained_model"], "model")
    json.dumps(view, allow_nan=False)
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    assert view["clusters_found"] == 2
    assert view["noise_count"] == int(np.count_nonzero(labels == NOISE_LABEL)) > 0
    assert view["cluster_sizes"] == np.bincount(labels[labels >= 0]).tolist()
    assert view["membership_strength"]["clustered_rows"]["count"] == int(np.count_nonzero(labels >= 0))
    assert "core distance" in view["prediction_rule"]


def test_sweep_over_minimum_cluster_sizes_reports_the_fitted_k_and_the_noise_fraction() -> None:
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_metric": "simplified_silhouette"},
        {
            "untrained_model": config(trainer_mode="range", min_cluster_size_range="5, 15, 40"),
            "dataset": MOONS,
        },
    )
    table = out["sweep_results"]
    X = min_max(numeric(MOONS))
    expected = {m: HDBSCAN(min_cluster_size=m, copy=True).fit(X).labels_ for m in (5, 15, 40)}
    ks = sorted(len(set(labels.tolist()) - {-1}) for labels in expected.values())
    assert sorted(table["Number of centroids"].tolist()) == ks
    fractions = sorted(float(np.mean(labels == -1)) for labels in expected.values())
    np.testing.assert_allclose(sorted(table["Noise fraction"].tolist()), fractions, atol=1e-12)
    best = out["best_model"]
    assert best.k == table["Number of centroids"].iloc[0]
    assert out["results_dataset"]["Assignments"].tolist() in [e.tolist() for e in expected.values()]


def test_evaluate_counts_each_cluster_and_the_noise() -> None:
    out = train(MOONS, min_cluster_size=15)
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    table = modules.run_module("evaluate_clustering", {}, {"scored_dataset": out["results_dataset"]})[
        "evaluation_results"
    ]
    assert table["Result Description"].tolist() == [
        "Combined Evaluation", "Evaluation For Cluster No.0", "Evaluation For Cluster No.1", "Noise",
    ]  # fmt: skip
    counts = [int(np.count_nonzero(labels >= 0)), *np.bincount(labels[labels >= 0]).tolist()]
    assert table["Number of Points"].tolist() == [*counts, int(np.count_nonzero(labels == NOISE_LABEL))]


def test_a_minimum_cluster_size_too_large_for_the_data_gives_only_noise() -> None:
    out = train(MOONS, min_cluster_size=300)
    assert out["trained_model"].k == 0
    assert set(out["results_dataset"]["Assignments"].tolist()) == {NOISE_LABEL}
    scored = modules.run_module(
        "assign_data_to_clusters", {}, {"trained_model": out["trained_model"], "dataset": MOONS[:5]}
    )
    assert scored["results_dataset"]["Assignments"].tolist() == [NOISE_LABEL] * 5


def test_onnx_and_pmml_refuse_but_json_exports() -> None:
    trained = train(MOONS, min_cluster_size=15)["trained_model"]
    for fmt in ("onnx", "pmml"):
        with pytest.raises(modules.ModuleError) as refused:
            export_model(trained, fmt)
        assert (
            refused.value.code == "0083"
            and "HDBSCAN is not a centre-based algorithm" in refused.value.message
        )
    exported = json.loads(export_model(trained, "json").content)
    assert exported["model"]["algorithm"] == "hdbscan"


def test_validation_names_only_the_assignments_column() -> None:
    def edge(source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
        return {
            "id": f"{source}-{target}",
            "source": source,
            "source_port": source_port,
            "target": target,
            "target_port": target_port,
        }

    graph = {
        "nodes": [
            {"id": "data", "module": "dataset", "params": {"dataset_id": "sample-wine"}},
            {"id": "algo", "module": "hdbscan_clustering", "params": {}},
            {"id": "train", "module": "train_clustering_model", "params": {"append": False}},
        ],
        "edges": [
            edge("algo", "untrained_model", "train", "untrained_model"),
            edge("data", "dataset", "train", "dataset"),
        ],
    }
    report = modules.validate_graph(graph)
    assert report["valid"], report["errors"]
    assert [c["name"] for c in report["columns"]["train.results_dataset"]] == ["Assignments"]


def test_the_declaration_describes_every_parameter_and_says_the_fit_finds_k() -> None:
    module = modules.registry.get("hdbscan_clustering")
    assert all(p.description for p in module.params)
    assert "found by the fit" in module.description
    assert {p.id for p in module.params} >= {
        "min_cluster_size", "min_samples", "cluster_selection_method", "eps", "metric", "normalize",
        "trainer_mode",
    }  # fmt: skip
    assert config().min_samples is None and config(min_samples=3).min_samples == 3


def test_too_few_rows_for_min_samples_is_refused_on_train() -> None:
    with pytest.raises(modules.ModuleError) as refused:
        train(MOONS[:4], min_cluster_size=5)
    assert refused.value.code == "0143"
