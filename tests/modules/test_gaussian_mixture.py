"""Gaussian Mixture Clustering against scikit-learn's GaussianMixture on Iris, Wine and blobs with fixed
seeds: identical labels, probabilities and lower bounds within 1e-9, BIC/AIC as scikit-learn computes
them, through the real module runner (Train, Sweep, Assign, Evaluate, the portable file, export)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

import modules
from backend.services.outputs import visualize
from modules.algorithms.gaussian_mixture import GaussianMixtureModel
from modules.errors import ModuleError
from modules.export import ExportUnsupported, export_model
from modules.samples import load_sample
from modules.trained_model import model_from_bytes, model_to_bytes

PREFIX = "ProbabilityOfCluster no."

# Run by tests/modules/test_errors.py with every module's error cases: (module, params, inputs, ctx
# kwargs, code, fragments of the message).
ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    ("gaussian_mixture_clustering", {"n_components": "many"}, {}, {}, "0002", ["'Number of components'"]),
    ("gaussian_mixture_clustering", {"n_components": 1}, {}, {}, "0005", ["'Number of components'", "got 1"]),
    ("gaussian_mixture_clustering", {"max_iter": 10_001}, {}, {}, "0007", ["'Iterations'", "got 10001"]),
    ("gaussian_mixture_clustering", {"covariance_type": "round"}, {}, {}, "0008", ["'Covariance type'"]),
]
#: Declared codes these tests exercise through Train (test_a_singular_covariance_is_a_coded_error).
ERRORS_COVERED = {("gaussian_mixture_clustering", "0143")}
TOL = 1e-9


def blobs() -> pd.DataFrame:
    X, _ = make_blobs(
        n_samples=300, centers=4, n_features=3, cluster_std=[0.5, 1.0, 1.5, 0.8], random_state=7
    )
    return pd.DataFrame(X, columns=["a", "b", "c"])


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {"iris": load_sample("sample-iris"), "wine": load_sample("sample-wine"), "blobs": blobs()}


def features(df: pd.DataFrame, normalize: bool) -> np.ndarray:
    """The numeric columns as the studio's trainer sees them: min-max scaled when ``normalize``."""
    X = df.select_dtypes("number").to_numpy(dtype=np.float64)
    if normalize:
        low, high = X.min(axis=0), X.max(axis=0)
        X = (X - low) / np.where(high > low, high - low, 1.0)
    return X


def mixture(**params: Any) -> modules.ClusterConfig:
    params.setdefault("normalize", False)
    return modules.run_module("gaussian_mixture_clustering", params, {})["untrained_model"]


def train(df: pd.DataFrame, config: Any, **params: Any) -> dict[str, Any]:
    return modules.run_module("train_clustering_model", params, {"untrained_model": config, "dataset": df})


def probabilities(results: pd.DataFrame, k: int) -> np.ndarray:
    return results[[f"{PREFIX}{j}" for j in range(k)]].to_numpy(dtype=np.float64)


CASES = [
    ("iris", 3, "full", "kmeans", 0, False),
    ("iris", 3, "tied", "k-means++", 1, True),
    ("iris", 4, "diag", "random", 2, False),
    ("wine", 3, "spherical", "kmeans", 3, True),
    ("wine", 3, "diag", "kmeans", 4, True),
    ("blobs", 4, "full", "k-means++", 5, False),
    ("blobs", 4, "spherical", "random", 6, True),
]


@pytest.mark.parametrize(("table", "k", "covariance", "init", "seed", "normalize"), CASES)
def test_train_matches_scikit_learn(
    tables: dict[str, pd.DataFrame],
    table: str,
    k: int,
    covariance: str,
    init: str,
    seed: int,
    normalize: bool,
) -> None:
    df = tables[table]
    config = mixture(
        n_components=k, covariance_type=covariance, init_params=init, seed=seed, normalize=normalize
    )
    out = train(df, config)
    X = features(df, normalize)
    reference = GaussianMixture(k, covariance_type=covariance, init_params=init, random_state=seed).fit(X)
    results = out["results_dataset"]
    np.testing.assert_array_equal(results["Assignments"].to_numpy(dtype=np.int64), reference.predict(X))
    np.testing.assert_allclose(probabilities(results, k), reference.predict_proba(X), rtol=0, atol=TOL)
    model = out["trained_model"].model
    assert isinstance(model, GaussianMixtureModel)
    assert model.lower_bound == pytest.approx(reference.lower_bound_, abs=TOL)
    assert (model.n_iter, model.converged) == (reference.n_iter_, reference.converged_)
    np.testing.assert_allclose(model.means, reference.means_, rtol=0, atol=TOL)
    np.testing.assert_allclose(model.covariances, reference.covariances_, rtol=0, atol=TOL)
    np.testing.assert_allclose(model.weights, reference.weights_, rtol=0, atol=TOL)


