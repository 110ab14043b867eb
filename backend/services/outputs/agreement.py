"""External validation of a results table: how its clusters agree with a label column of the same table
(the scores and their rules are :mod:`modules.agreement`'s)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import pandas as pd

from backend.services.outputs.jsonsafe import JsonDict, finite_or_none
from backend.services.outputs.profiles import NotAClusteringResult, assignments_column
from modules.agreement import (
    AGREEMENT_METRICS,
    Agreement,
    agreement,
    agreement_from_pairs,
    known_pairs,
    pair_counts,
)
from modules.results import is_result_column

#: A label column with more distinct values than this is not a labelling to compare with.
MAX_LABEL_VALUES = 200


class InvalidLabelColumn(ValueError):
    """The label column is missing, is a result column, or has too many distinct values."""


def _compared_columns(columns: pd.DataFrame, label_column: str) -> str:
    """The assignments column of a table with these columns, once the label column is known to be one."""
    assignments = assignments_column(columns)
    if label_column not in columns.columns or is_result_column(label_column):
        raise InvalidLabelColumn(f"The table has no label column {label_column!r}")
    return assignments


def _check_distinct(label_column: str, distinct: int) -> None:
    if distinct > MAX_LABEL_VALUES:
        raise InvalidLabelColumn(
            f"Column {label_column!r} has {distinct} distinct values: "
            f"a label column has at most {MAX_LABEL_VALUES}"
        )


def label_agreement(frame: pd.DataFrame, label_column: str) -> JsonDict:
    """The agreement scores and the clusters × labels contingency table."""
    assignments = _compared_columns(frame, label_column)
    clusters, labels, left_out = known_pairs(frame[assignments], frame[label_column])
    _check_distinct(label_column, len(pd.unique(labels)))
    return _payload(assignments, label_column, len(frame), agreement(clusters, labels), left_out)


def parts_label_agreement(
    columns: pd.DataFrame, parts: Callable[[list[str]], Iterable[pd.DataFrame]], label_column: str
) -> JsonDict:
    """:func:`label_agreement` of a table read in row parts, exact: ``columns`` is an empty frame of its
    columns, ``parts(names)`` its parts in turn (only those columns). Each part's rows are counted by
    (cluster, label) pair (:func:`modules.agreement.pair_counts`) and the scores come from the sum."""
    assignments = _compared_columns(columns, label_column)
    counts: Counter[tuple[int, str]] = Counter()
    left_out: Counter[str] = Counter()
    labels_seen: set[str] = set()
    n_rows = 0
    for part in parts([assignments, label_column]):
        n_rows += len(part)
        clusters, labels, part_left_out = known_pairs(part[assignments], part[label_column])
        left_out.update(part_left_out)
        part_counts = pair_counts(clusters, labels)
        labels_seen.update(label for _, label in part_counts)
        _check_distinct(label_column, len(labels_seen))  # before a column of ids is counted whole
        counts.update(part_counts)
    missing = dict.fromkeys(("missing_assignment", "noise", "missing_label"), 0)
    return _payload(
        assignments, label_column, n_rows, agreement_from_pairs(dict(counts)), {**missing, **left_out}
    )


def _payload(
    assignments: str, label_column: str, n_rows: int, found: Agreement, left_out: dict[str, int]
) -> JsonDict:
    return {
        "assignments": assignments,
        "label_column": label_column,
        "n_rows": n_rows,
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


__all__ = [
    "MAX_LABEL_VALUES",
    "InvalidLabelColumn",
    "NotAClusteringResult",
    "label_agreement",
    "parts_label_agreement",
]
