"""Hierarchical Clustering — the configuration of an agglomerative clustering model (it trains nothing
itself)."""

from __future__ import annotations

from typing import Any

from modules.algorithms.hierarchical import CUT_CHOICES, LINKAGE_CHOICES, METRIC_CHOICES, HierarchicalConfig
from modules.clustering_module import (
    RANGE,
    SINGLE,
    ClusteringModule,
    assign_label_mode_param,
    normalize_param,
    trainer_mode_param,
)
from modules.contract import ErrorDecl, Param, param_error
from modules.limits import MAX_CLUSTERS, MAX_PAIRWISE_BYTES

# The most rows within the budget: a matrix of n(n−1)/2 float64 values ≈ 4n² bytes, two of them but
# under single linkage.
_ROWS_SINGLE = int((MAX_PAIRWISE_BYTES / 4) ** 0.5)
_ROWS_OTHERS = int((MAX_PAIRWISE_BYTES / 8) ** 0.5)


class HierarchicalClustering(ClusteringModule):
    config_class = HierarchicalConfig
    id = "hierarchical_clustering"
    name = "Hierarchical Clustering"
    description = (
        "Configures an agglomerative (hierarchical) clustering model: every training row starts as its own "
        "cluster and the two nearest clusters merge, again and again (SciPy's linkage), into a tree that is "
        "cut into clusters by a number of clusters or a distance threshold. The trained model's view shows "
        "the tree (dendrogram) with the cut. New rows (Assign Data to Clusters) go to the cluster whose "
        "centroid — the mean of its training rows — is nearest (cosine distance under the cosine metric, "
        "else Euclidean); the score columns are those distances. The fit holds the distance of every pair "
        f"of training rows (and, but under single linkage, a working copy): inputs beyond about "
        f"{_ROWS_OTHERS:,} rows ({_ROWS_SINGLE:,} under single linkage) exceed the memory budget "
        "(STUDIO_MAX_PAIRWISE_BYTES) and are refused: train on a sample."
    )
    version = 1
    order = 23
    params = (
        trainer_mode_param("a range of numbers of clusters"),
        Param(
            "linkage",
            "Linkage",
            "choice",
            default="ward",
            choices=LINKAGE_CHOICES,
            description="Which clusters merge next. Ward: the pair whose merge least increases the total "
            "within-cluster variance (needs the Euclidean metric). Complete: the smallest largest distance "
            "between their rows. Average: the smallest mean distance. Single: the smallest distance between "
            "their nearest rows (follows chains).",
        ),
        Param(
            "metric",
            "Metric",
            "choice",
            default="euclidean",
            choices=METRIC_CHOICES,
            description="The distance between two rows: Euclidean, Manhattan (sum of absolute differences) "
            "or cosine (1 − cosine similarity). Ward linkage needs Euclidean.",
        ),
        Param(
            "cut_by",
            "Cut the tree by",
            "choice",
            default="n_clusters",
            choices=CUT_CHOICES,
            visible_when=SINGLE,
            description="Number of clusters: undo the last merges until that many clusters remain. Distance "
            "threshold: keep only the merges closer than the threshold (the fit decides the number of "
            "clusters).",
        ),
        Param(
            "n_clusters",
            "Number of clusters",
            "int",
            default=3,
            min=2,
            max=MAX_CLUSTERS,
            visible_when={**SINGLE, "cut_by": "n_clusters"},
            description=f"k, the number of clusters (at most {MAX_CLUSTERS}; STUDIO_MAX_CLUSTERS sets it).",
        ),
        Param(
            "distance_threshold",
            "Distance threshold",
            "float",
            default=3.0,
            min=0.0,
            min_exclusive=True,
            visible_when={**SINGLE, "cut_by": "distance_threshold"},
            description="Merges at this linkage distance or above are not made; each group left is a cluster "
            "(scikit-learn's distance_threshold). The dendrogram's heights are these distances.",
        ),
        Param(
            "n_clusters_range",
            "Range for Number of clusters",
            "int_range_string",
            default="2-5",
            min=2,
            max=MAX_CLUSTERS,
            visible_when=RANGE,
            description="Values of k to sweep: comma-separated integers and ranges, e.g. '2-10' or "
            "'2-5, 10'.",
        ),
        normalize_param(),
        assign_label_mode_param("nearest its centroid"),
    )
    errors = (
        ErrorDecl("0002", "a parameter has the wrong type, or the range string cannot be parsed"),
        ErrorDecl("0004", "Distance threshold ≤ 0"),
        ErrorDecl("0005", "Number of clusters < 2"),
        ErrorDecl("0007", f"Number of clusters > {MAX_CLUSTERS}"),
        ErrorDecl(
            "0008",
            f"a choice is not one of the listed values, Ward linkage with a metric other than Euclidean, or "
            f"the range holds a value below 2 or above {MAX_CLUSTERS}",
        ),
    )

    def check(self, params: dict[str, Any]) -> None:
        check_combination(params)


def check_combination(params: dict[str, Any]) -> None:
    """0008 for Ward linkage under another metric than Euclidean."""
    if params["linkage"] == "ward" and params["metric"] != "euclidean":
        raise param_error(
            "metric",
            "0008",
            f"'Metric' (metric) {params['metric']!r} cannot be used with Ward linkage, which merges by "
            "within-cluster variance and needs the Euclidean metric: choose Euclidean or another linkage.",
        )
