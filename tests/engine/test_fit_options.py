"""fit_kmeans' options: their checks, the tolerance's scale, the restart rule, 32-bit data and weights."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from modules.engine import fit_kmeans, initial_centroids
from modules.engine._options import absolute_tolerance, column_sums, restart_seeds
from modules.engine.kmeans import ALGORITHMS
from modules.errors import ModuleError
from tests.engine.kmeans_adapter import EngineKMeans, assert_same_fit, sklearn_twin


@pytest.fixture
def data() -> np.ndarray:
    rng = np.random.default_rng(5)
    return np.concatenate([rng.normal(loc, 1.0, size=(300, 3)) for loc in (0.0, 4.0, 9.0)])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"sample_weight": np.ones(5)}, r"sample_weight must have shape \(900,\)"),
        (
            {"sample_weight": np.r_[np.ones(899), np.nan]},
            r"sample_weight\[899\] is nan: weights must be finite",
        ),
        ({"sample_weight": np.r_[np.ones(899), np.inf]}, r"sample_weight\[899\] is inf"),
        ({"sample_weight": np.r_[-1.0, np.ones(899)]}, r"sample_weight\[0\] is -1.0: weights must be >= 0"),
        ({"sample_weight": np.zeros(900)}, r"zero for every row"),
        ({"tol": -1e-4}, r"tol must be a finite number >= 0"),
        ({"tol": float("nan")}, r"tol must be a finite number >= 0"),
        ({"tol": "0"}, r"tol must be a number"),
        ({"n_init": 0}, r"n_init must be an int in 1..1000"),
        ({"n_init": 2.0}, r"n_init must be an int"),
        ({"dtype": np.float16}, r"dtype must be np.float64 or np.float32"),
        ({"dtype": "int"}, r"dtype must be np.float64 or np.float32"),
        ({"init_centroids": np.zeros((2, 3))}, r"init_centroids has 2 rows but n_clusters=3"),
        ({"init_centroids": np.zeros((3, 2))}, r"centroids have 2 features but the data has 3"),
        ({"init_centroids": np.full((3, 3), np.nan)}, r"centroids contain NaN"),
        ({"init_centroids": np.zeros((3, 3)), "metric": "cosine"}, r"init_centroids has a zero row"),
    ],
)
def test_invalid_options_are_refused(data: np.ndarray, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_kmeans(data, 3, **options)


def test_an_explicit_start_needs_k_rows_not_k_distinct_ones() -> None:
    rows = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    fit = fit_kmeans(rows, 3, init_centroids=rows)
    assert fit.n_iter >= 1
    with pytest.raises(ModuleError, match="needs at least 4 rows"):
        fit_kmeans(rows, 4, init_centroids=np.arange(8.0).reshape(4, 2))


def test_tolerance_scales_like_sklearn(data: np.ndarray) -> None:
    mean = column_sums(data) / data.shape[0]
    assert absolute_tolerance(data, mean, 1e-3) == pytest.approx(
        np.var(data, axis=0).mean() * 1e-3, rel=1e-13
    )
    assert absolute_tolerance(data, mean, 0.0) == 0.0


def test_restarts_keep_the_lowest_inertia_first_on_ties(data: np.ndarray) -> None:
    seeds = restart_seeds(11, 5)
    assert seeds[0] == 11 and len(set(seeds)) == 5
    singles = [fit_kmeans(data, 7, init="random", seed=s, max_iter=3) for s in seeds]
    best = fit_kmeans(data, 7, init="random", seed=11, max_iter=3, n_init=5)
    expected = min(range(5), key=lambda i: (singles[i].inertia, i))
    np.testing.assert_array_equal(best.centroids, singles[expected].centroids)
    assert best.n_iter == singles[expected].n_iter
    # One restart is today's fit.
    np.testing.assert_array_equal(
        fit_kmeans(data, 7, init="random", seed=11, max_iter=3, n_init=1).centroids, singles[0].centroids
    )


def test_an_explicit_start_runs_once(data: np.ndarray) -> None:
    start = data[[0, 400, 800]]
    once = fit_kmeans(data, 3, init_centroids=start)
    many = fit_kmeans(data, 3, init_centroids=start, n_init=5, init="kmeans++")
    np.testing.assert_array_equal(once.centroids, many.centroids)
    np.testing.assert_array_equal(
        once.centroids, fit_kmeans(data, 3, init="first_n", init_centroids=start).centroids
    )


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("init", ["first_n", "kmeans++", "kmeans++_fast", "random", "evenly"])
def test_float32_is_the_float64_fit_of_the_rounded_data(data: np.ndarray, metric: str, init: str) -> None:
    rounded = data.astype(np.float32)
    single = fit_kmeans(rounded, 4, init=init, metric=metric, seed=2, dtype=np.float32)
    double = fit_kmeans(rounded.astype(np.float64), 4, init=init, metric=metric, seed=2)
    np.testing.assert_array_equal(single.labels, double.labels)
    # Exact where the data is the rounded input; under cosine the 32-bit data are its unit rows, and
    # the k-means++ seeding distances come from 32-bit products.
    if metric == "euclidean" and init not in ("kmeans++", "kmeans++_fast"):
        np.testing.assert_array_equal(single.centroids, double.centroids)
    else:
        np.testing.assert_allclose(single.centroids, double.centroids, rtol=0, atol=1e-6)
    assert single.centroids.dtype == np.float64


def test_weights_of_zero_leave_rows_out(data: np.ndarray) -> None:
    weights = np.ones(len(data))
    weights[::3] = 0.0
    keep = weights > 0
    start = data[[1, 401, 801]]
    weighted = fit_kmeans(data, 3, init_centroids=start, sample_weight=weights)
    subset = fit_kmeans(data[keep], 3, init_centroids=start)
    np.testing.assert_allclose(weighted.centroids, subset.centroids, rtol=0, atol=1e-12)
    assert weighted.inertia == pytest.approx(subset.inertia, rel=1e-12)
    centres = initial_centroids(data, 3, "kmeans++", seed=4, sample_weight=weights)
    zero_rows = data[~keep]
    assert not any((zero_rows == c).all(axis=1).any() for c in centres)


def test_label_column_takes_weighted_means() -> None:
    rows = np.array([[0.0], [1.0], [10.0], [20.0]])
    labels = np.array([0, 0, 1, 1])
    weights = np.array([3.0, 1.0, 0.0, 0.0])  # label 1 weighs nothing: its plain mean
    centres = initial_centroids(rows, 2, "label_column", init_labels=labels, sample_weight=weights)
    np.testing.assert_allclose(centres, [[0.25], [15.0]])


def _fit_both(model: EngineKMeans, data: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
    model.fit(data, sample_weight=sample_weight)
    assert_same_fit(model, sklearn_twin(model, data, sample_weight))


# -- the options against scikit-learn, over a grid ---------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("tol", [0.0, 1e-4, 1e-2])
@pytest.mark.parametrize("init", ["k-means++", "random", "ndarray"])
@pytest.mark.parametrize("n_init", [1, 4])
def test_options_grid_matches_sklearn(dtype, weighted, tol, init, n_init) -> None:
    data, _ = make_blobs(n_samples=700, n_features=4, centers=6, cluster_std=2.5, random_state=5)
    data = data.astype(dtype)
    weights = np.random.RandomState(3).uniform(0.0, 3.0, size=len(data)) if weighted else None
    start = data[:6] if init == "ndarray" else init
    model = EngineKMeans(6, init=start, n_init=n_init, tol=tol, max_iter=300, random_state=11)
    _fit_both(model, data, weights)
    assert model.cluster_centers_.dtype == dtype


@pytest.mark.parametrize("max_iter", [1, 2, 5, 300])
@pytest.mark.parametrize("algorithm", [a for a in ALGORITHMS if a != "auto"])
def test_max_iter_and_algorithms_match_sklearn(max_iter, algorithm) -> None:
    data = np.random.RandomState(0).uniform(size=(1500, 3))
    _fit_both(EngineKMeans(9, max_iter=max_iter, tol=0.0, random_state=2, algorithm=algorithm), data)
