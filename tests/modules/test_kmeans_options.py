"""K-Means' scikit-learn options through the modules: Tolerance, Number of restarts, 32-bit floats,
the weight column of Train and Sweep, and Train's warm start - each against scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

import modules
from modules.algorithms.kmeans import KMeansConfig
from modules.contract import validate_params
from modules.engine import fit_kmeans
from modules.errors import ModuleError
from modules.signature import node_signature
from tests.engine.kmeans_adapter import EngineKMeans, sklearn_twin
from tests.modules.helpers import kmeans, sweep, train

FEATURES = [f"f{j}" for j in range(4)]
K = 5


@pytest.fixture(scope="module")
def blobs() -> pd.DataFrame:
    X, _ = make_blobs(n_samples=1200, n_features=4, centers=K, cluster_std=2.5, random_state=4)
    df = pd.DataFrame(X, columns=FEATURES)
    df["w"] = np.random.RandomState(1).uniform(0.0, 4.0, size=len(df))
    return df


def _X(df: pd.DataFrame) -> np.ndarray:
    return df[FEATURES].to_numpy(dtype=np.float64)


def _assignments(out: dict) -> np.ndarray:
    return out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)


def _assert_matches(out: dict, ref: KMeans, atol: float = 1e-9) -> None:
    model = out["trained_model"].model
    np.testing.assert_array_equal(_assignments(out), ref.labels_)
    assert model.iterations_run == ref.n_iter_
    np.testing.assert_allclose(model.centroids, ref.cluster_centers_, rtol=0, atol=atol)
    assert model.inertia == pytest.approx(ref.inertia_, rel=1e-6 if atol > 1e-9 else 1e-10)


# -- Tolerance, Number of restarts, 32-bit floats --------------------------------------------------


@pytest.mark.parametrize("tol", [1e-4, 1e-2])
def test_tolerance_matches_sklearn(blobs: pd.DataFrame, tol: float) -> None:
    X = _X(blobs)
    out = train(
        blobs, kmeans(n_clusters=K, init="first_n", iterations=300, tol=tol, seed=0), column_set=FEATURES
    )
    ref = KMeans(K, init=X[:K], n_init=1, tol=tol, max_iter=300, algorithm="lloyd").fit(X)
    _assert_matches(out, ref)
    exact = train(blobs, kmeans(n_clusters=K, init="first_n", iterations=300, seed=0), column_set=FEATURES)
    shorter = out["trained_model"].model.iterations_run, exact["trained_model"].model.iterations_run
    assert shorter[0] < shorter[1] if tol >= 1e-2 else shorter[0] <= shorter[1]


def test_restarts_keep_the_best_inertia_as_sklearn(blobs: pd.DataFrame) -> None:
    X = _X(blobs)
    out = train(blobs, kmeans(n_clusters=K, init="kmeans++", n_init=6, seed=3), column_set=FEATURES)
    twin = sklearn_twin(EngineKMeans(K, init="k-means++", n_init=6, tol=0.0, max_iter=100, random_state=3), X)
    _assert_matches(out, twin)
    one = train(blobs, kmeans(n_clusters=K, init="kmeans++", seed=3), column_set=FEATURES)
    assert out["trained_model"].model.inertia <= one["trained_model"].model.inertia


def test_float32_is_the_64_bit_fit_of_rounded_features(blobs: pd.DataFrame) -> None:
    X = _X(blobs)
    model = kmeans(n_clusters=K, init="first_n", iterations=300, float32=True, seed=0)
    out = train(blobs, model, column_set=FEATURES)
    rounded = fit_kmeans(X.astype(np.float32).astype(np.float64), K, init="first_n", max_iter=300)
    np.testing.assert_array_equal(out["trained_model"].model.centroids, rounded.centroids)
    np.testing.assert_array_equal(_assignments(out), rounded.labels)
    X32 = X.astype(np.float32)
    ref = KMeans(K, init=X32[:K], n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(X32)
    _assert_matches(out, ref, atol=1e-4)


def test_defaults_keep_todays_fit_and_old_configurations_load(blobs: pd.DataFrame) -> None:
    explicit = kmeans(n_clusters=K, init="kmeans++", seed=9, tol=0.0, n_init=1, float32=False)
    implicit = kmeans(n_clusters=K, init="kmeans++", seed=9)
    assert explicit == implicit
    old_state = {k: v for k, v in implicit.to_state().items() if k not in ("tol", "n_init", "float32")}
    assert KMeansConfig.from_state(old_state) == implicit
    a = train(blobs, implicit, column_set=FEATURES)["trained_model"].model
    b = fit_kmeans(_X(blobs), K, init="kmeans++", seed=9)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    old_params = {"n_clusters": K, "seed": 9}
    new_params = {**old_params, "tol": 0.0, "n_init": 1, "float32": False}
    assert node_signature("kmeans_clustering", old_params, {}, {}) == node_signature(
        "kmeans_clustering", new_params, {}, {}
    )


@pytest.mark.parametrize(
    "params, code",
    [({"tol": -0.1}, "0005"), ({"n_init": 0}, "0005"), ({"n_init": 101}, "0007"), ({"float32": "x"}, "0002")],
)
def test_option_errors(params: dict, code: str) -> None:
    with pytest.raises(ModuleError) as error:
        kmeans(**params)
    assert error.value.code == code


# -- the weight column -----------------------------------------------------------------------------


def test_weight_column_matches_sklearn_sample_weight(blobs: pd.DataFrame) -> None:
    X, w = _X(blobs), blobs["w"].to_numpy()
    out = train(blobs, kmeans(n_clusters=K, init="first_n", iterations=300, seed=0), weight_column="w")
    assert out["trained_model"].features.source_columns == FEATURES  # the weight is no default feature
    ref = KMeans(K, init=X[:K], n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(X, sample_weight=w)
    _assert_matches(out, ref)


def test_weighted_kmeans_plus_plus_and_restarts_match_sklearn(blobs: pd.DataFrame) -> None:
    X, w = _X(blobs), blobs["w"].to_numpy()
    out = train(blobs, kmeans(n_clusters=K, init="kmeans++", n_init=3, tol=1e-4, seed=5), weight_column="w")
    twin = sklearn_twin(EngineKMeans(K, n_init=3, tol=1e-4, max_iter=100, random_state=5), X, w)
    _assert_matches(out, twin)


def test_rows_with_a_missing_weight_are_left_out_of_training(blobs: pd.DataFrame) -> None:
    df = blobs.copy()
    df.loc[::7, "w"] = np.nan
    keep = df["w"].notna().to_numpy()
    X, w = _X(df)[keep], df["w"].to_numpy()[keep]
    ctx = modules.RunContext()
    out = train(df, kmeans(n_clusters=K, init="first_n", iterations=300, seed=0), ctx, weight_column="w")
    ref = KMeans(K, init=X[:K], n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(X, sample_weight=w)
    np.testing.assert_allclose(out["trained_model"].model.centroids, ref.cluster_centers_, atol=1e-9)
    assert out["trained_model"].n_training_rows == int(keep.sum())
    assert any(f"{len(df) - keep.sum()} with missing values left out" in line for line in ctx.logs)
    assert any("weighted by 'w'" in line for line in ctx.logs)
    # Nor do they count in the normalisation.
    scaled = train(df, kmeans(n_clusters=K, init="first_n", normalize=True, seed=0), weight_column="w")
    np.testing.assert_array_equal(scaled["trained_model"].features.norm_min, X.min(axis=0))


def test_sweep_weight_column_gives_train_s_model(blobs: pd.DataFrame) -> None:
    ranged = kmeans(trainer_mode="range", n_clusters_range=str(K), init_sweep=["first_n"], iterations=300)
    out = sweep(blobs, ranged, sweep_mode="grid", weight_column="w")
    single = train(blobs, kmeans(n_clusters=K, init="first_n", iterations=300, seed=0), weight_column="w")
    np.testing.assert_array_equal(out["best_model"].model.centroids, single["trained_model"].model.centroids)


@pytest.mark.parametrize(
    "change, weight, code, words",
    [
        (lambda df: df.assign(w=df["w"].where(df.index != 3, -1.0)), "w", "0018", ["'w'", "row 4", "-1"]),
        (lambda df: df.assign(w=df["w"].where(df.index != 2, np.inf)), "w", "0018", ["'w'", "row 3"]),
        (lambda df: df.assign(w=0.0), "w", "0018", ["'w'", "weight 0"]),
        (lambda df: df.assign(w="heavy"), "w", "0017", ["'w'", "numeric"]),
        (lambda df: df, "nope", "0001", ["'nope'"]),
    ],
)
def test_weight_column_errors(blobs: pd.DataFrame, change, weight: str, code: str, words: list[str]) -> None:
    for run in (train, lambda df, model, **p: sweep(df, model, sweep_mode="grid", **p)):
        with pytest.raises(ModuleError) as error:
            run(change(blobs), kmeans(n_clusters=K, init="first_n", seed=0), weight_column=weight)
        assert error.value.code == code and error.value.param == "weight_column"
        assert all(word in error.value.message for word in words), error.value.message


# -- warm start ------------------------------------------------------------------------------------


def _warm(df: pd.DataFrame, start: object, **params: object) -> dict:
    config = kmeans(**{"n_clusters": K, "init": "first_n", "iterations": 300, "seed": 0, **params})
    return modules.run_module(
        "train_clustering_model",
        {"column_set": FEATURES},
        {"untrained_model": config, "dataset": df, "start_model": start},
    )


@pytest.mark.parametrize("normalize", [False, True])
def test_warm_start_from_a_converged_model_converges_in_one_iteration(
    blobs: pd.DataFrame, normalize: bool
) -> None:
    first = _warm(blobs, None, normalize=normalize)["trained_model"]
    assert first.model.converged
    again = _warm(blobs, first, normalize=normalize, tol=1e-9, init="kmeans++")
    assert again["trained_model"].model.iterations_run == 1
    np.testing.assert_allclose(again["trained_model"].model.centroids, first.model.centroids, atol=1e-12)
    np.testing.assert_array_equal(
        _assignments(again), _warm(blobs, None, normalize=normalize)["results_dataset"]["Assignments"]
    )
    # tol=0 (scikit-learn's strict rule) needs the one pass that shows no label changes.
    assert _warm(blobs, first, normalize=normalize)["trained_model"].model.iterations_run <= 2


def test_warm_start_maps_centres_into_the_new_normalisation_as_sklearn_would(blobs: pd.DataFrame) -> None:
    first = _warm(blobs.iloc[:600], None, normalize=True)["trained_model"]
    later = blobs.iloc[300:].reset_index(drop=True)
    out = _warm(later, first, normalize=True)
    space = out["trained_model"].features
    raw = first.model.centroids * first.features.norm_scale + first.features.norm_min
    start = (raw - space.norm_min) / space.norm_scale
    Xn = (_X(later) - space.norm_min) / space.norm_scale
    ref = KMeans(K, init=start, n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(Xn)
    _assert_matches(out, ref)


def test_warm_start_errors(blobs: pd.DataFrame) -> None:
    first = _warm(blobs, None)["trained_model"]
    with pytest.raises(ModuleError, match=r"has 5 clusters but the configuration asks for 3") as error:
        _warm(blobs, first, n_clusters=3)
    assert error.value.code == "0013"
    other = modules.run_module(
        "train_clustering_model",
        {"column_set": FEATURES[:3] + ["w"]},
        {"untrained_model": kmeans(n_clusters=K, init="first_n", seed=0), "dataset": blobs},
    )["trained_model"]
    with pytest.raises(ModuleError, match=r"only the model has 'w'.*only this training has 'f3'") as error:
        _warm(blobs, other)
    assert error.value.code == "0013"


def test_graph_validation_reports_a_start_model_of_another_k() -> None:
    from modules.scoring import StaticModelInfo

    module = modules.registry.get("train_clustering_model")
    params = validate_params(module, {"column_set": FEATURES})
    schema = [(name, "numeric") for name in FEATURES]
    inputs = {
        "untrained_model": kmeans(n_clusters=K),
        "dataset": schema,
        "start_model": StaticModelInfo(3, FEATURES, None, "kmeans"),
    }
    inferred = module.infer(params, inputs, None)
    assert [e.code for e in inferred.errors] == ["0013"]
    assert "3 clusters" in inferred.errors[0].message
    inputs["start_model"] = StaticModelInfo(K, FEATURES, None, "kmeans")
    assert module.infer(params, inputs, None).errors == []
