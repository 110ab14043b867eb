"""DBSCAN: scikit-learn's density-based clustering behind the algorithm seam.

:class:`DBSCANConfig` is what the DBSCAN Clustering module outputs. A fit is
:class:`sklearn.cluster.DBSCAN` on the prepared matrix: a row with at least ``min_samples`` rows
(itself included) within ``eps`` is a *core sample*; core samples within ``eps`` of each other share a
cluster, a row within ``eps`` of a core sample joins its cluster (a *border* row), every other row is
noise (:data:`~modules.results.NOISE_LABEL`). The fit finds the number of clusters; the training rows
keep scikit-learn's labels exactly (``keeps_fit_labels``).

:class:`DBSCANModel` keeps the core samples and their clusters. A new row (Assign Data to Clusters)
joins the cluster of its nearest core sample when that sample is within ``eps`` of it (the
neighbourhood test of the fit, distance <= eps), else it is noise — the rule by which the fit gives a
border row a cluster, without letting a new row become a core sample or join clusters. Nearest by
:class:`sklearn.neighbors.NearestNeighbors` over the core samples, under the fit's metric. The model
has no per-cluster score (``has_scores`` False): its results are the ``Assignments`` column alone.

Memory: scikit-learn holds every row's neighbourhood at once (an index per neighbour), which grows with
the square of the rows when ``eps`` is large. :meth:`DBSCANConfig.pairwise_bytes` estimates it before
the fit from the neighbourhood sizes of a fixed sample of rows (when even the worst case — every row
in every neighbourhood — would not fit), and inputs beyond the pairwise budget are refused with 0160
(an estimate: a sample can miss a dense spot).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.algorithms.kmeans import check_cosine_rows
from modules.errors import Cancelled
from modules.limits import MAX_PAIRWISE_BYTES, check_cluster_count, check_pairwise_budget
from modules.params import Choice
from modules.results import NOISE_LABEL
from modules.sweep_table import NOISE_FRACTION

__all__ = ["METRIC_CHOICES", "DBSCANConfig", "DBSCANModel", "eps_values"]

METRIC_CHOICES = (
    Choice("euclidean", "Euclidean"),
    Choice("manhattan", "Manhattan"),
    Choice("cosine", "Cosine"),
)
#: Rows whose neighbourhoods are counted to estimate the fit's memory (a fixed sample: deterministic).
ESTIMATE_SAMPLE = 1000
_ESTIMATE_SEED = 20261129
#: Bytes scikit-learn holds per training row (its neighbourhood array object) and per neighbour (an int64).
ROW_BYTES = 112
NEIGHBOUR_BYTES = 8


def eps_values(start: float, stop: float, count: int) -> list[float]:
    """``count`` values of eps evenly spaced from ``start`` to ``stop`` (both included)."""
    if count == 1:
        return [float(start)]
    return [float(v) for v in np.linspace(start, stop, count)]


@dataclass
class DBSCANConfig(ClusterConfig):
    """A DBSCAN configuration: the parameters of ``dbscan_clustering``.

    Single mode fits ``eps`` and ``min_samples``; range mode sweeps every pair of ``eps_count`` values
    from ``eps_from`` to ``eps_to`` and the values of ``min_samples_range``. The fit is deterministic:
    seeds play no part.
    """

    algorithm: ClassVar[str] = "dbscan"
    algorithm_name: ClassVar[str] = "DBSCAN"
    decides_k: ClassVar[bool] = True

    trainer_mode: str = "single"
    eps: float = 0.2
    min_samples: int = 5
    metric: str = "euclidean"
    eps_from: float = 0.1
    eps_to: float = 0.5
    eps_count: int = 5
    min_samples_range: list[int] = field(default_factory=lambda: [5])
    normalize: bool = True
    assign_label_mode: str = "ignore"

    def settings(self) -> list[tuple[float, int]]:
        """The (eps, min_samples) pairs to train, in run-index order."""
        if self.trainer_mode != "range":
            return [(float(self.eps), int(self.min_samples))]
        pairs = itertools.product(
            eps_values(self.eps_from, self.eps_to, self.eps_count), self.min_samples_range
        )
        return [(eps, int(m)) for eps, m in pairs]

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [_candidate(eps, m, base_seed) for eps, m in self.settings()]

    def training_candidate(self) -> Candidate:
        eps, m = self.settings()[0]
        return _candidate(eps, m, 0)  # seed 0: nothing is drawn (DBSCAN uses none)

    def train_warning(self) -> str | None:
        if self.trainer_mode != "range":
            return None
        eps, m = self.settings()[0]
        return (
            "The DBSCAN model is in 'Parameter Range' mode; Train Clustering Model uses the first values: "
            f"eps = {eps:g}, minimum samples = {m}. Use Sweep Clustering to try them all."
        )

    def sweep_warning(self) -> str | None:
        if self.trainer_mode != "single":
            return None
        return (
            "The DBSCAN model is in 'Single Parameter' mode; Sweep Clustering trains that one "
            "configuration. Use 'Parameter Range' mode to sweep eps and the minimum samples."
        )

    def check_matrix(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_cosine_rows(X, rows, self.metric)
        if self.pairwise_bytes(len(X), 1.0) <= MAX_PAIRWISE_BYTES:
            return  # even every row in every neighbourhood fits: no estimate needed
        eps = max(eps for eps, _ in self.settings())  # the largest neighbourhoods of any candidate
        per_pair = _neighbour_share(X, eps, self.metric)
        check_pairwise_budget(len(X), lambda n: self.pairwise_bytes(n, per_pair), "DBSCAN")

    @staticmethod
    def pairwise_bytes(n_rows: int, neighbour_share: float) -> int:
        """The memory of the fit's neighbourhoods of ``n_rows`` rows, when a row has a neighbour in a
        ``neighbour_share`` of the rows (itself included): an index per neighbour, an array per row."""
        return int(n_rows * ROW_BYTES + NEIGHBOUR_BYTES * neighbour_share * n_rows * n_rows)

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        from sklearn.cluster import DBSCAN

        eps, min_samples = float(candidate.settings["eps"]), int(candidate.settings["min_samples"])
        if control.should_stop():
            raise Cancelled()
        fitted = DBSCAN(eps=eps, min_samples=min_samples, metric=self.metric).fit(X)
        labels = np.asarray(fitted.labels_, dtype=np.int64)
        k = int(labels.max()) + 1 if len(labels) else 0
        check_cluster_count(k, f"DBSCAN with eps {eps:g} and minimum samples {min_samples}")
        core = np.asarray(fitted.core_sample_indices_, dtype=np.int64)
        control.progress(1.0)
        model = DBSCANModel(
            core_samples=np.ascontiguousarray(X[core], dtype=np.float64),
            core_labels=labels[core],
            n_clusters=k,
            eps=eps,
            min_samples=min_samples,
            metric=self.metric,
            training_noise=int(np.count_nonzero(labels == NOISE_LABEL)),
        )
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
        """The fit's labels (the training rows keep them) and no scores: no second pass over the rows."""
        fit = self.fit(X, candidate, init_labels, control, **options)
        return fit, fit.labels, out if out is not None else np.empty((0, len(X)))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"trainer_mode": self.trainer_mode, "metric": self.metric}
        if self.trainer_mode == "range":
            out.update(
                eps_range=eps_values(self.eps_from, self.eps_to, self.eps_count),
                min_samples_range=list(self.min_samples_range),
            )
        else:
            out.update(eps=self.eps, min_samples=self.min_samples)
        out.update(normalize=self.normalize, assign_label_mode=self.assign_label_mode)
        return out


