"""K-Means Clustering — the configuration of a K-Means model (it trains nothing itself)."""

from __future__ import annotations

from typing import Any

from modules.algorithms.kmeans import INIT_CHOICES, METRIC_CHOICES, KMeansConfig
from modules.clustering_module import (
    RANGE,
    SINGLE,
    ClusteringModule,
    assign_label_mode_param,
    normalize_param,
    trainer_mode_param,
)
from modules.contract import ErrorDecl, Param, param_error
from modules.limits import MAX_CLUSTERS, MAX_SWEEP_CANDIDATES


class KMeansClustering(ClusteringModule):
    config_class = KMeansConfig
    id = "kmeans_clustering"
    name = "K-Means Clustering"
    description = (
        "Configures a K-Means clustering model: Lloyd's algorithm with a choice of initialisation and "
        "metric. Connect it to Train Clustering Model (single parameters) or Sweep Clustering (parameter "
        "ranges). A centroid that loses all its rows is re-seeded at the row farthest from its centroid."
    )
    version = 1
    order = 20
    params = (
        trainer_mode_param("ranges"),
        Param(
            "n_clusters",
            "Number of Centroids",
            "int",
            default=2,
            min=2,
            max=MAX_CLUSTERS,
            visible_when=SINGLE,
            description=f"k, the number of clusters (at most {MAX_CLUSTERS}; STUDIO_MAX_CLUSTERS sets it).",
        ),
        Param(
            "n_clusters_range",
            "Range for Number of Centroids",
            "int_range_string",
            default="2-5",
            min=2,
            max=MAX_CLUSTERS,
            visible_when=RANGE,
            description="Values of k to sweep: comma-separated integers and ranges, "
            "e.g. '2-10' or '2-5, 10, 20'.",
        ),
        Param(
            "init",
            "Initialization",
            "choice",
            default="kmeans++",
            choices=INIT_CHOICES,
            visible_when=SINGLE,
            description="How the initial centroids are chosen. First N: the first k distinct rows. Random: "
            "random partition. K-Means++: D² seeding. K-Means++ Fast: k-means|| (scalable k-means++). "
            "Evenly: "
            "evenly spaced between the per-feature minimum and maximum. Use label column: one centroid per "
            "label value, most frequent first (needs a label column).",
        ),
        Param(
            "init_sweep",
            "Initialization for sweep",
            "multi_choice",
            default=["kmeans++"],
            choices=INIT_CHOICES,
            visible_when=RANGE,
            description="The initialisations to sweep.",
        ),
        Param(
            "seed",
            "Random number seed",
            "seed",
            default=None,
            nullable=True,
            visible_when=SINGLE,
            description="The same data, parameters and seed give the same centroids. Empty: a seed is drawn "
            "at random, written to the node log and stored in the trained model.",
        ),
        Param(
            "n_seeds",
            "Number of seeds to sweep",
            "int",
            default=1,
            min=1,
            max=100,
            visible_when=RANGE,
            description="How many seeds Sweep Clustering tries for each number of centroids and "
            "initialisation.",
        ),
        Param(
            "metric",
            "Metric",
            "choice",
            default="euclidean",
            choices=METRIC_CHOICES,
            description="Euclidean distance, or cosine distance (1 − cosine similarity; spherical k-means).",
        ),
        normalize_param(),
        Param(
            "iterations",
            "Iterations",
            "int",
            default=100,
            min=1,
            max=10_000,
            description="The most Lloyd passes.",
        ),
        Param(
            "tol",
            "Tolerance",
            "float",
            default=0.0,
            min=0.0,
            description="Stop once the centroids move by little: when the sum over clusters of the squared "
            "centroid shift is at most this value times the mean variance of the features (scikit-learn's "
            "tol, relative to the data). 0: iterate until no row changes cluster (or Iterations is reached).",
        ),
        Param(
            "n_init",
            "Number of restarts",
            "int",
            default=1,
            min=1,
            max=100,
            description="Fit this many times from different initialisations (seeds derived from the random "
            "number seed) and keep the fit with the lowest inertia (sum of squared distances to the own "
            "centre; the first on a tie), as scikit-learn's n_init. Each restart costs a full fit.",
        ),
        Param(
            "float32",
            "Use 32-bit floats",
            "bool",
            default=False,
            description="Hold the feature matrix in 32-bit floats while fitting (half the memory of the "
            "default 64-bit). Sums and distances are still computed in 64 bits, so the fit is exactly the "
            "64-bit fit of the features (under cosine: their directions) rounded to 32 bits (about 7 "
            "significant digits): centroids agree "
            "with the 64-bit fit to about 1e-6 of the features' range, and a row lying almost midway "
            "between two centres may change cluster.",
        ),
        assign_label_mode_param("nearest its centroid"),
    )
    errors = (
        ErrorDecl("0002", "a parameter has the wrong type, or the range string cannot be parsed"),
        ErrorDecl(
            "0005",
            "Number of Centroids < 2, Number of seeds < 1, Iterations < 1, Tolerance < 0 or Number of "
            "restarts < 1",
        ),
        ErrorDecl(
            "0007",
            f"Number of Centroids > {MAX_CLUSTERS}, Number of seeds > 100, Iterations > 10000, the seed > "
            f"4294967295, Number of restarts > 100, or a parameter range of more than "
            f"{MAX_SWEEP_CANDIDATES} candidates",
        ),
        ErrorDecl(
            "0008",
            f"a choice is not one of the listed values, or the range holds a value below 2 or above "
            f"{MAX_CLUSTERS}",
        ),
    )

    def check(self, params: dict[str, Any]) -> None:
        check_sweep_size(params)


def check_sweep_size(params: dict[str, Any]) -> None:
    """A parameter range may enumerate at most MAX_SWEEP_CANDIDATES candidates (k × inits × seeds)."""
    if params["trainer_mode"] != "range":
        return
    ks, inits, seeds = len(params["n_clusters_range"]), len(params["init_sweep"]), params["n_seeds"]
    if ks * inits * seeds > MAX_SWEEP_CANDIDATES:
        raise param_error(
            "n_clusters_range",
            "0007",
            f"The parameter range enumerates {ks} values of k × {inits} initialisations × {seeds} seeds = "
            f"{ks * inits * seeds} candidates; at most {MAX_SWEEP_CANDIDATES} are allowed "
            "(STUDIO_MAX_SWEEP_CANDIDATES). Narrow the range or use fewer seeds.",
        )