def test_the_results_name_a_probability_per_component(tables: dict[str, pd.DataFrame]) -> None:
    results = train(tables["iris"], mixture(n_components=3, seed=0))["results_dataset"]
    assert results.columns.tolist()[-4:] == ["Assignments", *(f"{PREFIX}{j}" for j in range(3))]
    np.testing.assert_allclose(probabilities(results, 3).sum(axis=1), 1.0, atol=1e-12)


def test_summary_holds_weights_means_and_full_covariances(tables: dict[str, pd.DataFrame]) -> None:
    X = features(tables["iris"], False)
    for covariance in ("full", "tied", "diag", "spherical"):
        model = train(tables["iris"], mixture(n_components=3, covariance_type=covariance, seed=0))[
            "trained_model"
        ].model
        reference = GaussianMixture(3, covariance_type=covariance, random_state=0).fit(X)
        summary = model.summary()
        c = reference.covariances_
        if covariance == "full":
            expected = c
        elif covariance == "tied":
            expected = np.stack([c] * 3)
        elif covariance == "diag":
            expected = np.stack([np.diag(v) for v in c])
        else:
            expected = np.stack([v * np.eye(4) for v in c])
        np.testing.assert_allclose(np.array(summary["covariances"]), expected, rtol=0, atol=TOL)
        np.testing.assert_allclose(summary["weights"], reference.weights_, rtol=0, atol=TOL)
        assert summary["means"] == summary["centroids"] and len(summary["means"]) == 3
        assert summary["covariance_type"] == covariance
        assert summary["converged"] is True and summary["n_iter"] == reference.n_iter_
        assert summary["lower_bound"] == pytest.approx(reference.lower_bound_, abs=TOL)


def test_portable_file_round_trips_exactly_and_assign_matches(tables: dict[str, pd.DataFrame]) -> None:
    df = tables["wine"]
    trained = train(df, mixture(n_components=3, covariance_type="full", seed=11, normalize=True))[
        "trained_model"
    ]
    back = model_from_bytes(model_to_bytes(trained))
    assert back == trained and isinstance(back.model, GaussianMixtureModel)
    for name in ("weights", "means", "covariances", "precisions_cholesky"):
        np.testing.assert_array_equal(getattr(back.model, name), getattr(trained.model, name))
    new = df.sample(40, random_state=3).reset_index(drop=True)
    scored = modules.run_module(
        "assign_data_to_clusters", {"append": False}, {"trained_model": back, "dataset": new}
    )
    results = scored["results_dataset"]
    X = features(df, True)
    reference = GaussianMixture(3, random_state=11).fit(X)
    low, high = df.select_dtypes("number").min().to_numpy(), df.select_dtypes("number").max().to_numpy()
    X_new = (new.select_dtypes("number").to_numpy(dtype=np.float64) - low) / (high - low)
    np.testing.assert_array_equal(results["Assignments"].to_numpy(dtype=np.int64), reference.predict(X_new))
    np.testing.assert_allclose(probabilities(results, 3), reference.predict_proba(X_new), rtol=0, atol=TOL)


def test_sweep_picks_the_number_of_components_by_bic(tables: dict[str, pd.DataFrame]) -> None:
    df = tables["blobs"]
    config = mixture(trainer_mode="range", n_components_range="2-6", seed=5)
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_mode": "grid", "sweep_metric": "bic"},
        {"untrained_model": config, "dataset": df},
    )
    table = out["sweep_results"]
    X = features(df, False)
    bic = {k: GaussianMixture(k, random_state=5).fit(X).bic(X) for k in range(2, 7)}
    aic = {k: GaussianMixture(k, random_state=5).fit(X).aic(X) for k in range(2, 7)}
    best = min(bic, key=lambda k: bic[k])
    assert best == 4  # the four blobs
    assert table["Number of centroids"].iloc[0] == best and out["best_model"].k == best
    for _, row in table.iterrows():
        k = int(row["Number of centroids"])
        assert row["BIC"] == pytest.approx(bic[k], rel=0, abs=1e-6)
        assert row["AIC"] == pytest.approx(aic[k], rel=0, abs=1e-6)
    assert table["Cluster metric"].tolist() == table["BIC"].tolist()
    chart = visualize(table, "sweep")
    assert chart["metric"] == "BIC" and chart["best"]["k"] == best and "AIC" in chart["series"]


