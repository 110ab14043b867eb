"""The chart payload of an output, drawn by the view its port declares."""

from __future__ import annotations

from typing import Any

from backend.services.outputs.clusters import cluster_visualization, is_clustering_result
from backend.services.outputs.jsonsafe import JsonDict
from backend.services.outputs.sweep import is_sweep_results, sweep_visualization
from backend.services.outputs.tables import table_visualization


def visualize(value: Any, view: str, max_points: int | None = 5000, model: Any = None) -> JsonDict:
    """``{"kind": view, ...}``: the model, the sweep chart, the cluster chart or column statistics.

    A table whose port asks for a chart it cannot have (say, results with their assignments removed)
    falls back to column statistics. ``model``: the trained model the node output beside a results
    table (the cluster chart draws its components' ellipses when it has covariances).
    """
    if view == "model":
        return {"kind": "model", **value.to_json_summary()}
    if view == "sweep" and is_sweep_results(value):
        return {"kind": "sweep", **sweep_visualization(value)}
    if view == "clusters" and is_clustering_result(value):
        return {"kind": "clusters", **cluster_visualization(value, max_points=max_points, model=model)}
    return {"kind": "table", **table_visualization(value)}
