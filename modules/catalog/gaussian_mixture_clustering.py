"""Gaussian Mixture Clustering — the configuration of a Gaussian mixture model (it trains nothing itself)."""

from __future__ import annotations

from typing import Any

from modules.algorithms.gaussian_mixture import COVARIANCE_CHOICES, INIT_CHOICES, GaussianMixtureConfig
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


class GaussianMixtureClustering(ClusteringModule):
    config_class = GaussianMixtureConfig
    id = "gaussian_mixture_clustering"
    name = "Gaussian Mixture Clustering"
    description = (
        "Configures a Gaussian mixture model (scikit-learn's GaussianMixture, fitted by expectation-"
        "maximisation): each cluster is a Gaussian component with its own weight, mean and covariance, so "
        "clusters may be elongated, tilted and of different sizes. Results give each row's probability of "
        "every component ('ProbabilityOfCluster no.j') and its most probable one ('Assignments'). Connect "
        "it to Train Clustering Model (single parameters) or Sweep Clustering (a range of component "
        "counts; pick the number by BIC or AIC, lower is better). New rows go to their most probable "
        "component."
    )
    version = 1
    order = 22
    params = (
        trainer_mode_param("a range of component counts"),
        Param(
            "n_components",
            "Number of components",
            "int",
            default=3,
            min=2,
            max=MAX_CLUSTERS,
            visible_when=SINGLE,
            description=f"The number of Gaussian components, i.e. clusters (at most {MAX_CLUSTERS}; "
            "STUDIO_MAX_CLUSTERS sets it).",
        ),
        Param(
            "n_components_range",
            "Range for number of components",
            "int_range_string",
            default="2-6",
            min=2,
            max=MAX_CLUSTERS,
            visible_when=RANGE,
            description="Numbers of components to sweep: comma-separated integers and ranges, "
            "e.g. '2-10' or '2-5, 10'.",
        ),
        Param(
            "covariance_type",
            "Covariance type",
            "choice",
            default="full",
            choices=COVARIANCE_CHOICES,
            description="The shape of each component. Full: its own covariance matrix (any ellipsoid). "
            "Tied: one covariance matrix shared by all components. Diagonal: its own axis-aligned "
            "ellipsoid. Spherical: its own single variance (a sphere).",
        ),
        Param(
            "init_params",
            "Initialization",
            "choice",
            default="kmeans",
            choices=INIT_CHOICES,
            description="How the components start. K-Means: from a K-Means clustering of the rows. "
            "K-Means++: from k-means++ seeding. Random: from random responsibilities.",
        ),
        Param(
            "max_iter",
            "Iterations",
            "int",
            default=100,
            min=1,
            max=10_000,
            description="The most EM iterations.",
        ),
        Param(
            "tol",
            "Tolerance",
            "float",
            default=1e-3,
            min=0.0,
            description="Stop once an EM iteration raises the lower bound of the average log-likelihood "
            "by at most this much.",
        ),
        Param(
            "reg_covar",
            "Regularisation",
            "float",
            default=1e-6,
            min=0.0,
            description="Added to the diagonal of every covariance so that it stays invertible (in the "
            "units of the features after normalisation). Raise it when the fit reports a singular "
            "covariance.",
        ),
        Param(
            "seed",
            "Random number seed",
            "seed",
            default=None,
            nullable=True,
            description="The same data, parameters and seed give the same mixture. Empty: a seed is drawn "
            "at random, written to the node log and stored in the trained model (Sweep Clustering: "
            "derived from its own seed).",
        ),
        normalize_param(),
        assign_label_mode_param("most probably in it"),
    )
    errors = (
        ErrorDecl("0002", "a parameter has the wrong type, or the range string cannot be parsed"),
        ErrorDecl("0005", "Number of components < 2, Iterations < 1, Tolerance < 0 or Regularisation < 0"),
        ErrorDecl(
            "0007",
            f"Number of components > {MAX_CLUSTERS}, Iterations > 10000, the seed > 4294967295, or a range "
            f"of more than {MAX_SWEEP_CANDIDATES} candidates",
        ),
        ErrorDecl(
            "0008",
            f"a choice is not one of the listed values, or the range holds a value below 2 or above "
            f"{MAX_CLUSTERS}",
        ),
        ErrorDecl(
            "0143",
            "training: a component's covariance became singular (raise Regularisation, use fewer "
            "components or a simpler covariance type)",
        ),
    )

    def check(self, params: dict[str, Any]) -> None:
        check_sweep_size(params)


def check_sweep_size(params: dict[str, Any]) -> None:
    """A range may enumerate at most MAX_SWEEP_CANDIDATES component counts."""
    if params["trainer_mode"] == "range" and len(params["n_components_range"]) > MAX_SWEEP_CANDIDATES:
        raise param_error(
            "n_components_range",
            "0007",
            f"The range enumerates {len(params['n_components_range'])} numbers of components; at most "
            f"{MAX_SWEEP_CANDIDATES} are allowed (STUDIO_MAX_SWEEP_CANDIDATES). Narrow the range.",
        )
