"""The silhouette plot of a results table: each row's silhouette, sorted within its cluster, and the rows
that fit worst (the values and their rules are :mod:`modules.silhouette`'s).

The feature space is :func:`modules.silhouette.feature_space`'s: the table's numeric columns other than
results, each min-max scaled to [0, 1] over the rows with a cluster and every feature present — the
space the clustering modules fit in when they normalise (their default).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from backend.services.outputs.jsonsafe import JsonDict, finite_or_none, json_scalar
from backend.services.outputs.profiles import assignments_column
from modules.silhouette import table_silhouettes

WORST_ROWS = 10
VALUE_DECIMALS = 4
#: Feature values shown beside a badly fitting row, at most.
SHOWN_FEATURES = 8


def silhouette_plot(frame: pd.DataFrame, row_numbers: Sequence[int] | None = None) -> JsonDict:
    """The silhouette payload: per cluster its exact values sorted high to low and its worst rows.
    ``row_numbers``: ``frame`` is a sample of a larger table, its rows are these rows of the table (the
    worst rows are named by them)."""
    assignments = assignments_column(frame)
    numbers = np.asarray(row_numbers if row_numbers is not None else np.arange(len(frame)), dtype=np.int64)
    found, space = table_silhouettes(frame)
    names, rows = space.features, space.rows
    positions = [frame.columns.get_loc(name) for name in names]
    labels = space.labels
    base: JsonDict = {
        "assignments": assignments,
        "features": names,
        "n_rows": len(frame),
        "clustered_rows": int(rows.size),
        "excluded_rows": int(len(frame) - rows.size),
    }
    if not names or rows.size == 0:
        message = (
            "No numeric feature columns to measure distances in"
            if not names
            else ("No row has a cluster and every feature")
        )
        return {
            **base,
            "sampled": False,
            "exact_rows": 0,
            "mean": None,
            "mean_simplified": None,
            "clusters": [],
            "message": message,
        }
    exact, simplified = found.exact[rows], found.simplified[rows]
    clusters = []
    for cluster in np.unique(labels[rows]):
        members = np.flatnonzero(labels[rows] == cluster)
        measured = members[np.isfinite(exact[members])]
        values = exact[measured]
        worst = measured[np.argsort(values, kind="stable")[:WORST_ROWS]]
        clusters.append(
            {
                "cluster": int(cluster),
                "size": int(members.size),
                "measured": int(measured.size),
                "mean": finite_or_none(values.mean()) if values.size else None,
                "mean_simplified": finite_or_none(np.nanmean(simplified[members])) if members.size else None,
                "values": np.round(np.sort(values)[::-1], VALUE_DECIMALS).tolist(),
                "worst": [
                    {
                        "row": int(numbers[rows[i]]),
                        "silhouette": finite_or_none(exact[i]),
                        "simplified": finite_or_none(simplified[i]),
                        "values": {
                            name: json_scalar(frame.iat[int(rows[i]), p])
                            for name, p in zip(
                                names[:SHOWN_FEATURES], positions[:SHOWN_FEATURES], strict=True
                            )
                        },
                    }
                    for i in worst
                ],
            }
        )
    measured_all = exact[np.isfinite(exact)]
    return {
        **base,
        "sampled": found.sampled,
        "exact_rows": int(measured_all.size),
        "mean": finite_or_none(measured_all.mean()) if measured_all.size else None,
        "mean_simplified": finite_or_none(np.nanmean(simplified)) if np.isfinite(simplified).any() else None,
        "message": None if measured_all.size else "A silhouette needs at least two clusters",
        "clusters": clusters,
    }
