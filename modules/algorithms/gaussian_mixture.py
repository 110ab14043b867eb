"""Gaussian mixtures: scikit-learn's ``GaussianMixture`` behind the algorithm seam.

:class:`GaussianMixtureConfig` is what the Gaussian Mixture Clustering module outputs — one
configuration (Single Parameter) or a range of component counts for Sweep Clustering (Parameter
Range); :class:`GaussianMixtureModel` is a fit: the component weights, means and covariances in the
feature space after normalisation. A row's scores are its probabilities of belonging to each
component (scikit-learn's ``predict_proba``); its cluster is the most probable one (``predict``).

The fit is scikit-learn's own, one call with the given settings, so its results are scikit-learn's
to the bit. It reports no progress while it runs and is cancelled only before it starts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.errors import Cancelled, ModuleError
from modules.params import Choice
from modules.results import PROBABILITY
from modules.sweep_table import SweepMetric

__all__ = [
    "BIC",
    "AIC",
    "COVARIANCE_CHOICES",
    "INIT_CHOICES",
    "GaussianMixtureConfig",
    "GaussianMixtureModel",
]

COVARIANCE_CHOICES = (
    Choice("full", "Full"),
    Choice("tied", "Tied"),
    Choice("diag", "Diagonal"),
    Choice("spherical", "Spherical"),
)
INIT_CHOICES = (
    Choice("kmeans", "K-Means"),
    Choice("k-means++", "K-Means++"),
    Choice("random", "Random"),
)
BIC = SweepMetric("bic", "BIC", higher_is_better=False)
AIC = SweepMetric("aic", "AIC", higher_is_better=False)


def _mixture(n_components: int, covariance_type: str, **settings: Any) -> Any:
    from sklearn.mixture import GaussianMixture  # loaded on first use, not when the seam imports this

    return GaussianMixture(n_components=n_components, covariance_type=covariance_type, **settings)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def full_covariances(covariances: np.ndarray, covariance_type: str, k: int, d: int) -> np.ndarray:
    """``(k, d, d)``: every component's covariance matrix, whatever form scikit-learn stores it in."""
    if covariance_type == "full":
        return np.array(covariances, dtype=np.float64)
    if covariance_type == "tied":
        return np.repeat(np.asarray(covariances, dtype=np.float64)[None, :, :], k, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(row) for row in np.asarray(covariances, dtype=np.float64)])
    return np.asarray(covariances, dtype=np.float64)[:, None, None] * np.eye(d)[None, :, :]


