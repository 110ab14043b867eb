"""scikit-learn's k-means test suite (sklearn/cluster/tests/test_k_means.py, 1.9) run against the engine
through :class:`EngineKMeans`, wherever the option a test exercises exists in the engine.

Each ported test keeps the original's name and checks, and also compares the engine with scikit-learn
fitted on the same input from the same initial centroids (:func:`sklearn_twin`): identical labels
and iteration counts, centroids and inertia to the data's precision. ``global_random_seed`` becomes
the ``seed`` parameter. Tests of options the engine does not have are listed at the end, each with its reason.
The options over a grid (tol × n_init × weights × float32 × init) are in ``test_fit_options.py``.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances_argmin
from sklearn.metrics.cluster import v_measure_score
from sklearn.metrics.pairwise import euclidean_distances

from modules.engine import fit_kmeans, initial_centroids, pairwise_distances
from modules.engine._mstep import relocate_empty_clusters
from modules.engine._options import same_clustering
from modules.engine.kmeans import ALGORITHMS
from modules.errors import ModuleError
from tests.engine.kmeans_adapter import EngineKMeans, assert_same_fit, sklearn_twin

SEEDS = [0, 1, 42]
LLOYD_VARIANTS = [a for a in ALGORITHMS if a != "auto"]

# scikit-learn's module-level data: non-centred, sparse centres.
centers = np.array([[0.0, 5.0, 0.0, 0.0, 0.0], [1.0, 1.0, 4.0, 0.0, 0.0], [1.0, 0.0, 0.0, 5.0, 1.0]])
n_samples = 100
n_clusters, n_features = centers.shape
X, true_labels = make_blobs(n_samples=n_samples, centers=centers, cluster_std=1.0, random_state=42)


def fit_both(model: EngineKMeans, data: np.ndarray, sample_weight: np.ndarray | None = None) -> EngineKMeans:
    """Fit the adapter and check it against scikit-learn from the same start."""
    model.fit(data, sample_weight=sample_weight)
    assert_same_fit(model, sklearn_twin(model, data, sample_weight))
    return model


def _check_fitted_model(km: EngineKMeans) -> None:
    assert km.cluster_centers_.shape == (n_clusters, n_features)
    assert np.unique(km.labels_).shape[0] == n_clusters
    np.testing.assert_allclose(v_measure_score(true_labels, km.labels_), 1.0)
    assert km.inertia_ > 0.0


# -- ported tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("algo", LLOYD_VARIANTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kmeans_results(algo, dtype) -> None:
    data = np.array([[0, 0], [0.5, 0], [0.5, 1], [1, 1]], dtype=dtype)
    sample_weight = np.array([3.0, 1, 1, 3])
    init_centers = np.array([[0, 0], [1, 1]], dtype=dtype)
    kmeans = fit_both(EngineKMeans(2, n_init=1, init=init_centers, algorithm=algo), data, sample_weight)
    np.testing.assert_array_equal(kmeans.labels_, [0, 0, 1, 1])
    np.testing.assert_allclose(kmeans.inertia_, 0.375)
    np.testing.assert_allclose(kmeans.cluster_centers_, np.array([[0.125, 0], [0.875, 1]], dtype=dtype))
    assert kmeans.n_iter_ == 2


@pytest.mark.parametrize("algo", LLOYD_VARIANTS)
def test_kmeans_relocated_clusters(algo) -> None:
    data = np.array([[0, 0], [0.5, 0], [0.5, 1], [1, 1]])
    init_centers = np.array([[0.5, 0.5], [3, 3]])  # the second centre is empty after the first pass
    kmeans = EngineKMeans(2, n_init=1, init=init_centers, algorithm=algo).fit(data)
    np.testing.assert_allclose(kmeans.inertia_, 0.25)
    assert kmeans.n_iter_ == 3
    # Every row ties as the farthest: the original accepts either relocation, and so does the
    # comparison with scikit-learn (the same partition, centroids up to the labels' permutation).
    reference = sklearn_twin(kmeans, data)
    assert same_clustering(kmeans.labels_, reference.labels_, 2) and kmeans.n_iter_ == reference.n_iter_
    if kmeans.labels_[0] == 0:
        np.testing.assert_array_equal(kmeans.labels_, [0, 0, 1, 1])
        np.testing.assert_allclose(kmeans.cluster_centers_, [[0.25, 0], [0.75, 1]])
    else:
        np.testing.assert_array_equal(kmeans.labels_, [1, 1, 0, 0])
        np.testing.assert_allclose(kmeans.cluster_centers_, [[0.75, 1.0], [0.25, 0.0]])


def test_relocate_empty_clusters() -> None:
    data = np.array([-10.0, -9.5, -9, -8.5, -8, -1, 1, 9, 9.5, 10]).reshape(-1, 1)
    centers_old = np.array([-10.0, -10, -10]).reshape(-1, 1)
    sums = np.array([-16.5, 0.0, 0.0]).reshape(-1, 1)  # weighted sums, as scikit-learn's centers_new
    weight_in_clusters = np.array([10.0, 0, 0])
    labels = np.zeros(10, dtype=np.int64)
    relocate_empty_clusters(
        data, np.zeros(1), centers_old, labels, sums, weight_in_clusters, False, np.ones(10)
    )
    np.testing.assert_array_equal(weight_in_clusters, [8, 1, 1])
    np.testing.assert_allclose(sums, [[-36], [10], [9.5]])


@pytest.mark.parametrize("distribution", ["normal", "blobs"])
@pytest.mark.parametrize("tol", [1e-2, 1e-8, 1e-100, 0])
@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_elkan_results(distribution, tol, seed) -> None:
    # The original compares elkan with lloyd; here every assignment algorithm of the engine, and
    # each with scikit-learn's lloyd.
    rnd = np.random.RandomState(seed)
    data = rnd.normal(size=(5000, 10)) if distribution == "normal" else make_blobs(random_state=rnd)[0]
    data[data < 0] = 0
    fits = [
        fit_both(EngineKMeans(5, random_state=seed, n_init=1, tol=tol, algorithm=algo), data)
        for algo in LLOYD_VARIANTS
    ]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.cluster_centers_, fits[0].cluster_centers_)
        np.testing.assert_array_equal(other.labels_, fits[0].labels_)
        assert other.n_iter_ == fits[0].n_iter_


@pytest.mark.parametrize("algorithm", LLOYD_VARIANTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_convergence(algorithm, seed) -> None:
    data = np.random.RandomState(seed).normal(size=(5000, 10))
    km = fit_both(
        EngineKMeans(5, algorithm=algorithm, random_state=seed, n_init=1, tol=0, max_iter=300), data
    )
    assert km.n_iter_ < 300


@pytest.mark.parametrize(
    "init",
    ["random", "k-means++", centers.copy(), lambda X, k, random_state: centers.copy()],
    ids=["random", "k-means++", "ndarray", "callable"],
)
def test_all_init(init) -> None:
    n_init = 10 if isinstance(init, str) else 1
    _check_fitted_model(fit_both(EngineKMeans(n_clusters, init=init, random_state=42, n_init=n_init), X))


@pytest.mark.parametrize("init, expected_n_init", [("k-means++", 1), ("random", 10), ("array-like", 1)])
def test_kmeans_init_auto_with_initial_centroids(init, expected_n_init) -> None:
    # Not the callable case: scikit-learn calls it once per restart; the engine takes one explicit start.
    data = np.random.randn(100, 10)
    if init == "array-like":
        init = np.random.randn(5, 10)
    kmeans = EngineKMeans(5, init=init, n_init="auto").fit(data)
    assert kmeans._n_init == expected_n_init


@pytest.mark.parametrize("seed", SEEDS)
def test_fortran_aligned_data(seed) -> None:
    km_c = fit_both(EngineKMeans(n_clusters, init=centers, n_init=1, random_state=seed), X)
    km_f = EngineKMeans(n_clusters, init=np.asfortranarray(centers), n_init=1, random_state=seed)
    km_f.fit(np.asfortranarray(X))
    np.testing.assert_array_equal(km_c.cluster_centers_, km_f.cluster_centers_)
    np.testing.assert_array_equal(km_c.labels_, km_f.labels_)


def test_kmeans_copyx() -> None:
    # The engine never writes to X (there is no copy_x=False): X is unchanged after a fit.
    my_X = X.copy()
    _check_fitted_model(fit_both(EngineKMeans(n_clusters, random_state=42, n_init=3), my_X))
    np.testing.assert_array_equal(my_X, X)


@pytest.mark.parametrize("seed", SEEDS)
def test_score_max_iter(seed) -> None:
    data = np.random.RandomState(seed).randn(100, 10)
    s1 = fit_both(EngineKMeans(n_init=1, random_state=seed, max_iter=1), data).score(data)
    s2 = fit_both(EngineKMeans(n_init=1, random_state=seed, max_iter=10), data).score(data)
    assert s2 > s1


@pytest.mark.parametrize("algorithm", LLOYD_VARIANTS)
@pytest.mark.parametrize("max_iter", [2, 100])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_predict(algorithm, max_iter, dtype, seed) -> None:
    data = make_blobs(n_samples=200, n_features=10, centers=10, random_state=seed)[0].astype(dtype)
    km = EngineKMeans(10, init="random", n_init=10, max_iter=max_iter, random_state=seed, algorithm=algorithm)
    labels = fit_both(km, data).labels_
    np.testing.assert_array_equal(km.predict(data), labels)
    np.testing.assert_array_equal(km.fit_predict(data), labels)
    np.testing.assert_array_equal(km.predict(km.cluster_centers_), np.arange(10))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("init", ["k-means++", "ndarray"])
@pytest.mark.parametrize("seed", SEEDS)
def test_integer_input(dtype, init, seed) -> None:
    X_dense = np.array([[0, 0], [10, 10], [12, 9], [-1, 1], [2, 0], [8, 10]])
    n_init = 1 if init == "ndarray" else 10
    start = X_dense[:2] if init == "ndarray" else init
    km = fit_both(EngineKMeans(2, init=start, n_init=n_init, random_state=seed), X_dense.astype(dtype))
    assert km.cluster_centers_.dtype == np.float64
    np.testing.assert_allclose(v_measure_score(km.labels_, [0, 1, 1, 0, 0, 1]), 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_transform(seed) -> None:
    km = fit_both(EngineKMeans(n_clusters, random_state=seed), X)
    Xt = km.transform(km.cluster_centers_)
    # scikit-learn zeroes the diagonal when it sees the same array twice; the engine computes it
    # (||x||^2 - 2 x.c + ||c||^2, as scikit-learn does otherwise): zero to rounding.
    np.testing.assert_allclose(Xt, euclidean_distances(km.cluster_centers_), atol=1e-6)
    np.testing.assert_allclose(Xt.diagonal(), np.zeros(n_clusters), atol=1e-6)
    np.testing.assert_allclose(km.transform(X), euclidean_distances(X, km.cluster_centers_))


@pytest.mark.parametrize("seed", SEEDS)
def test_fit_transform(seed) -> None:
    X1 = EngineKMeans(random_state=seed, n_init=1).fit(X).transform(X)
    X2 = EngineKMeans(random_state=seed, n_init=1).fit_transform(X)
    np.testing.assert_allclose(X1, X2)


@pytest.mark.parametrize("seed", SEEDS)
def test_n_init(seed) -> None:
    previous_inertia = np.inf
    for n_init in [1, 5, 10]:
        km = EngineKMeans(n_clusters, init="random", n_init=n_init, random_state=seed, max_iter=1)
        fit_both(km, X)
        assert km.inertia_ <= previous_inertia
        previous_inertia = km.inertia_


@pytest.mark.parametrize("seed", SEEDS)
def test_k_means_function(seed) -> None:
    # n_init=3: the engine draws other k-means++ starts than scikit-learn, and one of the seeds'
    # single starts ends in a local minimum of these three blobs.
    fit = fit_kmeans(X, n_clusters, seed=seed, tol=1e-4, max_iter=300, n_init=3)
    assert fit.centroids.shape == (n_clusters, n_features)
    assert np.unique(fit.labels).shape[0] == n_clusters
    np.testing.assert_allclose(v_measure_score(true_labels, fit.labels), 1.0)
    assert fit.inertia > 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_float_precision(seed) -> None:
    inertia, Xt, centres, labels = {}, {}, {}, {}
    for dtype in [np.float64, np.float32]:
        km = fit_both(EngineKMeans(n_init=1, random_state=seed), X.astype(dtype))
        inertia[dtype], Xt[dtype] = km.inertia_, km.transform(X.astype(dtype))
        centres[dtype], labels[dtype] = km.cluster_centers_, km.labels_
        assert km.cluster_centers_.dtype == dtype
    rtol = 1e-4
    np.testing.assert_allclose(inertia[np.float32], inertia[np.float64], rtol=rtol)
    np.testing.assert_allclose(Xt[np.float32], Xt[np.float64], atol=Xt[np.float64].max() * rtol)
    np.testing.assert_allclose(
        centres[np.float32], centres[np.float64], atol=centres[np.float64].max() * rtol
    )
    np.testing.assert_array_equal(labels[np.float32], labels[np.float64])


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_centers_not_mutated(dtype) -> None:
    centers_new_type = centers.astype(dtype)
    before = centers_new_type.copy()
    km = fit_both(EngineKMeans(n_clusters, init=centers_new_type, n_init=1), X.astype(dtype))
    assert not np.may_share_memory(km.cluster_centers_, centers_new_type)
    np.testing.assert_array_equal(centers_new_type, before)


def test_kmeans_init_fitted_centers() -> None:
    km1 = fit_both(EngineKMeans(n_clusters), X)
    km2 = fit_both(EngineKMeans(n_clusters, init=km1.cluster_centers_, n_init=1), X)
    np.testing.assert_allclose(km1.cluster_centers_, km2.cluster_centers_)
    assert km2.n_iter_ == 1


def test_kmeans_warns_less_centers_than_unique_points() -> None:
    # Where scikit-learn warns and fits fewer clusters, the engine refuses a generated start: 0021.
    data = np.asarray([[0, 0], [0, 1], [1, 0], [1, 0]], dtype=float)
    with pytest.raises(ModuleError, match=r"at least 4 distinct rows.* only 3 distinct rows"):
        EngineKMeans(4, random_state=0).fit(data)


def _sort_centers(c: np.ndarray) -> np.ndarray:
    return np.sort(c, axis=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_weighted_vs_repeated(seed) -> None:
    sample_weight = np.random.RandomState(seed).randint(1, 5, size=n_samples)
    X_repeat = np.repeat(X, sample_weight, axis=0)
    km_weighted = fit_both(EngineKMeans(n_clusters, init=centers, n_init=1), X, sample_weight.astype(float))
    km_repeated = fit_both(EngineKMeans(n_clusters, init=centers, n_init=1), X_repeat)
    np.testing.assert_array_equal(km_repeated.labels_, np.repeat(km_weighted.labels_, sample_weight))
    np.testing.assert_allclose(km_weighted.inertia_, km_repeated.inertia_)
    np.testing.assert_allclose(
        _sort_centers(km_weighted.cluster_centers_), _sort_centers(km_repeated.cluster_centers_)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_unit_weights_vs_no_weights(seed) -> None:
    km_none = fit_both(EngineKMeans(n_clusters, random_state=seed, n_init=1), X)
    km_ones = fit_both(EngineKMeans(n_clusters, random_state=seed, n_init=1), X, np.ones(n_samples))
    np.testing.assert_array_equal(km_none.labels_, km_ones.labels_)
    np.testing.assert_allclose(km_none.cluster_centers_, km_ones.cluster_centers_)


@pytest.mark.parametrize("seed", SEEDS)
def test_scaled_weights(seed) -> None:
    sample_weight = np.random.RandomState(seed).uniform(size=n_samples)
    km_orig = fit_both(EngineKMeans(n_clusters, random_state=seed, n_init=1), X, sample_weight)
    km_scaled = fit_both(EngineKMeans(n_clusters, random_state=seed, n_init=1), X, 0.5 * sample_weight)
    np.testing.assert_array_equal(km_orig.labels_, km_scaled.labels_)
    np.testing.assert_allclose(km_orig.cluster_centers_, km_scaled.cluster_centers_)


@pytest.mark.parametrize("algorithm", LLOYD_VARIANTS)
def test_kmeans_elkan_iter_attribute(algorithm) -> None:
    assert fit_both(EngineKMeans(algorithm=algorithm, max_iter=1), X).n_iter_ == 1


def test_kmeans_empty_cluster_relocated() -> None:
    data = np.array([[-1.0], [1.0]])
    km = fit_both(EngineKMeans(2, init=np.array([[-1], [10]]), n_init=1), data, np.array([1.9, 0.1]))
    assert len(set(km.labels_)) == 2
    np.testing.assert_allclose(km.cluster_centers_, [[-1], [1]])


@pytest.mark.parametrize("seed", SEEDS)
def test_result_equal_in_diff_n_threads(seed) -> None:
    data = np.random.RandomState(seed).normal(size=(50, 10))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        result_1 = EngineKMeans(n_clusters, random_state=seed).fit(data).labels_
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        result_2 = EngineKMeans(n_clusters, random_state=seed).fit(data).labels_
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(result_1, result_2)


@pytest.mark.parametrize("algo", LLOYD_VARIANTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_k_means_1_iteration(algo, seed) -> None:
    data = np.random.RandomState(seed).uniform(size=(100, 5))
    init_centers = data[:5]
    py_labels = pairwise_distances_argmin(data, init_centers)
    py_centers = np.array([data[py_labels == label].mean(axis=0) for label in range(5)])
    py_labels = pairwise_distances_argmin(data, py_centers)
    km = fit_both(EngineKMeans(5, n_init=1, init=init_centers, algorithm=algo, max_iter=1), data)
    np.testing.assert_array_equal(py_labels, km.labels_)
    np.testing.assert_allclose(py_centers, km.cluster_centers_)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", SEEDS)
def test_euclidean_distance(dtype, seed) -> None:
    # The original tests scikit-learn's private dense/sparse helpers; here the engine's distances.
    rng = np.random.RandomState(seed)
    a = np.where(rng.uniform(size=100) < 0.5, rng.randn(100), 0.0).astype(dtype)
    b = rng.randn(100).astype(dtype)
    expected = np.sqrt(((a.astype(float) - b) ** 2).sum())
    rtol = 1e-4 if dtype == np.float32 else 1e-7
    np.testing.assert_allclose(pairwise_distances(a[None, :], b[None, :])[0, 0], expected, rtol=rtol)


def test_n_init_auto() -> None:
    assert EngineKMeans(n_init="auto", init="k-means++").fit(X)._n_init == 1
    assert EngineKMeans(n_init="auto", init="random").fit(X)._n_init == 10


def test_sample_weight_unchanged() -> None:
    data = np.array([[1.0], [2], [4]])
    sample_weight = np.array([0.5, 0.2, 0.3])
    fit_both(EngineKMeans(2, random_state=0), data, sample_weight)
    np.testing.assert_array_equal(sample_weight, np.array([0.5, 0.2, 0.3]))


@pytest.mark.parametrize(
    "param, error, match",
    [
        ({"n_clusters": n_samples + 1}, ModuleError, r"needs at least 101 distinct rows"),
        ({"init": X[:2]}, ValueError, r"init_centroids has 2 rows but n_clusters=3"),
        ({"init": lambda X_, k, random_state: X_[:2]}, ValueError, r"init_centroids has 2 rows"),
        ({"init": X[:3, :2]}, ValueError, r"centroids have 2 features but the data has 5"),
        ({"init": lambda X_, k, random_state: X_[:3, :2]}, ValueError, r"2 features but the data has 5"),
    ],
)
def test_wrong_params(param, error, match) -> None:
    # Same checks; the engine's own exceptions and messages.
    with pytest.raises(error, match=match):
        EngineKMeans(n_clusters, n_init=1).set_params(**param).fit(X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("init", ["kmeans++", "kmeans++_fast"])
@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_plusplus_output(dtype, init, seed) -> None:
    data = X.astype(dtype)
    centres = initial_centroids(data, n_clusters, init, seed=seed, dtype=dtype)
    assert centres.shape == (n_clusters, n_features)
    assert (centres.max(axis=0) <= data.max(axis=0)).all()
    assert (centres.min(axis=0) >= data.min(axis=0)).all()
    # Every centre is a row of the data (the original checks the returned indices).
    assert all((data == centre.astype(dtype)).all(axis=1).any() for centre in centres)


@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_plusplus_dataorder(seed) -> None:
    centers_c = initial_centroids(X, n_clusters, "kmeans++", seed=seed)
    centers_fortran = initial_centroids(np.asfortranarray(X), n_clusters, "kmeans++", seed=seed)
    np.testing.assert_array_equal(centers_c, centers_fortran)


def test_is_same_clustering() -> None:
    labels1 = np.array([1, 0, 0, 1, 2, 0, 2, 1], dtype=np.int64)
    assert same_clustering(labels1, labels1, 3)
    labels2 = np.array([0, 2, 2, 0, 1, 2, 1, 0], dtype=np.int64)
    assert same_clustering(labels1, labels2, 3)
    labels3 = np.array([1, 0, 0, 2, 2, 0, 2, 1], dtype=np.int64)
    assert not same_clustering(labels1, labels3, 3)


@pytest.mark.parametrize("kwargs", ({"init": np.str_("k-means++")}, {"init": [[0, 0], [1, 1]], "n_init": 1}))
def test_kmeans_with_array_like_or_np_scalar_init(kwargs) -> None:
    data = np.asarray([[0, 0], [0.5, 0], [0.5, 1], [1, 1]], dtype=np.float64)
    fit_both(EngineKMeans(2, **kwargs), data)


def test_predict_does_not_change_cluster_centers() -> None:
    data, _ = make_blobs(n_samples=200, n_features=10, centers=10, random_state=0)
    kmeans = EngineKMeans()
    y_pred1 = kmeans.fit_predict(data)
    kmeans.cluster_centers_.setflags(write=False)  # read-only, as the original's memmap
    y_pred2 = kmeans.predict(data)
    np.testing.assert_array_equal(y_pred1, y_pred2)


@pytest.mark.parametrize("init", ["kmeans++", "random", "kmeans++_fast"])
@pytest.mark.parametrize("seed", SEEDS)
def test_sample_weight_init(init, seed) -> None:
    rng = np.random.RandomState(seed)
    data, _ = make_blobs(n_samples=200, n_features=10, centers=10, random_state=seed)
    weighted = initial_centroids(data, 5, init, seed=seed, sample_weight=rng.uniform(size=200))
    unit = initial_centroids(data, 5, init, seed=seed, sample_weight=np.ones(200))
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(weighted, unit)


@pytest.mark.parametrize("init", ["kmeans++", "random", "kmeans++_fast"])
@pytest.mark.parametrize("seed", SEEDS)
def test_sample_weight_zero(init, seed) -> None:
    rng = np.random.RandomState(seed)
    data, _ = make_blobs(n_samples=100, n_features=5, centers=5, random_state=seed)
    sample_weight = rng.uniform(size=100)
    sample_weight[::2] = 0
    clusters_weighted = initial_centroids(data, 10, init, seed=seed, sample_weight=sample_weight)
    d = euclidean_distances(data[::2], clusters_weighted)
    assert not np.any(np.isclose(d, 0))


@pytest.mark.parametrize("algorithm", LLOYD_VARIANTS)
def test_relocating_with_duplicates(algorithm) -> None:
    # scikit-learn also warns (4 distinct clusters of 5); the engine fits the same, silently.
    data = np.array([[0, 0], [1, 1], [1, 1], [1, 0], [0, 1]], dtype=float)
    km = fit_both(EngineKMeans(5, init=data, algorithm=algorithm), data)
    assert km.n_iter_ == 1


# -- not ported: the option does not exist in the engine ------------------------------------------

MINIBATCH_TESTS = [
    "test_minibatch_update_consistency",
    "test_minibatch_kmeans_partial_fit_init",
    "test_minibatch_kmeans_verbose",
    "test_minibatch_kmeans_warning_init_size",
    "test_minibatch_sensible_reassign",
    "test_minibatch_reassign",
    "test_minibatch_with_many_reassignments",
    "test_minibatch_kmeans_init_size",
    "test_minibatch_declared_convergence",
    "test_minibatch_iter_steps",
]
NOT_PORTED = {
    **dict.fromkeys(MINIBATCH_TESTS, "MiniBatchKMeans"),
    **dict.fromkeys(["test_dense_sparse", "test_predict_dense_sparse"], "sparse input"),
    "test_kmeans_verbose": "no verbose option (the studio logs the fit report instead)",
    "test_warning_n_init_precomputed_centers": "no warnings: an explicit start documents one run",
    "test_warning_elkan_1_cluster": "Elkan-specific warning",
    "test_inertia": "scikit-learn's private Cython helpers with negative weights (the engine refuses them)",
    **dict.fromkeys(
        ["test_kmeans_plusplus_wrong_params", "test_kmeans_plusplus_norms"], "no x_squared_norms"
    ),
    "test_feature_names_out": "scikit-learn estimator API (get_feature_names_out), not an engine option",
}


def test_every_scikit_learn_kmeans_test_is_ported_or_listed() -> None:
    """scikit-learn's installed test_k_means.py: each of its tests has a namesake here or a reason in
    NOT_PORTED, so a new scikit-learn test (or a stale entry) shows up instead of passing unseen."""
    import sklearn.cluster.tests.test_k_means as theirs

    their_tests = {name for name in vars(theirs) if name.startswith("test_")}
    our_tests = {name for name in globals() if name.startswith("test_")}
    assert their_tests - our_tests == set(NOT_PORTED)
