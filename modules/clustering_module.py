"""What every algorithm's "Initialize Model / Clustering" module shares: its place in the palette, its
one output, the parameters every clustering configuration has, and a run and an infer that build the
configuration from the parameters. An algorithm's module (modules/catalog/<name>.py) subclasses
:class:`ClusteringModule` and declares only what is its own.

When the configuration finds the number of clusters itself (``ClusterConfig.decides_k``), the module's
description (palette, parameter panel, generated docs, ``GET /api/modules``) ends with
:data:`FOUND_BY_FIT`."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from modules.algorithms.base import Candidate, ClusterConfig
from modules.context import RunContext
from modules.contract import Choice, InferEnv, Inferred, Module, Param, Port
from modules.errors import ModuleError
from modules.scoring import LABEL_MODE_CHOICES

__all__ = [
    "FOUND_BY_FIT",
    "RANGE",
    "SINGLE",
    "ClusteringModule",
    "assign_label_mode_param",
    "grid_candidates",
    "normalize_param",
    "trainer_mode_param",
]

#: What the description of a module whose fit decides k says (once, at its end).
FOUND_BY_FIT = (
    "The number of clusters is found by the fit: it is an output, not a parameter (the trained model, "
    "its view and the sweep table report it)."
)

#: ``visible_when`` of the parameters of one mode.
SINGLE = {"trainer_mode": "single"}
RANGE = {"trainer_mode": "range"}


def trainer_mode_param(ranges: str) -> Param:
    """Single Parameter or Parameter Range; ``ranges`` says what a range sweeps (e.g. "numbers of
    clusters")."""
    return Param(
        "trainer_mode",
        "Create trainer mode",
        "choice",
        default="single",
        choices=(Choice("single", "Single Parameter"), Choice("range", "Parameter Range")),
        description=f"Single Parameter: one configuration. Parameter Range: {ranges} for Sweep Clustering.",
    )


def normalize_param() -> Param:
    return Param(
        "normalize",
        "Normalize features",
        "bool",
        default=True,
        description="Min-max scale each feature to [0, 1] with the training data's minimum and maximum; "
        "the scaling is part of the trained model and re-applied by Assign Data to Clusters.",
    )


def assign_label_mode_param(cluster_label: str) -> Param:
    """``cluster_label`` says which labelled row gives a cluster its label (e.g. "nearest its centroid")."""
    return Param(
        "assign_label_mode",
        "Assign label mode",
        "choice",
        default="ignore",
        choices=LABEL_MODE_CHOICES,
        description="What to do with the label column: ignore it; fill its missing values with the "
        "cluster's label; or overwrite every row's label with its cluster's label (a cluster's label is "
        f"that of the labelled row {cluster_label}). Needs a label column on the trainer.",
    )


def grid_candidates(
    n_clusters: Sequence[int],
    ranges: Mapping[str, Sequence[Any]] | None = None,
    *,
    inits: Sequence[str] = ("",),
    seeds: Sequence[int | None] = (None,),
) -> list[Candidate]:
    """Every combination of the numbers of clusters, initialisations, values of the swept parameters and
    seeds, in run-index order (k, then initialisation, then the ``ranges`` in their order, then seed).

    ``ranges`` maps a parameter id of the declaration to the values a sweep tries; each candidate's
    ``settings`` holds one value of each. Sweep Clustering gives every parameter whose value varies
    across the candidates a column of the sweep table, named by the declaration's parameter of that id
    (``n_clusters`` 0: the fit decides the number of clusters).
    """
    keys = list(ranges or {})
    grids = [list((ranges or {})[key]) for key in keys]
    return [
        Candidate(int(k), init, seed, settings=dict(zip(keys, values, strict=True)))
        for k, init, values, seed in itertools.product(n_clusters, inits, itertools.product(*grids), seeds)
    ]


class ClusteringModule(Module):
    """A module that configures one clustering algorithm (it trains nothing itself): its output is the
    algorithm's :class:`ClusterConfig`, built from the parameters by ``config_class.from_state``."""

    category = "Machine Learning / Initialize Model / Clustering"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)
    config_class: ClassVar[type[ClusterConfig]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        config = cls.__dict__.get("config_class")
        if config is not None and config.decides_k and FOUND_BY_FIT not in cls.description:
            cls.description = f"{cls.description} {FOUND_BY_FIT}".strip()

    def check(self, params: dict[str, Any]) -> None:
        """Raise ModuleError for a combination of parameters their own checks cannot refuse."""

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        self.check(params)
        return {"untrained_model": self.config_class.from_state(params)}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        try:
            self.check(params)
        except ModuleError as exc:
            return Inferred(errors=[exc])
        return Inferred(outputs={"untrained_model": self.config_class.from_state(params)})
