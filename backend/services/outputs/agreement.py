"""External validation of a results table: how its clusters agree with a label column of the same table
(the scores and their rules are :mod:`modules.agreement`'s)."""

from __future__ import annotations

import pandas as pd

from backend.services.outputs.jsonsafe import JsonDict, finite_or_none
from backend.services.outputs.profiles import NotAClusteringResult, assignments_column
from modules.agreement import AGREEMENT_METRICS, agreement, known_pairs
from modules.results import is_result_column

#: A label column with more distinct values than this is not a labelling to compare with.
MAX_LABEL_VALUES = 200


class InvalidLabelColumn(ValueError):
    """The label column is missing, is a result column, or has too many distinct values."""


def label_agreement(frame: pd.DataFrame, label_column: str) -> JsonDict:
    """The agreement scores and the clusters × labels contingency table."""
    assignments = assignments_column(frame)
    if label_column not in frame.columns or is_result_column(label_column):
        raise InvalidLabelColumn(f"The table has no label column {label_column!r}")
    clusters, labels, left_out = known_pairs(frame[assignments], frame[label_column])
    distinct = len(pd.unique(labels))
    if distinct > MAX_LABEL_VALUES:
        raise InvalidLabelColumn(
            f"Column {label_column!r} has {distinct} distinct values: "
            f"a label column has at most {MAX_LABEL_VALUES}"
        )
    found = agreement(clusters, labels)
    return {
        "assignments": assignments,
        "label_column": label_column,
        "n_rows": len(frame),
        "compared_rows": found.compared,
        "left_out": left_out,
        "metrics": [
            {
                "id": m.id,
                "name": m.name,
                "description": m.description,
                "value": finite_or_none(found.scores[m.id]),
            }
            for m in AGREEMENT_METRICS
        ],
        "clusters": found.clusters,
        "labels": found.labels,
        "contingency": found.contingency.tolist(),
    }


__all__ = ["MAX_LABEL_VALUES", "InvalidLabelColumn", "NotAClusteringResult", "label_agreement"]
