"""K-Means: the studio's own engine (:mod:`modules.engine`) behind the algorithm seam.

:class:`KMeansConfig` is what the K-Means Clustering module outputs — one configuration (Single
Parameter) or ranges for Sweep Clustering (Parameter Range); :class:`KMeansModel` is a fit: the
centroids, in the feature space after normalisation.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from modules.algorithms.base import (
    Candidate,
    CentreModel,
    ClusterConfig,
    ClusterModel,
    Fit,
    FitControl,
    derive_seeds,
    input_positions,
)
from modules.errors import ModuleError
from modules.params import Choice

if TYPE_CHECKING:
    from modules.engine.kmeans import RowScores

__all__ = ["INIT_CHOICES", "METRIC_CHOICES", "KMeansConfig", "KMeansModel", "check_cosine_rows"]

INIT_CHOICES = (
    Choice("first_n", "First N"),
    Choice("random", "Random"),
    Choice("kmeans++", "K-Means++"),
    Choice("kmeans++_fast", "K-Means++ Fast (k-means||)"),
    Choice("evenly", "Evenly"),
    Choice("label_column", "Use label column"),
)
METRIC_CHOICES = (Choice("euclidean", "Euclidean"), Choice("cosine", "Cosine"))
LABEL_INIT = "label_column"


def _engine() -> Any:
    import modules.engine as engine  # the compiled kernels load on first use, not on import

    return engine


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def check_cosine_rows(X: np.ndarray, rows: np.ndarray | None, metric: str) -> None:
    """0018 for an all-zero feature row under the cosine metric (its direction is undefined)."""
    if metric != "cosine" or X.shape[0] == 0:
        return
    zero = ~np.any(X != 0.0, axis=1)
    if zero.any():
        bad = input_positions(rows, np.flatnonzero(zero))
        shown = ", ".join(str(int(r) + 1) for r in bad[:5]) + (" …" if len(bad) > 5 else "")
        raise ModuleError(
            "0018",
            f"The cosine metric needs non-zero feature rows; {len(bad)} row{'s' if len(bad) > 1 else ''} "
            f"(row {shown}) {'are' if len(bad) > 1 else 'is'} all zeros after normalisation.",
        )


@dataclass
class KMeansConfig(ClusterConfig):
    """A K-Means configuration: the parameters of ``kmeans_clustering``.

    In ``single`` mode ``n_clusters``, ``init`` and ``seed`` apply; in ``range`` mode
    ``n_clusters_range``, ``init_sweep`` and ``n_seeds``. ``seed=None`` means: draw one at training
    time and record it.
    """

    algorithm: ClassVar[str] = "kmeans"
    algorithm_name: ClassVar[str] = "K-Means"
    fit_options: ClassVar[frozenset[str]] = frozenset({"sample_weight", "start"})

    trainer_mode: str = "single"
    n_clusters: int = 2
    n_clusters_range: list[int] = field(default_factory=lambda: [2, 3, 4, 5])
    init: str = "kmeans++"
    init_sweep: list[str] = field(default_factory=lambda: ["kmeans++"])
    seed: int | None = None
    n_seeds: int = 1
    metric: str = "euclidean"
    normalize: bool = True
    iterations: int = 100
    assign_label_mode: str = "ignore"
    tol: float = 0.0
    n_init: int = 1
    float32: bool = False

    @classmethod
    def warm_up(cls) -> None:
        X = np.arange(20, dtype=float).reshape(10, 2)
        _engine().fit_kmeans(X, 2, init="first_n", seed=0, max_iter=2)

    def candidates(self, base_seed: int) -> list[Candidate]:
        """Every ``(k, init, seed)`` in run-index order: k, then initialisation, then seed.

        A single-mode configuration gives its one k and initialisation with the base seed.
        """
        if self.trainer_mode == "range":
            ks, inits, n_seeds = list(self.n_clusters_range), list(self.init_sweep), int(self.n_seeds)
        else:
            ks, inits, n_seeds = [self.n_clusters], [self.init], 1
        return [
            Candidate(k, init, seed, uses_labels=init == LABEL_INIT)
            for k, init, seed in itertools.product(ks, inits, derive_seeds(base_seed, n_seeds))
        ]

    def training_candidate(self) -> Candidate:
        """The single values, or the first of each list in range mode (seed: the configured one)."""
        if self.trainer_mode == "range":
            k, init = self.n_clusters_range[0], self.init_sweep[0]
        else:
            k, init = self.n_clusters, self.init
        return Candidate(k, init, self.seed, uses_labels=init == LABEL_INIT)

    def own_seed(self) -> int | None:
        return self.seed

    def uses_label_column(self) -> bool:
        inits = self.init_sweep if self.trainer_mode == "range" else [self.init]
        return LABEL_INIT in inits

    def train_warning(self) -> str | None:
        if self.trainer_mode != "range":
            return None
        first = self.training_candidate()
        return (
            "The K-Means model is in 'Parameter Range' mode; Train Clustering Model uses the first value of "
            f"each list: Number of Centroids = {first.n_clusters}, Initialization = {first.init}"
            + (", seed drawn at random" if self.seed is None else f", seed = {self.seed}")
            + ". Use Sweep Clustering to try them all."
        )

    def partitioned_refusal(self) -> str | None:
        """The partitioned fit (:func:`modules.engine.distributed.fit_kmeans_partitioned`) is Euclidean,
        one start, float64, from First N, Random or k-means|| centres."""
        from modules.engine.distributed import accepts_partitioned_init

        init = self.training_candidate().init
        if not accepts_partitioned_init(init):
            names = {c.value: c.label for c in INIT_CHOICES}
            return (
                f"K-Means with Initialization {names.get(init, init)!r} cannot be trained part by part; "
                "choose First N, Random or K-Means++ Fast (k-means||)."
            )
        if self.metric != "euclidean":
            return "K-Means with the Cosine metric cannot be trained part by part; choose Euclidean."
        if self.n_init > 1:
            return (
                "K-Means with more than one restart cannot be trained part by part; set Number of "
                "restarts to 1."
            )
        if self.float32:
            return "K-Means with 32-bit floats cannot be trained part by part; turn off Use 32-bit floats."
        return None

    def _model(self, candidate: Candidate, fit: Any, **extra: Any) -> KMeansModel:
        """The model of an engine fit (in memory or partitioned) of this configuration."""
        return KMeansModel(
            centroids=np.ascontiguousarray(fit.centroids, dtype=np.float64),
            metric=self.metric,
            init=candidate.init,
            max_iterations=int(self.iterations),
            iterations_run=int(fit.n_iter),
            converged=bool(fit.converged),
            inertia=float(fit.inertia),
            **extra,
        )

    def fit_partitioned(
        self,
        X: Any,
        candidate: Candidate,
        control: FitControl,
        *,
        client: Any,
        start: np.ndarray | None = None,
    ) -> ClusterModel:
        """:func:`modules.engine.distributed.fit_kmeans_partitioned`: Lloyd passes of one task per partition,
        the initialisation distributed too; with First N the in-memory fit's result."""
        from modules.engine.distributed import fit_kmeans_partitioned

        assert candidate.seed is not None
        fit = fit_kmeans_partitioned(
            X,
            candidate.n_clusters,
            init=candidate.init,
            max_iter=int(self.iterations),
            tol=float(self.tol),
            seed=int(candidate.seed),
            client=client,
            init_centroids=start,
            progress=control.progress,
            should_stop=control.should_stop,
        )
        return self._model(candidate, fit)

    def sweep_warning(self) -> str | None:
        if self.trainer_mode != "single":
            return None
        return (
            "The K-Means model is in 'Single Parameter' mode; Sweep Clustering sweeps that one configuration "
            f"(Number of Centroids = {self.n_clusters}, Initialization = {self.init}) over the seeds. "
            "Use 'Parameter Range' mode to sweep ranges."
        )

    def check_matrix(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_cosine_rows(X, rows, self.metric)

    def fit(
        self,
        X: np.ndarray,
        candidate: Candidate,
        init_labels: np.ndarray | None,
        control: FitControl,
        *,
        sample_weight: np.ndarray | None = None,
        start: np.ndarray | None = None,
    ) -> Fit:
        return self._fit(X, candidate, init_labels, control, sample_weight=sample_weight, start=start)

    def fit_and_score(
        self,
        X: np.ndarray,
        candidate: Candidate,
        init_labels: np.ndarray | None,
        control: FitControl,
        *,
        rows: np.ndarray | None,
        out: np.ndarray | None = None,
        columns: np.ndarray | None = None,
        **options: Any,
    ) -> tuple[Fit, np.ndarray, np.ndarray]:
        """The fit scores its rows in its final E-step (:class:`modules.engine.kmeans.RowScores`): the
        same scores as the model's :meth:`KMeansModel.label_and_score`, one pass over X fewer."""
        from modules.engine.kmeans import RowScores

        check_cosine_rows(X, rows, self.metric)  # the model's check_rows, which needs no centroids
        # The trainer needs the scored labels only (the fit's differ from them at most at near-ties).
        target = RowScores(out=out, columns=columns, keep_fit_labels=False)
        fit = self._fit(X, candidate, init_labels, control, score=target, **options)
        assert target.labels is not None and target.out is not None
        return fit, target.labels, target.out

    def _fit(
        self,
        X: np.ndarray,
        candidate: Candidate,
        init_labels: np.ndarray | None,
        control: FitControl,
        *,
        sample_weight: np.ndarray | None = None,
        start: np.ndarray | None = None,
        score: RowScores | None = None,
    ) -> Fit:
        assert candidate.seed is not None
        fit = _engine().fit_kmeans(
            X,
            candidate.n_clusters,
            init=candidate.init,
            metric=self.metric,
            seed=candidate.seed,
            max_iter=self.iterations,
            init_labels=init_labels if start is None else None,
            progress=control.progress,
            should_stop=control.should_stop,
            tol=float(self.tol),
            n_init=int(self.n_init),
            sample_weight=sample_weight,
            dtype=np.float32 if self.float32 else np.float64,
            init_centroids=start,
            score=score,
        )
        model = self._model(
            candidate, fit, acceleration=str(fit.algorithm), skipped_fraction=float(fit.skipped_fraction)
        )
        return Fit(model, np.asarray(fit.labels, dtype=np.int64))

    def summary(self) -> dict[str, Any]:
        """The type's mode and the parameters that apply in it."""
        out: dict[str, Any] = {"trainer_mode": self.trainer_mode}
        if self.trainer_mode == "range":
            out.update(
                n_clusters_range=list(self.n_clusters_range),
                init_sweep=list(self.init_sweep),
                n_seeds=self.n_seeds,
            )
        else:
            out.update(n_clusters=self.n_clusters, init=self.init, seed=self.seed)
        out.update(
            metric=self.metric,
            normalize=self.normalize,
            iterations=self.iterations,
            tol=self.tol,
            n_init=self.n_init,
            float32=self.float32,
            assign_label_mode=self.assign_label_mode,
        )
        return out


@dataclass(eq=False)
class KMeansModel(ClusterModel):
    """A K-Means fit: centroids in the model's feature space (after normalisation)."""

    algorithm: ClassVar[str] = "kmeans"
    score_column_prefix: ClassVar[str] = "DistancesToClusterCenter no."

    centroids: np.ndarray
    metric: str
    init: str
    max_iterations: int
    iterations_run: int
    converged: bool
    inertia: float
    # The engine's assignment pass ("lloyd": plain; "hamerly" or "yinyang": with bounds) and the share of the
    # row-centroid distances it did not compute. Defaults: models saved before they were recorded.
    acceleration: str = "lloyd"
    skipped_fraction: float = 0.0

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])

    def check_rows(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_cosine_rows(X, rows, self.metric)

    def scores(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(
            _engine().pairwise_distances(X, self.centroids, metric=self.metric), dtype=np.float64
        )

    def assign(self, X: np.ndarray) -> np.ndarray:
        labels, _ = _engine().assign(X, self.centroids, metric=self.metric)
        return np.asarray(labels, dtype=np.int64)

    def label_and_score(
        self, X: np.ndarray, out: np.ndarray | None = None, columns: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        from modules.engine.distances import nearest_and_distances  # compiled: loaded on first use

        return nearest_and_distances(X, self.centroids, metric=self.metric, out=out, columns=columns)

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        metrics = _engine().cluster_metrics(X, self.centroids, labels, metric=self.metric)
        return {name: float(value) for name, value in metrics.items()}

    def centres_for_export(self) -> CentreModel:
        return CentreModel(np.array(self.centroids, dtype=np.float64), self.metric)

    def n_iterations(self) -> int:
        return self.iterations_run

    def start_centres(self) -> np.ndarray | None:
        return np.array(self.centroids, dtype=np.float64)

    def fit_report(self) -> str:
        return (
            f"metric={self.metric}: {self.iterations_run} "
            f"iteration{'s' if self.iterations_run != 1 else ''}, "
            f"{'converged' if self.converged else 'stopped at the iteration limit'}; "
            f"{self.acceleration_report()}"
        )

    def acceleration_report(self) -> str:
        """Which assignment pass ran and what share of the distance computations it skipped."""
        if self.acceleration == "lloyd":
            return "plain Lloyd passes (every row-centroid distance computed)"
        name = self.acceleration.capitalize()
        return f"{name} bounds skipped {100 * self.skipped_fraction:.1f} % of distance computations"

    def summary(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "centroids": [[_finite(float(v)) for v in row] for row in self.centroids],
            "init": self.init,
            "iterations": self.max_iterations,
            "iterations_run": self.iterations_run,
            "converged": self.converged,
            "inertia": _finite(self.inertia),
        }

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "metric": self.metric,
            "init": self.init,
            "max_iterations": self.max_iterations,
            "iterations_run": self.iterations_run,
            "converged": self.converged,
            "inertia": self.inertia,
            "acceleration": self.acceleration,
            "skipped_fraction": self.skipped_fraction,
        }
        return meta, {"centroids": self.centroids}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> KMeansModel:
        return cls(centroids=arrays["centroids"], **meta)
