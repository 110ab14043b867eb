"""DBSCAN Clustering — the configuration of a density-based clustering model (it trains nothing
itself)."""

from __future__ import annotations

from typing import Any

from modules.algorithms.dbscan import METRIC_CHOICES, DBSCANConfig
from modules.clustering_module import (
    RANGE,
    SINGLE,
    ClusteringModule,
    assign_label_mode_param,
    normalize_param,
    trainer_mode_param,
)
from modules.contract import ErrorDecl, Param, param_error
from modules.limits import MAX_SWEEP_CANDIDATES

#: The largest minimum number of samples (a neighbourhood larger than this is rarely meant).
MAX_MIN_SAMPLES = 10_000
#: The most values of eps a range may step through.
MAX_EPS_COUNT = 100


class DBSCANClustering(ClusteringModule):
    config_class = DBSCANConfig
    id = "dbscan_clustering"
    name = "DBSCAN Clustering"
    description = (
        "Configures a DBSCAN model (density-based clustering, scikit-learn's DBSCAN): a row with at least "
        "'Minimum samples' rows (itself included) within distance eps is a core sample; core samples "
        "within eps of each other form one cluster, a row within eps of a core sample joins its cluster, "
        "and every other row is noise — 'Assignments' -1, shown as Noise and drawn grey. Clusters may "
        "have any shape. New rows (Assign Data to Clusters) join the cluster of their nearest core sample "
        "if it is within eps, else they are noise. The results have no per-cluster score columns. The fit "
        "holds every row's neighbourhood; inputs whose estimated neighbourhoods exceed the memory budget "
        "(STUDIO_MAX_PAIRWISE_BYTES) are refused: lower eps or train on a sample."
    )
    version = 1
    order = 24
    params = (
        trainer_mode_param("a grid of eps values × minimum samples"),
        Param(
            "eps",
            "Eps (neighbourhood radius)",
            "float",
            default=0.2,
            min=0.0,
            min_exclusive=True,
            visible_when=SINGLE,
            description="The largest distance between two rows for one to be in the other's neighbourhood "
            "(scikit-learn's eps), in the units of the features after normalisation: with normalised "
            "features 0.2 suits a few features (Iris); more features need more (Wine's 13: about 0.5).",
        ),
        Param(
            "min_samples",
            "Minimum samples",
            "int",
            default=5,
            min=1,
            max=MAX_MIN_SAMPLES,
            visible_when=SINGLE,
            description="How many rows (the row itself included) must lie within eps of a row for it to be "
            "a core sample (scikit-learn's min_samples). Higher: denser clusters, more noise.",
        ),
        Param(
            "metric",
            "Metric",
            "choice",
            default="euclidean",
            choices=METRIC_CHOICES,
            description="The distance between two rows: Euclidean, Manhattan (sum of absolute differences) "
            "or cosine (1 − cosine similarity; rows of all zeros are refused).",
        ),
        Param(
            "eps_from",
            "Eps from",
            "float",
            default=0.1,
            min=0.0,
            min_exclusive=True,
            visible_when=RANGE,
            description="The smallest eps of the sweep.",
        ),
        Param(
            "eps_to",
            "Eps to",
            "float",
            default=0.5,
            min=0.0,
            min_exclusive=True,
            visible_when=RANGE,
            description="The largest eps of the sweep (at least 'Eps from').",
        ),
        Param(
            "eps_count",
            "Number of eps values",
            "int",
            default=5,
            min=1,
            max=MAX_EPS_COUNT,
            visible_when=RANGE,
            description="How many values of eps, evenly spaced from 'Eps from' to 'Eps to' (both included; "
            "1: 'Eps from' alone).",
        ),
        Param(
            "min_samples_range",
            "Range for Minimum samples",
            "int_range_string",
            default="5",
            min=1,
            max=MAX_MIN_SAMPLES,
            visible_when=RANGE,
            description="Values of the minimum samples to sweep: comma-separated integers and ranges, e.g. "
            "'5' or '3-6, 10'. Every one is tried with every eps.",
        ),
        normalize_param(),
        assign_label_mode_param("that comes first in the cluster (noise rows keep their label)"),
    )
    errors = (
        ErrorDecl("0002", "a parameter has the wrong type, or the range string cannot be parsed"),
        ErrorDecl("0004", "eps, Eps from or Eps to ≤ 0"),
        ErrorDecl("0005", "Minimum samples < 1 or Number of eps values < 1"),
        ErrorDecl(
            "0007",
            f"Minimum samples > {MAX_MIN_SAMPLES}, Number of eps values > {MAX_EPS_COUNT}, or a range of "
            f"more than {MAX_SWEEP_CANDIDATES} candidates",
        ),
        ErrorDecl(
            "0008",
            f"a choice is not one of the listed values, Eps to < Eps from, or the range holds a value below "
            f"1 or above {MAX_MIN_SAMPLES}",
        ),
    )

    def check(self, params: dict[str, Any]) -> None:
        check_range(params)


def check_range(params: dict[str, Any]) -> None:
    """0008 when Eps to < Eps from; 0007 when the grid enumerates more than MAX_SWEEP_CANDIDATES."""
    if params["trainer_mode"] != "range":
        return
    if params["eps_to"] < params["eps_from"]:
        raise param_error(
            "eps_to",
            "0008",
            f"'Eps to' (eps_to) {params['eps_to']:g} is below 'Eps from' (eps_from) {params['eps_from']:g}: "
            "the sweep runs from the smaller to the larger.",
        )
    n = params["eps_count"] * len(params["min_samples_range"])
    if n > MAX_SWEEP_CANDIDATES:
        raise param_error(
            "min_samples_range",
            "0007",
            f"The range enumerates {n} pairs of eps and minimum samples; at most {MAX_SWEEP_CANDIDATES} are "
            "allowed (STUDIO_MAX_SWEEP_CANDIDATES). Fewer eps values or a narrower range.",
        )
