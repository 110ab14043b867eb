"""Cluster Studio modules: the clustering engine, one declaration per module, and headless entry points.

Everything the studio shows and runs is generated from the module declarations in
:mod:`modules.catalog`::

    import modules

    modules.catalogue()                                   # the JSON of GET /api/modules
    out = modules.run_module("kmeans_clustering", {"n_clusters": 3}, {})
    res = modules.run_module("train_clustering_model", {"label_column": "species"},
                             {"untrained_model": out["untrained_model"], "dataset": df})
    outputs = modules.run_graph(graph, load_dataset)     # {(node_id, port_id): value}
    report = modules.validate_graph(graph)               # {valid, errors, warnings}
    signatures = modules.graph_signatures(graph, {})      # {node_id: what the run cache matches}

Failures raise :class:`ModuleError` with ``.code`` (``"0001"`` …) and ``.message``.
This package imports no web framework and nothing from ``backend``.
"""

from __future__ import annotations

import os

# Idle OpenMP threads spin only briefly (libgomp's default is 300,000 spins) before they sleep. Two
# OpenMP runtimes share the cores here, Numba's kernels and scikit-learn's own libgomp, beside
# OpenBLAS's threads: one's spinning threads stole the cores from the other and made a small
# scikit-learn fit up to twice as slow. A short spin still catches the engine's back-to-back
# passes; sleeping at once (OMP_WAIT_POLICY=PASSIVE) made small K-Means fits 3x slower. Read when a
# runtime loads, so it is set before anything loads one; an explicit setting wins.
# Measured: docs/benchmarks-modules.md, "Other algorithms".
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

from typing import Any  # noqa: E402

from modules import registry
from modules.algorithms.base import ClusterConfig
from modules.context import RunContext
from modules.errors import ERROR_CODES, Cancelled, ModuleError
from modules.graph import GraphError, ancestors, run_graph, topological_order, validate_graph
from modules.runner import check_inputs, run_module
from modules.signature import graph_signatures, node_signature
from modules.trained_model import (
    TrainedClusterModel,
    dump_model,
    load_model,
    model_from_bytes,
    model_to_bytes,
)

__all__ = [
    "ERROR_CODES",
    "Cancelled",
    "GraphError",
    "ModuleError",
    "RunContext",
    "ClusterConfig",
    "TrainedClusterModel",
    "ancestors",
    "catalogue",
    "check_inputs",
    "dump_model",
    "graph_signatures",
    "load_model",
    "model_from_bytes",
    "model_to_bytes",
    "node_signature",
    "registry",
    "run_graph",
    "run_module",
    "topological_order",
    "validate_graph",
]


def catalogue() -> list[dict[str, Any]]:
    """The JSON served verbatim as ``GET /api/modules``."""
    return registry.catalogue()