def _candidate(eps: float, min_samples: int, seed: int) -> Candidate:
    # 0 clusters: the fit finds them; the sweep table's Initialization column names the setting
    return Candidate(
        0, f"eps={eps:g}, min_samples={min_samples}", seed, settings={"eps": eps, "min_samples": min_samples}
    )


def _neighbour_share(X: np.ndarray, eps: float, metric: str) -> float:
    """The mean share of the rows within ``eps`` of a row (itself included), from a fixed sample of at
    most :data:`ESTIMATE_SAMPLE` rows counted against every row (a tree query: no pairwise matrix)."""
    from sklearn.neighbors import KDTree

    n = len(X)
    if n == 0:
        return 0.0
    data, radius, tree_metric = X, eps, metric
    if metric == "cosine":  # 1 − cos(u, v) <= eps  ⇔  |u/|u| − v/|v|| <= sqrt(2 eps)
        data = X / np.linalg.norm(X, axis=1, keepdims=True)
        radius, tree_metric = math.sqrt(2.0 * eps), "euclidean"
    sample = data
    if n > ESTIMATE_SAMPLE:
        chosen = np.random.default_rng(_ESTIMATE_SEED).choice(n, ESTIMATE_SAMPLE, replace=False)
        sample = data[np.sort(chosen)]
    counts = KDTree(data, metric=tree_metric).query_radius(sample, radius, count_only=True)
    return float(np.mean(counts)) / n


