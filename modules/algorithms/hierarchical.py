"""Hierarchical (agglomerative) clustering: SciPy's ``linkage`` behind the algorithm seam.

:class:`HierarchicalConfig` is what the Hierarchical Clustering module outputs; a fit builds the whole
merge tree of the training rows (:func:`scipy.cluster.hierarchy.linkage`) and cuts it into clusters —
into a number of clusters (undoing the last k − 1 merges, as scikit-learn's ``AgglomerativeClustering``
does) or at a distance threshold (the merges closer than it are kept, as scikit-learn's
``distance_threshold``). :class:`HierarchicalModel` keeps the tree for the dendrogram and the centroid of
each cluster (the mean of its training rows): a new row goes to the cluster with the nearest centroid —
by cosine distance under the cosine metric, else by Euclidean distance — so its score columns are
distances to the centroids, as K-Means' are, and the model exports to ONNX and PMML like a centre model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from modules.algorithms.base import Candidate, CentreModel, ClusterConfig, ClusterModel, Fit, FitControl
from modules.algorithms.kmeans import check_cosine_rows
from modules.dendrogram import dendrogram_view
from modules.errors import Cancelled
from modules.limits import check_cluster_count, check_pairwise_budget, condensed_distance_bytes
from modules.params import Choice

__all__ = ["CUT_CHOICES", "LINKAGE_CHOICES", "METRIC_CHOICES", "HierarchicalConfig", "HierarchicalModel"]

LINKAGE_CHOICES = (
    Choice("ward", "Ward"),
    Choice("complete", "Complete"),
    Choice("average", "Average"),
    Choice("single", "Single"),
)
METRIC_CHOICES = (
    Choice("euclidean", "Euclidean"),
    Choice("manhattan", "Manhattan"),
    Choice("cosine", "Cosine"),
)
CUT_CHOICES = (Choice("n_clusters", "Number of clusters"), Choice("distance_threshold", "Distance threshold"))
_SCIPY_METRIC = {"euclidean": "euclidean", "manhattan": "cityblock", "cosine": "cosine"}


def _engine() -> Any:
    import modules.engine as engine  # the compiled kernels load on first use, not on import

    return engine


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def centroid_metric(metric: str) -> str:
    """The distance new rows are assigned by: cosine under the cosine metric, else Euclidean."""
    return "cosine" if metric == "cosine" else "euclidean"


def tree_labels(Z: np.ndarray, n_merges: int) -> np.ndarray:
    """Each row's cluster after the first ``n_merges`` merges of linkage ``Z``, numbered in order of
    each cluster's first row (row 0 is in cluster 0)."""
    n = Z.shape[0] + 1
    parent = np.arange(n + n_merges)
    for i, (a, b) in enumerate(Z[:n_merges, :2].astype(np.int64)):
        parent[a] = parent[b] = n + i
    root = parent.copy()  # follow each node up to its highest merge kept (children precede parents)
    for node in range(n + n_merges - 1, -1, -1):
        root[node] = root[parent[node]] if parent[node] != node else node
    _, first, inverse = np.unique(root[:n], return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


@dataclass
class HierarchicalConfig(ClusterConfig):
    """A hierarchical clustering configuration: the parameters of ``hierarchical_clustering``.

    Single mode cuts by ``n_clusters`` or at ``distance_threshold`` (``cut_by``); range mode sweeps
    ``n_clusters_range`` (one tree per candidate: the fit is deterministic, seeds play no part).
    """

    algorithm: ClassVar[str] = "hierarchical"
    algorithm_name: ClassVar[str] = "Hierarchical"

    trainer_mode: str = "single"
    linkage: str = "ward"
    metric: str = "euclidean"
    cut_by: str = "n_clusters"
    n_clusters: int = 3
    distance_threshold: float = 3.0
    n_clusters_range: list[int] = field(default_factory=lambda: [2, 3, 4, 5])
    normalize: bool = True
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        if self.trainer_mode == "range":
            return [Candidate(k, self.linkage, base_seed) for k in self.n_clusters_range]
        return [self._single(base_seed)]

    def training_candidate(self) -> Candidate:
        if self.trainer_mode == "range":
            return Candidate(self.n_clusters_range[0], self.linkage, 0)
        return self._single(0)

    def _single(self, seed: int) -> Candidate:
        # 0 clusters: the threshold decides how many
        return Candidate(self.n_clusters if self.cut_by == "n_clusters" else 0, self.linkage, seed)

    def train_warning(self) -> str | None:
        if self.trainer_mode != "range":
            return None
        return (
            "The hierarchical model is in 'Parameter Range' mode; Train Clustering Model uses the first "
            f"value: Number of clusters = {self.n_clusters_range[0]}. Use Sweep Clustering to try them all."
        )

    def sweep_warning(self) -> str | None:
        if self.trainer_mode != "single":
            return None
        return (
            "The hierarchical model is in 'Single Parameter' mode; Sweep Clustering trains that one "
            "configuration. Use 'Parameter Range' mode to sweep the number of clusters."
        )

    def check_matrix(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_pairwise_budget(len(X), self.pairwise_bytes, "Hierarchical clustering")
        check_cosine_rows(X, rows, self.metric)

    def pairwise_bytes(self, n_rows: int) -> int:
        """The fit's peak memory beyond the data: the condensed distance matrix of the rows, and for
        every linkage but single (a spanning tree over that matrix) SciPy's working copy of it."""
        return (1 if self.linkage == "single" else 2) * condensed_distance_bytes(n_rows)

    def linkage_matrix(self, X: np.ndarray) -> np.ndarray:
        """SciPy's linkage of the rows (n − 1 merges: the two groups, their distance, the rows under it)."""
        from scipy.cluster.hierarchy import linkage

        if len(X) < 2:
            return np.empty((0, 4), dtype=np.float64)
        return np.asarray(
            linkage(X, method=self.linkage, metric=_SCIPY_METRIC[self.metric]), dtype=np.float64
        )

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        Z = self.linkage_matrix(X)
        if control.should_stop():
            raise Cancelled()
        n = len(X)
        heights = Z[:, 2]
        if candidate.n_clusters > 0:
            k = min(candidate.n_clusters, n)
            kept = n - k
            above = heights[kept] if kept < len(heights) else None
            below = heights[kept - 1] if kept > 0 else 0.0
            cut = None if above is None else (float(below) + float(above)) / 2
        else:
            kept = int(np.count_nonzero(heights < self.distance_threshold))
            cut = float(self.distance_threshold)
            check_cluster_count(n - kept, f"The distance threshold {self.distance_threshold:g}")
        labels = tree_labels(Z, kept)
        k = int(labels.max()) + 1 if n else 0
        sums = np.zeros((k, X.shape[1]))
        np.add.at(sums, labels, X)
        centroids = sums / np.bincount(labels, minlength=k)[:, None]
        control.progress(1.0)
        model = HierarchicalModel(
            centroids=centroids, linkage_matrix=Z, training_labels=labels, linkage=self.linkage,
            metric=self.metric, cut_height=cut,
        )  # fmt: skip
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
        """The default's results (the tree's clusters, the distances to the centroids); a threshold cut
        decides k, so the trainer's ``out`` (sized for the candidate's 0) is replaced by one of the
        fitted k."""
        fit = self.fit(X, candidate, init_labels, control, **options)
        fit.model.check_rows(X, rows)
        if out is not None and out.shape[0] != fit.model.k:
            out = np.full((fit.model.k, out.shape[1]), np.nan)
        _, scores_t = fit.model.label_and_score(X, out=out, columns=columns)
        return fit, fit.labels, scores_t

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "trainer_mode": self.trainer_mode,
            "linkage": self.linkage,
            "metric": self.metric,
        }
        if self.trainer_mode == "range":
            out["n_clusters_range"] = list(self.n_clusters_range)
        elif self.cut_by == "n_clusters":
            out.update(cut_by=self.cut_by, n_clusters=self.n_clusters)
        else:
            out.update(cut_by=self.cut_by, distance_threshold=self.distance_threshold)
        out.update(normalize=self.normalize, assign_label_mode=self.assign_label_mode)
        return out


@dataclass(eq=False)
class HierarchicalModel(ClusterModel):
    """A cut merge tree: the linkage matrix, the training rows' clusters and each cluster's centroid."""

    algorithm: ClassVar[str] = "hierarchical"
    score_column_prefix: ClassVar[str] = "DistancesToClusterCentroid no."
    keeps_fit_labels: ClassVar[bool] = True  # the training rows keep the tree's clusters

    centroids: np.ndarray  # (k, d) in the model's feature space
    linkage_matrix: np.ndarray  # (n − 1, 4), SciPy's
    training_labels: np.ndarray  # (n,) the tree's cluster of each training row
    linkage: str
    metric: str
    cut_height: float | None  # None: a cut into as many clusters as rows

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])

    def check_rows(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_cosine_rows(X, rows, self.metric)

    def scores(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(
            _engine().pairwise_distances(X, self.centroids, metric=centroid_metric(self.metric)),
            dtype=np.float64,
        )

    def label_and_score(
        self, X: np.ndarray, out: np.ndarray | None = None, columns: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        from modules.engine.distances import nearest_and_distances  # compiled: loaded on first use

        return nearest_and_distances(
            X, self.centroids, metric=centroid_metric(self.metric), out=out, columns=columns
        )

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        metrics = _engine().cluster_metrics(X, self.centroids, labels, metric=centroid_metric(self.metric))
        return {name: float(value) for name, value in metrics.items()}

    def centres_for_export(self) -> CentreModel:
        return CentreModel(np.array(self.centroids, dtype=np.float64), centroid_metric(self.metric))

    def fit_report(self) -> str:
        cut = "" if self.cut_height is None else f" at height {self.cut_height:.6g}"
        rows = len(self.training_labels)
        return f"{self.linkage} linkage, {self.metric} metric: {rows} rows cut{cut} into {self.k} clusters"

    def summary(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "linkage": self.linkage,
            "centroids": [[_finite(float(v)) for v in row] for row in self.centroids],
            "cut_height": None if self.cut_height is None else _finite(self.cut_height),
            "dendrogram": dendrogram_view(
                self.linkage_matrix, cut_height=self.cut_height, labels=self.training_labels
            ),
        }

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"linkage": self.linkage, "metric": self.metric, "cut_height": self.cut_height}
        arrays = {
            "centroids": self.centroids,
            "linkage_matrix": self.linkage_matrix,
            "training_labels": self.training_labels,
        }
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> HierarchicalModel:
        return cls(
            centroids=arrays["centroids"],
            linkage_matrix=arrays["linkage_matrix"],
            training_labels=arrays["training_labels"],
            **meta,
        )
