"""scikit-learn's ``KMeans`` interface over :func:`modules.engine.fit_kmeans`, so that scikit-learn's own
k-means tests can run against the engine, and the scikit-learn fit each result is compared with.

The engine's random initialisations draw from NumPy's Generator, not scikit-learn's RandomState, so a
k-means++ or random start cannot be the same draw. :func:`sklearn_twin` therefore starts scikit-learn
from the adapter's own initial centroids, restart by restart, and keeps scikit-learn's best restart by
scikit-learn's rule: every iteration, label and centroid after the start can then be compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.cluster._k_means_common import _is_same_clustering

from modules.engine import assign, fit_kmeans, initial_centroids, pairwise_distances
from modules.engine._options import restart_seeds

#: scikit-learn's init names → the engine's ("random": sklearn picks k rows, the engine a random
#: partition; both are "random" initialisations the tests treat alike).
ENGINE_INIT = {"k-means++": "kmeans++", "random": "random"}


def as_float(X: Any) -> np.ndarray:
    """X as scikit-learn converts it: float32 stays float32, everything else becomes float64."""
    array = np.asarray(X)
    return array if array.dtype == np.float32 else array.astype(np.float64)


class EngineKMeans:
    """The engine behind scikit-learn's ``KMeans`` API (dense X, Euclidean, Lloyd)."""

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: int | str = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
        algorithm: str = "lloyd",
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    def get_params(self) -> dict[str, Any]:
        names = ("n_clusters", "init", "n_init", "max_iter", "tol", "random_state", "algorithm")
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> EngineKMeans:
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def clone(self) -> EngineKMeans:
        return EngineKMeans(**self.get_params())

    # -- the options as the engine takes them ------------------------------------------------------

    @property
    def seed(self) -> int:
        return 0 if self.random_state is None else int(self.random_state)

    def _start(self, X: np.ndarray) -> np.ndarray | None:
        """An explicit start (array or callable init), as float64; None for a named init."""
        if isinstance(self.init, str):
            return None
        init = (
            self.init(X, self.n_clusters, np.random.RandomState(self.seed))
            if callable(self.init)
            else self.init
        )
        return np.array(init, dtype=np.float64)  # a copy: the caller's array is never touched

    def _n_runs(self, start: np.ndarray | None) -> int:
        if start is not None:
            return 1
        if self.n_init == "auto":
            return 10 if self.init == "random" else 1
        return int(self.n_init)

    def initial_centers(self, X: Any, sample_weight: Any = None) -> list[np.ndarray]:
        """The initial centroids of every restart the fit makes (what :func:`sklearn_twin` starts from)."""
        data = as_float(X)
        start = self._start(data)
        if start is not None:
            return [start]
        return [
            initial_centroids(
                data,
                self.n_clusters,
                ENGINE_INIT[str(self.init)],
                seed=seed,
                sample_weight=sample_weight,
                dtype=data.dtype.type,
            )
            for seed in restart_seeds(self.seed, self._n_runs(None))
        ]

    # -- scikit-learn's API ------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> EngineKMeans:
        data = as_float(X)
        start = self._start(data)
        self._n_init = self._n_runs(start)
        fit = fit_kmeans(
            data,
            self.n_clusters,
            init=ENGINE_INIT[str(self.init)] if start is None else "first_n",
            seed=self.seed,
            max_iter=self.max_iter,
            tol=self.tol,
            n_init=self._n_init,
            sample_weight=sample_weight,
            dtype=data.dtype.type,
            init_centroids=start,
            algorithm=self.algorithm,
        )
        self.cluster_centers_ = fit.centroids.astype(data.dtype)
        self.labels_ = fit.labels.astype(np.int32)
        self.inertia_ = fit.inertia
        self.n_iter_ = fit.n_iter
        self.engine_fit_ = fit
        return self

    def predict(self, X: Any) -> np.ndarray:
        labels, _ = assign(as_float(X), self.cluster_centers_)
        return labels.astype(np.int32)

    def transform(self, X: Any) -> np.ndarray:
        return pairwise_distances(as_float(X), self.cluster_centers_)

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        return self.fit(X, sample_weight=sample_weight).labels_

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        _, distances = assign(as_float(X), self.cluster_centers_)
        weights = np.ones(len(distances)) if sample_weight is None else np.asarray(sample_weight, float)
        return -float(np.dot(weights, distances**2))


def sklearn_twin(model: EngineKMeans, X: Any, sample_weight: Any = None) -> KMeans:
    """scikit-learn's Lloyd with the model's options, started from the model's initial centroids
    restart by restart; the best restart kept by scikit-learn's rule (strictly lower inertia and a
    different partition)."""
    data = as_float(X)
    best: KMeans | None = None
    for start in model.initial_centers(data, sample_weight):
        fitted = KMeans(
            model.n_clusters,
            init=start.astype(data.dtype),
            n_init=1,
            max_iter=model.max_iter,
            tol=model.tol,
            algorithm="lloyd",
        ).fit(data, sample_weight=sample_weight)
        if best is None or (
            fitted.inertia_ < best.inertia_
            and not _is_same_clustering(fitted.labels_, best.labels_, model.n_clusters)
        ):
            best = fitted
    assert best is not None
    return best


def assert_same_fit(model: EngineKMeans, reference: KMeans) -> None:
    """Exact labels and iterations; centroids and inertia to the precision of the data's dtype."""
    np.testing.assert_array_equal(model.labels_, reference.labels_)
    assert model.n_iter_ == reference.n_iter_
    single = reference.cluster_centers_.dtype == np.float32
    scale = max(1.0, float(np.abs(reference.cluster_centers_).max()))
    np.testing.assert_allclose(
        model.cluster_centers_, reference.cluster_centers_, rtol=0, atol=(1e-5 if single else 1e-9) * scale
    )
    assert model.inertia_ == pytest.approx(reference.inertia_, rel=1e-5 if single else 1e-10, abs=1e-12)
