"""Node outputs as the JSON the API serves: table summaries, row pages, CSV, and chart payloads.

Pure functions over pandas frames; no web framework, no database.
"""

from backend.services.outputs.clusters import cluster_visualization, is_clustering_result
from backend.services.outputs.jsonsafe import json_scalar
from backend.services.outputs.sweep import is_sweep_results, sweep_visualization
from backend.services.outputs.tables import (
    column_type,
    iter_csv,
    iter_csv_parts,
    page_payload,
    parts_table_summary,
    table_page,
    table_summary,
    table_visualization,
)
from backend.services.outputs.visualize import visualize

__all__ = [
    "cluster_visualization",
    "column_type",
    "is_clustering_result",
    "is_sweep_results",
    "iter_csv",
    "iter_csv_parts",
    "json_scalar",
    "page_payload",
    "parts_table_summary",
    "sweep_visualization",
    "table_page",
    "table_summary",
    "table_visualization",
    "visualize",
]