def test_sweep_by_aic_and_the_common_metrics(tables: dict[str, pd.DataFrame]) -> None:
    config = mixture(trainer_mode="range", n_components_range="2-4", seed=0)
    for metric in ("aic", "simplified_silhouette"):
        out = modules.run_module(
            "sweep_clustering",
            {"sweep_mode": "grid", "sweep_metric": metric},
            {"untrained_model": config, "dataset": tables["iris"]},
        )
        table = out["sweep_results"]
        assert len(table) == 3 and np.isfinite(table["Simplified Silhouette"]).all()


def test_evaluate_and_the_chart_read_probabilities(tables: dict[str, pd.DataFrame]) -> None:
    results = train(tables["iris"], mixture(n_components=3, seed=0))["results_dataset"]
    evaluation = modules.run_module("evaluate_clustering", {}, {"scored_dataset": results})[
        "evaluation_results"
    ]
    own = probabilities(results, 3)[np.arange(150), results["Assignments"].to_numpy(dtype=np.int64)]
    assert evaluation["Average Probability of Own Cluster"].iloc[0] == pytest.approx(own.mean())
    assert evaluation["Number of Points"].iloc[0] == 150
    chart = visualize(results, "clusters")
    assert chart["score_kind"] == "probability" and chart["k"] == 3


def test_onnx_and_pmml_refuse_json_exports(tables: dict[str, pd.DataFrame]) -> None:
    trained = train(tables["iris"], mixture(n_components=3, seed=0))["trained_model"]
    for fmt in ("onnx", "pmml"):
        with pytest.raises(ExportUnsupported) as refused:
            export_model(trained, fmt)  # type: ignore[arg-type]
        assert refused.value.code == "0083" and "not a centre-based algorithm" in refused.value.message
    assert export_model(trained, "json").media_type == "application/json"


def test_a_singular_covariance_is_a_coded_error() -> None:
    # two points repeated: a component on one distinct point has zero covariance without regularisation
    df = pd.DataFrame({"x": [0.0] * 3 + [1.0] * 3 + [5.0] * 3, "y": [0.0] * 3 + [1.0] * 3 + [2.0] * 3})
    with pytest.raises(ModuleError) as raised:
        train(df, mixture(n_components=3, reg_covar=0.0, seed=0))
    assert raised.value.code == "0143" and "Regularisation" in raised.value.message


def test_parameter_refusals_are_coded() -> None:
    cases = [
        ({"n_components": 1}, "0005"),
        ({"max_iter": 0}, "0005"),
        ({"tol": -1.0}, "0005"),
        ({"reg_covar": -1.0}, "0005"),
        ({"covariance_type": "round"}, "0008"),
        ({"trainer_mode": "range", "n_components_range": "1-3"}, "0008"),
        ({"trainer_mode": "range", "n_components_range": "two"}, "0002"),
    ]
    for params, code in cases:
        with pytest.raises(ModuleError) as raised:
            mixture(**params)
        assert raised.value.code == code, params


def test_a_weight_column_is_refused(tables: dict[str, pd.DataFrame]) -> None:
    df = tables["iris"].assign(w=np.arange(150) % 3 + 1.0)
    with pytest.raises(ModuleError) as raised:
        train(df, mixture(n_components=3, seed=0), weight_column="w")
    assert raised.value.code == "0013"


def test_train_uses_the_first_value_of_a_range(tables: dict[str, pd.DataFrame]) -> None:
    out = train(tables["iris"], mixture(trainer_mode="range", n_components_range="4-6", seed=0))
    assert out["trained_model"].k == 4


def test_graph_validation_names_the_probability_columns_ahead() -> None:
    def edge(i: str, source: str, port: str, target: str, target_port: str) -> dict[str, str]:
        return {"id": i, "source": source, "source_port": port, "target": target, "target_port": target_port}

    graph = {
        "nodes": [
            {"id": "data", "module": "dataset", "params": {"dataset_id": "sample-iris"}},
            {"id": "gmm", "module": "gaussian_mixture_clustering", "params": {"n_components": 3}},
            {"id": "train", "module": "train_clustering_model", "params": {"append": False}},
        ],
        "edges": [
            edge("e1", "gmm", "untrained_model", "train", "untrained_model"),
            edge("e2", "data", "dataset", "train", "dataset"),
        ],
    }
    report = modules.validate_graph(graph)
    assert report["valid"], report["errors"]