@dataclass(eq=False)
class DBSCANModel(ClusterModel):
    """A DBSCAN clustering: the core samples (in the model's feature space), their clusters, eps and the
    metric. New rows join the cluster of the nearest core sample within eps, else they are noise."""

    algorithm: ClassVar[str] = "dbscan"
    keeps_fit_labels: ClassVar[bool] = True  # border rows keep the cluster the fit's expansion gave them
    may_assign_noise: ClassVar[bool] = True
    has_scores: ClassVar[bool] = False
    extra_metrics = (NOISE_FRACTION,)

    core_samples: np.ndarray  # (c, d)
    core_labels: np.ndarray  # (c,) int64, each core sample's cluster
    n_clusters: int
    eps: float
    min_samples: int
    metric: str
    training_noise: int
    _neighbours: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def k(self) -> int:
        return int(self.n_clusters)

    def check_rows(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_cosine_rows(X, rows, self.metric)

    def assign(self, X: np.ndarray) -> np.ndarray:
        """Each row's cluster: that of its nearest core sample if within eps, else NOISE_LABEL."""
        labels = np.full(len(X), NOISE_LABEL, dtype=np.int64)
        if not len(X) or not len(self.core_samples):
            return labels
        if self._neighbours is None:  # built once per model, on first use
            from sklearn.neighbors import NearestNeighbors

            self._neighbours = NearestNeighbors(n_neighbors=1, metric=self.metric).fit(self.core_samples)
        distance, nearest = self._neighbours.kneighbors(X)
        within = distance[:, 0] <= self.eps
        labels[within] = self.core_labels[nearest[within, 0]]
        return labels

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        from modules.engine.metrics import label_centroid_metrics  # compiled: loaded on first use

        metrics = label_centroid_metrics(X, labels, "cosine" if self.metric == "cosine" else "euclidean")
        return {name: float(value) for name, value in metrics.items()}

    def fit_report(self) -> str:
        return (
            f"eps {self.eps:g}, minimum samples {self.min_samples}, {self.metric} metric: {self.k} clusters, "
            f"{self.training_noise} noise rows, {len(self.core_samples)} core samples"
        )

    def summary(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "eps": self.eps,
            "min_samples": self.min_samples,
            "clusters_found": self.k,
            "noise_count": self.training_noise,
            "core_sample_count": int(len(self.core_samples)),
            "core_samples_per_cluster": np.bincount(self.core_labels, minlength=self.k).astype(int).tolist(),
        }

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "n_clusters": self.k,
            "eps": self.eps,
            "min_samples": self.min_samples,
            "metric": self.metric,
            "training_noise": self.training_noise,
        }
        return meta, {"core_samples": self.core_samples, "core_labels": self.core_labels}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> DBSCANModel:
        return cls(
            core_samples=arrays["core_samples"],
            core_labels=arrays["core_labels"],
            n_clusters=int(meta["n_clusters"]),
            eps=float(meta["eps"]),
            min_samples=int(meta["min_samples"]),
            metric=str(meta["metric"]),
            training_noise=int(meta["training_noise"]),
        )
