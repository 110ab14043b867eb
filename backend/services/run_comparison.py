"""Two clustering results side by side: the parameters that differ between their runs, each result's
metrics, and how their assignments agree (adjusted Rand index and the rest, :mod:`modules.agreement`).

The two results must be of the same rows in the same order (the same data through two runs): row i of
one is row i of the other. Each result's metrics are
:func:`backend.services.outputs.result_metrics.result_metrics`, computed the same way for both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import ExperimentVersion, Run
from backend.services.outputs.clusters import cluster_labels
from backend.services.outputs.jsonsafe import finite_or_none
from backend.services.outputs.profiles import assignments_column
from backend.services.outputs.result_metrics import RESULT_METRICS, result_metrics
from modules.agreement import AGREEMENT_METRICS, Agreement, agreement, agreement_from_pairs


class NotComparable(ValueError):
    """The two outputs are not clustering results of the same rows."""


def _graph(session: Session, run: Run) -> dict[str, Any]:
    version = session.scalar(
        select(ExperimentVersion).where(
            ExperimentVersion.experiment_id == run.experiment_id,
            ExperimentVersion.version == run.experiment_version,
        )
    )
    return version.graph if version is not None else {"nodes": [], "edges": []}


def parameter_differences(graph_a: dict[str, Any], graph_b: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node parameter (and module) that is not the same in the two graphs, node by node."""
    nodes_a = {n["id"]: n for n in graph_a.get("nodes", [])}
    nodes_b = {n["id"]: n for n in graph_b.get("nodes", [])}
    differences = []
    for node_id in sorted(nodes_a.keys() | nodes_b.keys()):
        a, b = nodes_a.get(node_id), nodes_b.get(node_id)
        if a is None or b is None or a.get("module") != b.get("module"):
            differences.append(
                {
                    "node_id": node_id,
                    "param": "module",
                    "a": a.get("module") if a else None,
                    "b": b.get("module") if b else None,
                }
            )
            continue
        params_a, params_b = a.get("params") or {}, b.get("params") or {}
        for name in sorted(params_a.keys() | params_b.keys()):
            if params_a.get(name) != params_b.get(name):
                differences.append(
                    {"node_id": node_id, "param": name, "a": params_a.get(name), "b": params_b.get(name)}
                )
    return differences


def compare_results(
    session: Session,
    run_a: Run,
    frame_a: pd.DataFrame,
    run_b: Run,
    frame_b: pd.DataFrame,
    metrics: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The comparison payload (NotComparable unless both are clustering results of the same rows).

    ``metrics``: the two results' :func:`result_metrics` when known (the API keeps them beside each
    stored result, computed once); computed from the frames when not given."""
    try:
        column_a, column_b = assignments_column(frame_a), assignments_column(frame_b)
    except ValueError as exc:
        raise NotComparable(str(exc)) from None
    if len(frame_a) != len(frame_b):
        raise NotComparable(
            f"The results have {len(frame_a):,} and {len(frame_b):,} rows: they are not of the same rows"
        )
    a, b = cluster_labels(frame_a[column_a]), cluster_labels(frame_b[column_b])
    both = (a >= 0) & (b >= 0)
    found = agreement(a[both], b[both])  # numbers: sorted as numbers
    if metrics is None:
        metrics = result_metrics(frame_a), result_metrics(frame_b)
    return _payload(session, run_a, run_b, len(frame_a), found, metrics)


@dataclass(frozen=True)
class AssignmentChunks:
    """A results table's assignments column as consecutive row chunks (of a table stored partitioned:
    one part at a time), ``chunks()`` reading them in order."""

    n_rows: int
    chunks: Callable[[], Iterator[pd.Series]]


def _aligned(a: Iterator[np.ndarray], b: Iterator[np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Two streams of chunks of the same rows, cut where either stream's chunks end."""
    left = right = np.empty(0, np.int64)
    while True:
        while left.size == 0:
            if (left_next := next(a, None)) is None:
                return
            left = left_next
        while right.size == 0:
            if (right_next := next(b, None)) is None:
                return
            right = right_next
        size = min(left.size, right.size)
        yield left[:size], right[:size]
        left, right = left[size:], right[size:]


def compare_chunked(
    session: Session,
    run_a: Run,
    a: AssignmentChunks,
    run_b: Run,
    b: AssignmentChunks,
    metrics: tuple[dict[str, Any], dict[str, Any]],
) -> dict[str, Any]:
    """:func:`compare_results` of two results read in row chunks (either stored partitioned): the
    agreement counted chunk by chunk by (cluster of a, cluster of b) pair, exact."""
    if a.n_rows != b.n_rows:
        raise NotComparable(
            f"The results have {a.n_rows:,} and {b.n_rows:,} rows: they are not of the same rows"
        )
    counts: Counter[tuple[int, int]] = Counter()
    labels_a = (cluster_labels(chunk) for chunk in a.chunks())
    labels_b = (cluster_labels(chunk) for chunk in b.chunks())
    for left, right in _aligned(labels_a, labels_b):
        both = (left >= 0) & (right >= 0)
        if both.any():
            pairs, n = np.unique(np.column_stack([left[both], right[both]]), axis=0, return_counts=True)
            counts.update({(int(x), int(y)): int(k) for (x, y), k in zip(pairs, n, strict=True)})
    return _payload(session, run_a, run_b, a.n_rows, agreement_from_pairs(dict(counts)), metrics)


def _payload(
    session: Session,
    run_a: Run,
    run_b: Run,
    n_rows: int,
    found: Agreement,
    metrics: tuple[dict[str, Any], dict[str, Any]],
) -> dict[str, Any]:
    metrics_a, metrics_b = metrics
    return {
        "runs": [run_a.id, run_b.id],
        "n_rows": n_rows,
        "compared_rows": found.compared,
        "parameters": parameter_differences(_graph(session, run_a), _graph(session, run_b)),
        "metrics": [
            {
                "id": metric_id,
                "name": name,
                "better": better,
                "a": metrics_a[metric_id],
                "b": metrics_b[metric_id],
            }
            for metric_id, name, better in RESULT_METRICS
        ],
        "agreement": [
            {
                "id": m.id,
                "name": m.name,
                "description": m.description,
                "value": finite_or_none(found.scores[m.id]),
            }
            for m in AGREEMENT_METRICS
        ],
        "clusters_a": found.clusters,
        "clusters_b": [int(label) for label in found.labels],
        "contingency": found.contingency.tolist(),
    }
