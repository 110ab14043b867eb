"""HDBSCAN: scikit-learn's ``HDBSCAN`` behind the algorithm seam.

:class:`HDBSCANConfig` is what the HDBSCAN Clustering module outputs; a fit is scikit-learn's own, one
call with the given settings, so the training rows' clusters and noise are scikit-learn's to the bit.
The fit decides the number of clusters; rows it puts in no cluster are noise
(:data:`~modules.results.NOISE_LABEL`). A density clustering has no natural per-cluster score, so the
results are the ``Assignments`` column alone.

**New rows** (scikit-learn's HDBSCAN has no ``predict``; this is the studio's rule). Each training row
has a *core distance*: the distance to its ``min_samples``-th nearest training row, itself included —
the radius of its dense neighbourhood, the quantity HDBSCAN's mutual reachability is built from. A new
row takes the cluster of its **nearest training row**, if it lies **within that row's core distance**
(it would be one of that row's ``min_samples`` nearest neighbours, i.e. inside the dense region the fit
saw there); otherwise — or when that nearest training row is itself noise — it is noise. The rule adapts
to each cluster's own density (sparse parts of a cluster have larger core distances), needs only a
nearest-neighbour query, and gives every training row its own fitted label back (its nearest training
row is itself, at distance 0). Distances are in the model's metric on the normalised features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.algorithms.kmeans import check_cosine_rows
from modules.errors import Cancelled, ModuleError
from modules.limits import check_cluster_count, check_pairwise_budget
from modules.params import Choice
from modules.results import NOISE_LABEL
from modules.sweep_table import NOISE_FRACTION, SWEEP_METRICS, SweepMetric

__all__ = [
    "METRIC_CHOICES",
    "SELECTION_CHOICES",
    "HDBSCANConfig",
    "HDBSCANModel",
    "dense_distance_bytes",
    "epsilon_failure",
]

SELECTION_CHOICES = (Choice("eom", "Excess of mass"), Choice("leaf", "Leaf"))
METRIC_CHOICES = (
    Choice("euclidean", "Euclidean"),
    Choice("manhattan", "Manhattan"),
    Choice("cosine", "Cosine"),
)
#: Metrics scikit-learn's HDBSCAN fits with a tree (memory linear in the rows); the others (cosine) with
#: the full distance matrix of the training rows.
TREE_METRICS = frozenset({"euclidean", "manhattan"})


def dense_distance_bytes(n_rows: int) -> int:
    """The bytes of the full n × n float64 distance matrix scikit-learn's brute-force HDBSCAN builds
    (then turns into mutual reachability in place)."""
    return n_rows * n_rows * 8


def epsilon_failure(eps: float) -> str:
    """Why a fit with a non-zero epsilon failed: scikit-learn 1.9.1's HDBSCAN raises a TypeError under
    NumPy 2 whenever the epsilon has to merge a selected cluster into its parent (scikit-learn issue
    #33219); an epsilon that merges nothing works."""
    return (
        f"HDBSCAN could not apply 'Epsilon' (eps) {eps:g}: merging the clusters closer than it fails in "
        "scikit-learn 1.9.1 under NumPy 2 (scikit-learn issue #33219). Set 'Epsilon' to 0 (or below the "
        "distance at which the smallest clusters split), or raise 'Minimum cluster size' to merge small "
        "clusters instead."
    )


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _neighbours(X: np.ndarray, metric: str) -> Any:
    from sklearn.neighbors import NearestNeighbors  # loaded on first use, not when the seam imports this

    return NearestNeighbors(metric=metric).fit(X)


@dataclass
class HDBSCANConfig(ClusterConfig):
    """An HDBSCAN configuration: the parameters of ``hdbscan_clustering``.

    ``min_samples`` None: as ``min_cluster_size`` (scikit-learn's default). ``eps`` is scikit-learn's
    ``cluster_selection_epsilon``. Range mode sweeps ``min_cluster_size_range``; the fit is
    deterministic, seeds play no part.
    """

    algorithm: ClassVar[str] = "hdbscan"
    algorithm_name: ClassVar[str] = "HDBSCAN"
    decides_k: ClassVar[bool] = True

    trainer_mode: str = "single"
    min_cluster_size: int = 5
    min_cluster_size_range: list[int] = field(default_factory=lambda: [5, 10, 15, 20])
    min_samples: int | None = None
    cluster_selection_method: str = "eom"
    eps: float = 0.0
    metric: str = "euclidean"
    normalize: bool = True
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        sizes = list(self.min_cluster_size_range) if self.trainer_mode == "range" else [self.min_cluster_size]
        return [self._candidate(m, base_seed) for m in sizes]

    def training_candidate(self) -> Candidate:
        m = self.min_cluster_size_range[0] if self.trainer_mode == "range" else self.min_cluster_size
        return self._candidate(m, 0)

    def _candidate(self, min_cluster_size: int, seed: int) -> Candidate:
        # 0 clusters: the fit decides how many
        return Candidate(
            0, self.cluster_selection_method, seed, settings={"min_cluster_size": min_cluster_size}
        )

    def train_warning(self) -> str | None:
        if self.trainer_mode != "range":
            return None
        return (
            "The HDBSCAN model is in 'Parameter Range' mode; Train Clustering Model uses the first value: "
            f"Minimum cluster size = {self.min_cluster_size_range[0]}. Use Sweep Clustering to try them all."
        )

    def sweep_warning(self) -> str | None:
        if self.trainer_mode != "single":
            return None
        return (
            "The HDBSCAN model is in 'Single Parameter' mode; Sweep Clustering trains that one "
            "configuration. Use 'Parameter Range' mode to sweep the minimum cluster size."
        )

    def check_matrix(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        if self.metric not in TREE_METRICS:
            check_pairwise_budget(len(X), dense_distance_bytes, f"HDBSCAN with the {self.metric} metric")
        check_cosine_rows(X, rows, self.metric)

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        min_cluster_size = int(candidate.settings.get("min_cluster_size", self.min_cluster_size))
        min_samples = min_cluster_size if self.min_samples is None else int(self.min_samples)
        if len(X) < 2 or min_samples > len(X):
            raise ModuleError(
                "0143",
                f"HDBSCAN needs at least 2 training rows and at least 'Minimum samples' ({min_samples}"
                f"{', as the minimum cluster size' if self.min_samples is None else ''}) of them; the input "
                f"has {len(X)} complete row{'s' if len(X) != 1 else ''}. Lower 'Minimum samples' or train "
                "on more rows.",
                param="min_cluster_size" if self.min_samples is None else "min_samples",
            )
        if control.should_stop():
            raise Cancelled()
        from sklearn.cluster import HDBSCAN  # loaded on first use, not when the seam imports this

        try:
            fitted = HDBSCAN(
                min_cluster_size=min_cluster_size,
                min_samples=self.min_samples,
                cluster_selection_epsilon=float(self.eps),
                metric=self.metric,
                cluster_selection_method=self.cluster_selection_method,
                copy=True,
            ).fit(X)
        except TypeError as exc:
            if self.eps == 0 or "0-dimensional" not in str(exc):
                raise
            raise ModuleError("0143", epsilon_failure(self.eps), param="eps") from None
        labels = np.asarray(fitted.labels_, dtype=np.int64)
        k = int(labels.max()) + 1
        check_cluster_count(k, f"HDBSCAN with minimum cluster size {min_cluster_size}")
        if control.should_stop():
            raise Cancelled()
        model = HDBSCANModel(
            training_rows=np.array(X, dtype=np.float64),
            training_labels=labels,
            probabilities=np.asarray(fitted.probabilities_, dtype=np.float64),
            n_clusters=k,
            metric=self.metric,
            min_cluster_size=min_cluster_size,
            min_samples=min_samples,
            cluster_selection_method=self.cluster_selection_method,
            eps=float(self.eps),
        )
        control.progress(1.0)
        return Fit(model, labels)

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
        """The fit's own labels for the training rows (no second pass over them: the prediction rule
        gives them back anyway) and no scores."""
        fit = self.fit(X, candidate, init_labels, control, **options)
        return fit, fit.labels, np.empty((0, len(X))) if out is None else out

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"trainer_mode": self.trainer_mode}
        if self.trainer_mode == "range":
            out["min_cluster_size_range"] = list(self.min_cluster_size_range)
        else:
            out["min_cluster_size"] = self.min_cluster_size
        out.update(
            min_samples=self.min_samples,
            cluster_selection_method=self.cluster_selection_method,
            eps=self.eps,
            metric=self.metric,
            normalize=self.normalize,
            assign_label_mode=self.assign_label_mode,
        )
        return out


def _quantiles(values: np.ndarray) -> dict[str, float | None]:
    if values.size == 0:
        return {"count": 0, "mean": None, "min": None, "q25": None, "median": None, "q75": None, "max": None}
    q = np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])
    return {
        "count": int(values.size),
        "mean": _finite(float(values.mean())),
        "min": _finite(float(q[0])),
        "q25": _finite(float(q[1])),
        "median": _finite(float(q[2])),
        "q75": _finite(float(q[3])),
        "max": _finite(float(q[4])),
    }