@dataclass
class GaussianMixtureConfig(ClusterConfig):
    """A Gaussian mixture configuration: the parameters of ``gaussian_mixture_clustering``.

    In ``single`` mode ``n_components`` applies, in ``range`` mode ``n_components_range``.
    ``seed=None`` means: draw one at training time and record it.
    """

    algorithm: ClassVar[str] = "gaussian_mixture"
    algorithm_name: ClassVar[str] = "Gaussian Mixture"

    trainer_mode: str = "single"
    n_components: int = 3
    n_components_range: list[int] = field(default_factory=lambda: [2, 3, 4, 5, 6])
    covariance_type: str = "full"
    init_params: str = "kmeans"
    max_iter: int = 100
    tol: float = 1e-3
    reg_covar: float = 1e-6
    seed: int | None = None
    normalize: bool = True
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        """Every number of components in run-index order, all with the base seed."""
        ks = list(self.n_components_range) if self.trainer_mode == "range" else [self.n_components]
        return [Candidate(k, self.init_params, int(base_seed)) for k in ks]

    def training_candidate(self) -> Candidate:
        """The single number of components, or the first of the range (seed: the configured one)."""
        k = self.n_components_range[0] if self.trainer_mode == "range" else self.n_components
        return Candidate(k, self.init_params, self.seed)

    def own_seed(self) -> int | None:
        return self.seed

    def train_warning(self) -> str | None:
        if self.trainer_mode != "range":
            return None
        return (
            "The Gaussian Mixture model is in 'Parameter Range' mode; Train Clustering Model uses the first "
            f"value of the range: Number of components = {self.n_components_range[0]}. Use Sweep Clustering "
            "to try them all."
        )

    def sweep_warning(self) -> str | None:
        if self.trainer_mode != "single":
            return None
        return (
            "The Gaussian Mixture model is in 'Single Parameter' mode; Sweep Clustering trains that one "
            f"configuration (Number of components = {self.n_components}). Use 'Parameter Range' mode to "
            "sweep the number of components."
        )

    def fit(
        self, X: np.ndarray, candidate: Candidate, init_labels: np.ndarray | None, control: FitControl
    ) -> Fit:
        assert candidate.seed is not None
        if control.should_stop():
            raise Cancelled()
        mixture = _mixture(
            candidate.n_clusters,
            self.covariance_type,
            tol=float(self.tol),
            reg_covar=float(self.reg_covar),
            max_iter=int(self.max_iter),
            init_params=candidate.init,
            random_state=int(candidate.seed),
        )
        from sklearn.exceptions import ConvergenceWarning

        try:
            with warnings.catch_warnings():
                # not converging within max_iter is reported by the model (converged, fit_report)
                warnings.simplefilter("ignore", ConvergenceWarning)
                labels = mixture.fit_predict(X)
        except ValueError as exc:
            if "ill-defined empirical covariance" not in str(exc):
                raise
            raise ModuleError(
                "0143",
                f"The Gaussian mixture with {candidate.n_clusters} components could not be fitted: a "
                "component's covariance became singular (it holds too few distinct rows, or rows that lie "
                "on a line or plane). Raise 'Regularisation' (reg_covar), use fewer components or a "
                "simpler covariance type.",
                param="reg_covar",
            ) from None
        control.progress(1.0)
        return Fit(GaussianMixtureModel.of(mixture), np.asarray(labels, dtype=np.int64))

    def summary(self) -> dict[str, Any]:
        """The mode and the parameters that apply in it."""
        out: dict[str, Any] = {"trainer_mode": self.trainer_mode}
        if self.trainer_mode == "range":
            out.update(n_components_range=list(self.n_components_range))
        else:
            out.update(n_components=self.n_components, seed=self.seed)
        out.update(
            covariance_type=self.covariance_type,
            init_params=self.init_params,
            max_iter=self.max_iter,
            tol=self.tol,
            reg_covar=self.reg_covar,
            normalize=self.normalize,
            assign_label_mode=self.assign_label_mode,
        )
        return out


