"""Scoring a table with a trained model: each row's cluster and scores, the label modes, and the
results table (Train, Sweep and Assign all score the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import model_class
from modules.column_types import Schema
from modules.context import RunContext
from modules.errors import Cancelled
from modules.params import Choice, Param
from modules.results import result_column_names
from modules.trained_model import TrainedClusterModel, json_value

__all__ = [
    "LABEL_MODE_CHOICES",
    "Scores",
    "StaticModelInfo",
    "append_param",
    "cluster_labels_from",
    "results_schema",
    "results_table",
    "score_prefix",
    "score_rows",
]

LABEL_MODE_CHOICES = (
    Choice("ignore", "Ignore label column"),
    Choice("fill_missing", "Fill missing values"),
    Choice("overwrite", "Overwrite from closest to center"),
)
#: Cells per block when scoring (keeps the temporaries at a few tens of MB).
_CHUNK_ELEMENTS = 1_000_000


def append_param() -> Param:
    return Param(
        "append",
        "Check for Append or Uncheck for Result Only",
        "bool",
        default=True,
        description="Checked: every input column followed by the new columns. Unchecked: only the new "
        "columns (Assignments and the per-cluster scores).",
    )


def score_prefix(algorithm: str) -> str:
    """The score-column prefix of an algorithm's results."""
    return model_class(algorithm).score_column_prefix


@dataclass
class StaticModelInfo:
    """What graph validation knows about a trained model before it exists."""

    k: int | None
    source_columns: list[str] | None
    label_column: str | None
    algorithm: str | None = None


@dataclass
class Scores:
    """Per input row: the cluster (``-1`` when unassigned) and the scores against every cluster."""

    labels: np.ndarray  # (n,) int64
    scores_t: np.ndarray  # (k, n) float64, NaN for unassigned rows (transposed: one row per cluster)
    unseen: int = 0

    @property
    def assigned(self) -> np.ndarray:
        return self.labels >= 0


def score_rows(df: pd.DataFrame, trained: TrainedClusterModel, ctx: RunContext | None = None) -> Scores:
    """Scores of every row of ``df`` against the model's clusters, block by block.

    Memory stays at the result (n × k) plus one block of features; rows with a missing feature get
    ``-1`` and NaN scores.
    """
    trained.features.check_table(df)
    n, k = len(df), trained.k
    labels = np.full(n, -1, dtype=np.int64)
    scores_t = np.full((k, n), np.nan, dtype=np.float64)
    step = max(1024, _CHUNK_ELEMENTS // max(1, trained.features.width, k))
    unseen = 0
    for start in range(0, n, step):
        if ctx is not None and ctx.should_stop():
            raise Cancelled()
        stop = min(n, start + step)
        X, complete, u = trained.features.transform(df, start, stop)
        unseen += u
        rows = start + np.flatnonzero(complete)
        trained.model.check_rows(X, rows)
        if len(rows):
            S = trained.model.scores(X)
            labels[rows] = np.argmin(S, axis=1)
            scores_t[:, rows] = S.T
    return Scores(labels, scores_t, unseen)


def cluster_labels_from(labels: pd.Series, scores: Scores, k: int) -> list[Any]:
    """For each cluster, the label of the labelled assigned row that scores lowest against it (or None)."""
    known = scores.assigned & ~labels.isna().to_numpy()
    idx = np.flatnonzero(known)
    out: list[Any] = []
    for j in range(k):
        if len(idx) == 0:
            out.append(None)
            continue
        best = idx[int(np.argmin(scores.scores_t[j, idx]))]
        out.append(json_value(labels.iloc[best]))
    return out


def _labelled(
    series: pd.Series | None, scores: Scores, cluster_labels: list[Any], mode: str, index: pd.Index
) -> pd.Series:
    """The label column after ``fill_missing`` / ``overwrite`` (unassigned rows keep their label)."""
    n = len(scores.labels)
    per_row = np.array(cluster_labels + [None], dtype=object)[np.where(scores.assigned, scores.labels, -1)]
    if series is None:
        current = np.full(n, None, dtype=object)
        missing = np.ones(n, dtype=bool)
    else:
        current = series.to_numpy(dtype=object, na_value=None)
        missing = series.isna().to_numpy()
    take = scores.assigned & (missing if mode == "fill_missing" else True)
    new = current.copy()
    new[take] = per_row[take]
    out = pd.Series(new, index=index, name=None if series is None else series.name).infer_objects()
    if series is not None and not take.any():
        return series
    if series is not None:
        try:
            return out.astype(series.dtype)
        except (TypeError, ValueError):
            return out
    return out


def results_table(
    df: pd.DataFrame,
    scores: Scores,
    model: TrainedClusterModel,
    *,
    append: bool,
    ctx: RunContext,
) -> pd.DataFrame:
    """The results table: input columns (when ``append``) then ``Assignments`` and the score columns."""
    k = model.k
    assign_name, dist_names = result_column_names(list(df.columns), k, model.model.score_column_prefix)
    assignments = pd.arrays.IntegerArray(scores.labels.copy(), ~scores.assigned)
    new_assign = pd.DataFrame({assign_name: assignments}, index=df.index)
    new_dist = pd.DataFrame(scores.scores_t.T, columns=dist_names, index=df.index, copy=False)
    if scores.unseen:
        ctx.warn(
            f"{scores.unseen} string value{'s' if scores.unseen > 1 else ''} not seen in training "
            "got all-zero one-hot features."
        )
    n_unassigned = int((~scores.assigned).sum())
    if n_unassigned:
        ctx.log(
            f"{n_unassigned} row{'s' if n_unassigned > 1 else ''} with missing feature values "
            "left unassigned."
        )
    base = df
    mode, label = model.label_mode, model.label_column
    if mode != "ignore" and label is not None:
        if not append:
            ctx.warn(
                f"Assign label mode {mode!r} changes the label column {label!r}, which is not part of a "
                "Result Only table; check 'Append' to see it."
            )
        else:
            series = df[label] if label in df.columns else None
            updated = _labelled(series, scores, model.cluster_labels or [None] * k, mode, df.index)
            base = df.copy(deep=False)
            base[label] = updated
    parts = [base, new_assign, new_dist] if append else [new_assign, new_dist]
    return pd.concat(parts, axis=1)


def results_schema(
    schema: Schema | None, k: int | None, prefix: str | None, *, append: bool
) -> Schema | None:
    """The results table's columns as far as they are known before running."""
    if k is None or prefix is None or (append and schema is None):
        return None
    existing = [n for n, _ in schema] if schema is not None else []
    assign, scores = result_column_names(existing, k, prefix)
    new = [(assign, "numeric")] + [(s, "numeric") for s in scores]
    return (list(schema) if append and schema is not None else []) + new
