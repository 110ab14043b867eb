"""Payloads computed once from a stored clustering result and kept beside it
(``ArtefactStore.write_derived``): the data of its result views. The worker that ran the node computes
them beside its chart, so a view opens at once; the API computes one that is missing (an output of an
earlier version) on first request.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from backend.services.outputs.jsonsafe import JsonDict
from backend.services.outputs.profiles import cluster_profiles
from backend.services.outputs.result_metrics import result_metrics
from backend.services.outputs.silhouette import silhouette_plot
from backend.services.outputs.tables import table_summary

PROFILE = "profile"
SILHOUETTE = "silhouette"
METRICS = "result_metrics"
#: Any table's statistics and preview (what the Table tab and the output's summary show).
SUMMARY = "summary"

#: Derived payload name → how it is computed from the results table.
RESULT_PAYLOADS: dict[str, Callable[[pd.DataFrame], JsonDict]] = {
    PROFILE: cluster_profiles,
    SILHOUETTE: silhouette_plot,
    METRICS: result_metrics,
    SUMMARY: table_summary,
}