@dataclass(eq=False)
class GaussianMixtureModel(ClusterModel):
    """A Gaussian mixture fit, as scikit-learn stores it (covariances in ``covariance_type``'s form)."""

    algorithm: ClassVar[str] = "gaussian_mixture"
    score_column_prefix: ClassVar[str] = "ProbabilityOfCluster no."
    score_kind: ClassVar[str] = PROBABILITY
    extra_metrics: ClassVar[tuple[SweepMetric, ...]] = (BIC, AIC)

    covariance_type: str
    weights: np.ndarray  # (k,)
    means: np.ndarray  # (k, d)
    covariances: np.ndarray  # full (k, d, d), tied (d, d), diag (k, d), spherical (k,)
    precisions_cholesky: np.ndarray  # the same shapes
    converged: bool
    n_iter: int
    lower_bound: float
    init_params: str = "kmeans"
    max_iter: int = 100
    _mixture: Any = field(default=None, init=False, repr=False)

    @classmethod
    def of(cls, mixture: Any) -> GaussianMixtureModel:
        """The model of a fitted ``GaussianMixture``."""
        model = cls(
            covariance_type=str(mixture.covariance_type),
            weights=np.asarray(mixture.weights_, dtype=np.float64),
            means=np.asarray(mixture.means_, dtype=np.float64),
            covariances=np.asarray(mixture.covariances_, dtype=np.float64),
            precisions_cholesky=np.asarray(mixture.precisions_cholesky_, dtype=np.float64),
            converged=bool(mixture.converged_),
            n_iter=int(mixture.n_iter_),
            lower_bound=float(mixture.lower_bound_),
            init_params=str(mixture.init_params),
            max_iter=int(mixture.max_iter),
        )
        model._mixture = mixture
        return model

    @property
    def k(self) -> int:
        return int(self.weights.shape[0])

    def mixture(self) -> Any:
        """The fitted ``GaussianMixture`` (rebuilt from the arrays for a model loaded from a file)."""
        if self._mixture is None:
            mixture = _mixture(self.k, self.covariance_type)
            mixture.weights_ = self.weights
            mixture.means_ = self.means
            mixture.covariances_ = self.covariances
            mixture.precisions_cholesky_ = self.precisions_cholesky
            mixture.converged_, mixture.n_iter_, mixture.lower_bound_ = (
                self.converged,
                self.n_iter,
                self.lower_bound,
            )
            self._mixture = mixture
        return self._mixture

    def scores(self, X: np.ndarray) -> np.ndarray:
        """``(n, k)``: each row's probability of every component (``predict_proba``)."""
        return np.asarray(self.mixture().predict_proba(X), dtype=np.float64)

    def label_and_score(
        self, X: np.ndarray, out: np.ndarray | None = None, columns: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The probabilities once; the labels are their argmax (``predict``'s answer)."""
        P = self.scores(X)
        labels = np.asarray(np.argmax(P, axis=1), dtype=np.int64)
        if out is None:
            return labels, np.ascontiguousarray(P.T)
        out[:, np.arange(len(P)) if columns is None else columns] = P.T
        return labels, out

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        """The four common metrics with the component means as centres (Euclidean), then BIC and AIC
        of the training matrix (scikit-learn's ``bic`` / ``aic``)."""
        from modules.engine import cluster_metrics

        metrics = {name: float(v) for name, v in cluster_metrics(X, self.means, labels).items()}
        mixture = self.mixture()
        return {**metrics, BIC.id: float(mixture.bic(X)), AIC.id: float(mixture.aic(X))}

    def n_iterations(self) -> int:
        return self.n_iter

    def fit_report(self) -> str:
        return (
            f"covariance={self.covariance_type}: {self.n_iter} EM "
            f"iteration{'s' if self.n_iter != 1 else ''}, "
            f"{'converged' if self.converged else 'stopped at the iteration limit'}; "
            f"lower bound {self.lower_bound:.6g}"
        )

    def summary(self) -> dict[str, Any]:
        """Weights, means (also as ``centroids``), every component's full covariance matrix (the
        cluster chart draws them as ellipses), and how the fit went."""
        d = self.means.shape[1]
        full = full_covariances(self.covariances, self.covariance_type, self.k, d)
        means = [[_finite(float(v)) for v in row] for row in self.means]
        return {
            "covariance_type": self.covariance_type,
            "weights": [_finite(float(v)) for v in self.weights],
            "means": means,
            "centroids": means,
            "covariances": [[[_finite(float(v)) for v in row] for row in c] for c in full],
            "converged": self.converged,
            "n_iter": self.n_iter,
            "lower_bound": _finite(self.lower_bound),
            "init_params": self.init_params,
            "max_iter": self.max_iter,
        }

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "covariance_type": self.covariance_type,
            "converged": self.converged,
            "n_iter": self.n_iter,
            "lower_bound": self.lower_bound,
            "init_params": self.init_params,
            "max_iter": self.max_iter,
        }
        arrays = {
            "weights": self.weights,
            "means": self.means,
            "covariances": self.covariances,
            "precisions_cholesky": self.precisions_cholesky,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> GaussianMixtureModel:
        return cls(
            weights=arrays["weights"],
            means=arrays["means"],
            covariances=arrays["covariances"],
            precisions_cholesky=arrays["precisions_cholesky"],
            **meta,
        )