@dataclass(eq=False)
class HDBSCANModel(ClusterModel):
    """An HDBSCAN fit: the training rows (in the model's feature space) with their clusters and
    membership strengths — what the prediction rule of the module docstring needs. The rows' core
    distances and the nearest-neighbour index are built when the model first assigns rows (Train does
    not need them; they follow from the rows and ``min_samples`` alone, so the file does not hold them)."""

    algorithm: ClassVar[str] = "hdbscan"
    score_column_prefix: ClassVar[str] = "HDBSCANScore no."  # never written: the model has no scores
    keeps_fit_labels: ClassVar[bool] = True
    may_assign_noise: ClassVar[bool] = True
    has_scores: ClassVar[bool] = False
    extra_metrics: ClassVar[tuple[SweepMetric, ...]] = (NOISE_FRACTION,)

    training_rows: np.ndarray  # (n, d)
    training_labels: np.ndarray  # (n,) int64, NOISE_LABEL for noise
    probabilities: np.ndarray  # (n,) scikit-learn's probabilities_: 0 for noise
    n_clusters: int
    metric: str
    min_cluster_size: int
    min_samples: int
    cluster_selection_method: str
    eps: float
    _index: Any = field(default=None, init=False, repr=False)
    _core_distances: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def k(self) -> int:
        return self.n_clusters

    @property
    def noise_count(self) -> int:
        return int(np.count_nonzero(self.training_labels == NOISE_LABEL))

    def index(self) -> Any:
        """The nearest-neighbour index of the training rows (built on first use)."""
        if self._index is None:
            self._index = _neighbours(self.training_rows, self.metric)
        return self._index

    @property
    def core_distances(self) -> np.ndarray:
        """``(n,)``: each training row's core distance — its distance to its ``min_samples``-th nearest
        training row, itself included, as scikit-learn's fit computes it (computed on first use)."""
        if self._core_distances is None:
            distances, _ = self.index().kneighbors(self.training_rows, self.min_samples)
            self._core_distances = np.ascontiguousarray(distances[:, -1], dtype=np.float64)
        return self._core_distances

    def check_rows(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_cosine_rows(X, rows, self.metric)

    def assign(self, X: np.ndarray) -> np.ndarray:
        """Each row's cluster by the prediction rule (module docstring): the nearest training row's,
        when the row lies within that row's core distance; else :data:`NOISE_LABEL`."""
        if len(X) == 0:
            return np.empty(0, dtype=np.int64)
        distance, nearest = self.index().kneighbors(X, 1)
        nearest = nearest[:, 0]
        within = distance[:, 0] <= self.core_distances[nearest]
        return np.where(within, self.training_labels[nearest], NOISE_LABEL).astype(np.int64)

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        """The four common metrics of the clustered rows (noise left out) against each cluster's mean
        (cosine distance under the cosine metric, else Euclidean), NaN with fewer than two clusters;
        and the noise fraction of the rows given."""
        from modules.engine import cluster_metrics

        labels = np.asarray(labels, dtype=np.int64)
        clustered = labels != NOISE_LABEL
        noise = float(np.mean(~clustered)) if labels.size else float("nan")
        present, kept = np.unique(labels[clustered], return_inverse=True)
        if present.size < 2:
            return {**{m.id: float("nan") for m in SWEEP_METRICS}, NOISE_FRACTION.id: noise}
        Xc = X[clustered]
        sums = np.zeros((present.size, X.shape[1]))
        np.add.at(sums, kept, Xc)
        means = sums / np.bincount(kept)[:, None]
        metric = "cosine" if self.metric == "cosine" else "euclidean"
        values = {name: float(v) for name, v in cluster_metrics(Xc, means, kept, metric=metric).items()}
        return {**values, NOISE_FRACTION.id: noise}

    def fit_report(self) -> str:
        n = len(self.training_labels)
        return (
            f"min_cluster_size={self.min_cluster_size}, min_samples={self.min_samples}, "
            f"{self.cluster_selection_method}, {self.metric}: {self.k} cluster{'s' if self.k != 1 else ''} "
            f"found, {self.noise_count} of {n} training rows noise"
        )

    def summary(self) -> dict[str, Any]:
        """Clusters found, noise count, cluster sizes, and each cluster's membership strength (scikit-
        learn's ``probabilities_`` of its rows, summarised; noise rows have strength 0)."""
        labels = self.training_labels
        sizes = np.bincount(labels[labels != NOISE_LABEL], minlength=self.k)
        return {
            "clusters_found": self.k,
            "noise_count": self.noise_count,
            "training_rows": int(len(labels)),
            "cluster_sizes": [int(s) for s in sizes],
            "membership_strength": {
                "clustered_rows": _quantiles(self.probabilities[labels != NOISE_LABEL]),
                "per_cluster_mean": [
                    _finite(float(self.probabilities[labels == j].mean())) if sizes[j] else None
                    for j in range(self.k)
                ],
            },
            "metric": self.metric,
            "min_cluster_size": self.min_cluster_size,
            "min_samples": self.min_samples,
            "cluster_selection_method": self.cluster_selection_method,
            "eps": self.eps,
            "prediction_rule": (
                "A new row takes the cluster of its nearest training row if it lies within that row's core "
                "distance (its distance to its min_samples-th nearest training row); otherwise it is noise."
            ),
        }

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "n_clusters": self.n_clusters,
            "metric": self.metric,
            "min_cluster_size": self.min_cluster_size,
            "min_samples": self.min_samples,
            "cluster_selection_method": self.cluster_selection_method,
            "eps": self.eps,
        }
        arrays = {
            "training_rows": self.training_rows,
            "training_labels": self.training_labels,
            "probabilities": self.probabilities,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> HDBSCANModel:
        return cls(
            training_rows=arrays["training_rows"],
            training_labels=arrays["training_labels"],
            probabilities=arrays["probabilities"],
            **meta,
        )
