"""Picking the right visualisation for a table output."""

from __future__ import annotations

import pandas as pd

from backend.services.outputs.clusters import cluster_visualization, is_clustering_result
from backend.services.outputs.jsonsafe import JsonDict
from backend.services.outputs.sweep import is_sweep_results, sweep_visualization
from backend.services.outputs.tables import table_visualization


def visualize_table(df: pd.DataFrame, max_points: int | None = 5000) -> JsonDict:
    """``{"kind": "sweep" | "clusters" | "table", ...}``: sweep chart, cluster chart or column stats."""
    if is_sweep_results(df):
        return {"kind": "sweep", **sweep_visualization(df)}
    if is_clustering_result(df):
        return {"kind": "clusters", **cluster_visualization(df, max_points=max_points)}
    return {"kind": "table", **table_visualization(df)}
