"""HDBSCAN Clustering — the configuration of a density clustering model (it trains nothing itself)."""

from __future__ import annotations

from typing import Any

from modules.algorithms.hdbscan import METRIC_CHOICES, SELECTION_CHOICES, HDBSCANConfig
from modules.clustering_module import (
    RANGE,
    SINGLE,
    ClusteringModule,
    assign_label_mode_param,
    normalize_param,
    trainer_mode_param,
)
from modules.contract import ErrorDecl, Param, param_error
from modules.limits import MAX_PAIRWISE_BYTES, MAX_SWEEP_CANDIDATES

#: The largest minimum cluster size / minimum samples accepted (a cluster of more rows than this is
#: better found by sampling first).
MAX_MIN_SIZE = 100_000
# The most rows the cosine metric's full distance matrix (8n² bytes) fits in the budget.
_ROWS_COSINE = int((MAX_PAIRWISE_BYTES / 8) ** 0.5)


class HDBSCANClustering(ClusteringModule):
    config_class = HDBSCANConfig
    id = "hdbscan_clustering"
    name = "HDBSCAN Clustering"
    description = (
        "Configures an HDBSCAN density clustering model (scikit-learn's HDBSCAN): clusters are regions "
        "where rows lie densely, of any shape and density, and rows in no dense region are noise — "
        "'Assignments' -1, shown as \"Noise\" and drawn grey. The results have no per-cluster score "
        "columns. New rows (Assign Data to Clusters) take "
        "the cluster of their nearest training row when they lie within that row's core distance (its "
        "distance to its 'Minimum samples'-th nearest training row), else they are noise. Euclidean and "
        "Manhattan fits need memory linear in the rows; the cosine metric holds the distance of every pair "
        f"of training rows and refuses inputs beyond about {_ROWS_COSINE:,} rows "
        "(STUDIO_MAX_PAIRWISE_BYTES): train on a sample."
    )
    version = 1
    order = 25
    params = (
        trainer_mode_param("a range of minimum cluster sizes"),
        Param(
            "min_cluster_size",
            "Minimum cluster size",
            "int",
            default=5,
            min=2,
            max=MAX_MIN_SIZE,
            visible_when=SINGLE,
            description="The fewest rows a cluster may have; smaller groups are noise or part of a larger "
            "cluster. Larger values give fewer, bigger clusters.",
        ),
        Param(
            "min_cluster_size_range",
            "Range for Minimum cluster size",
            "int_range_string",
            default="5, 10, 15, 20, 30",
            min=2,
            max=MAX_MIN_SIZE,
            visible_when=RANGE,
            description="Minimum cluster sizes to sweep: comma-separated integers and ranges, e.g. "
            "'5, 10, 20' or '5-15'.",
        ),
        Param(
            "min_samples",
            "Minimum samples",
            "int",
            default=None,
            nullable=True,
            min=1,
            max=MAX_MIN_SIZE,
            description="How many rows (the row itself included) make a neighbourhood dense: a row's core "
            "distance is its distance to that many-th nearest row. Larger values make the clustering more "
            "conservative (more noise). Empty: the minimum cluster size (scikit-learn's default).",
        ),
        Param(
            "cluster_selection_method",
            "Cluster selection method",
            "choice",
            default="eom",
            choices=SELECTION_CHOICES,
            description="How clusters are chosen from the density tree. Excess of mass: the most persistent "
            "clusters (usually a few large ones). Leaf: the leaves of the tree (more, smaller, more "
            "homogeneous clusters).",
        ),
        Param(
            "eps",
            "Epsilon",
            "float",
            default=0.0,
            min=0.0,
            description="Clusters that split at a distance below this are merged (scikit-learn's "
            "cluster_selection_epsilon, in the units of the features after normalisation); 0: no merging. "
            "scikit-learn 1.9.1 fails when the epsilon has to merge clusters (its issue #33219): the "
            "trainer then shows error 0143.",
        ),
        Param(
            "metric",
            "Metric",
            "choice",
            default="euclidean",
            choices=METRIC_CHOICES,
            description="The distance between two rows: Euclidean, Manhattan (sum of absolute differences) "
            f"or cosine (1 − cosine similarity; no all-zero rows; at most about {_ROWS_COSINE:,} training "
            "rows).",
        ),
        normalize_param(),
        assign_label_mode_param("first in it; noise rows keep theirs"),
    )
    errors = (
        ErrorDecl("0002", "a parameter has the wrong type, or the range string cannot be parsed"),
        ErrorDecl("0005", "Minimum cluster size < 2, Minimum samples < 1 or Epsilon < 0"),
        ErrorDecl(
            "0007",
            f"Minimum cluster size or Minimum samples > {MAX_MIN_SIZE}, or a range of more than "
            f"{MAX_SWEEP_CANDIDATES} candidates",
        ),
        ErrorDecl(
            "0008",
            "a choice is not one of the listed values, or the range holds a value below 2 or above "
            f"{MAX_MIN_SIZE}",
        ),
        ErrorDecl(
            "0143",
            "training: fewer complete rows than Minimum samples (or than 2), or an Epsilon that "
            "scikit-learn 1.9.1 cannot apply (set it to 0)",
        ),
    )

    def check(self, params: dict[str, Any]) -> None:
        check_sweep_size(params)


def check_sweep_size(params: dict[str, Any]) -> None:
    """A range may enumerate at most MAX_SWEEP_CANDIDATES minimum cluster sizes."""
    sizes = params["min_cluster_size_range"]
    if params["trainer_mode"] == "range" and len(sizes) > MAX_SWEEP_CANDIDATES:
        raise param_error(
            "min_cluster_size_range",
            "0007",
            f"The range enumerates {len(sizes)} minimum cluster sizes; at most {MAX_SWEEP_CANDIDATES} are "
            "allowed (STUDIO_MAX_SWEEP_CANDIDATES). Narrow the range.",
        )
