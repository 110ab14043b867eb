"""Scoring a table with a trained model: each row's cluster and scores, the label modes, and the
results table (Train, Sweep and Assign all score the same way).

Noise (:data:`~modules.results.NOISE_LABEL`, from a model that may assign it) is a scored outcome: the
row's ``Assignments`` is −1, not null, and its scores are the model's. The label modes leave a noise
row's label as it is (``fill_missing`` does not fill it, ``overwrite`` does not overwrite it: the row
is in no cluster, so no cluster's label is its), and no noise row gives a cluster its label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import model_class
from modules.column_types import Schema
from modules.context import RunContext
from modules.errors import Cancelled
from modules.features import Prepared
from modules.params import Choice, Param
from modules.results import DISTANCE, NOISE_LABEL, PROBABILITY, result_column_names
from modules.trained_model import TrainedClusterModel, json_value

__all__ = [
    "LABEL_MODE_CHOICES",
    "Scores",
    "StaticModelInfo",
    "UNSCORED",
    "matrix_scores",
    "append_param",
    "cluster_label_candidates",
    "cluster_labels_from",
    "results_schema",
    "results_table",
    "has_score_columns",
    "label_mode_warning",
    "merge_cluster_label_candidates",
    "score_prefix",
    "score_rows",
    "score_training_rows",
    "training_rows",
    "training_score_target",
    "training_scores",
]

LABEL_MODE_CHOICES = (
    Choice("ignore", "Ignore label column"),
    Choice("fill_missing", "Fill missing values"),
    Choice("overwrite", "Overwrite from closest to center"),
)
#: Feature values per window when scoring a table (16 MB of features: big enough that the per-window
#: Python work is negligible, small enough to bound memory).
_WINDOW_ELEMENTS = 2_000_000


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


def has_score_columns(algorithm: str) -> bool:
    """Whether an algorithm's results have per-cluster score columns (``ClusterModel.has_scores``)."""
    return model_class(algorithm).has_scores


#: ``Scores.labels`` of a row that was not scored (a missing feature): null in the results.
UNSCORED = -2


@dataclass
class StaticModelInfo:
    """What graph validation knows about a trained model before it exists."""

    k: int | None
    source_columns: list[str] | None
    label_column: str | None
    algorithm: str | None = None


@dataclass
class Scores:
    """Per input row: the cluster (:data:`NOISE_LABEL` for noise, :data:`UNSCORED` when not scored)
    and the scores against every cluster (none for a model without score columns)."""

    labels: np.ndarray  # (n,) int64
    scores_t: np.ndarray  # (k or 0, n) float64, NaN for unscored rows (transposed: one row per cluster)
    unseen: int = 0

    @property
    def assigned(self) -> np.ndarray:
        """The rows in a cluster (neither noise nor unscored)."""
        return self.labels >= 0

    @property
    def scored(self) -> np.ndarray:
        """The rows the model scored (in a cluster or noise)."""
        return self.labels != UNSCORED

    @property
    def noise(self) -> np.ndarray:
        return self.labels == NOISE_LABEL


def score_rows(df: pd.DataFrame, trained: TrainedClusterModel, ctx: RunContext | None = None) -> Scores:
    """Scores of every row of ``df`` against the model's clusters, window by window.

    Each window's features are read straight into a matrix and scored in one compiled pass that
    writes into the final ``(k, n)`` array. Memory stays at the result plus one window of features
    (:data:`_WINDOW_ELEMENTS` values); rows with a missing feature get :data:`UNSCORED` and NaN scores.
    """
    trained.features.check_table(df)
    n, k = len(df), trained.model.n_score_columns
    labels = np.full(n, UNSCORED, dtype=np.int64)
    scores_t = np.empty((k, n), dtype=np.float64)
    step = max(4096, _WINDOW_ELEMENTS // max(1, trained.features.width, k))
    reader = trained.features.reader(df)
    buffer = np.empty((min(n, step), trained.features.width))
    unseen = 0
    for start in range(0, n, step):
        if ctx is not None and ctx.should_stop():
            raise Cancelled()
        stop = min(n, start + step)
        X, complete, u = reader.transform(start, stop, buffer)
        unseen += u
        rows = start + np.flatnonzero(complete)
        trained.model.check_rows(X, rows)
        all_complete = len(rows) == stop - start
        if not all_complete:
            scores_t[:, start + np.flatnonzero(~complete)] = np.nan
        if len(rows):
            labels[rows], _ = trained.model.label_and_score(X, out=scores_t, columns=rows)
    return Scores(labels, scores_t, unseen)


def matrix_scores(
    trained: TrainedClusterModel, X: np.ndarray, complete: np.ndarray, unseen: int = 0
) -> Scores:
    """Scores of a table's rows from its features as :meth:`~modules.features.FeatureSpace.transform`
    gives them (``X`` of the complete rows, the ``complete`` mask): what :func:`score_rows` gives."""
    n, k = len(complete), trained.model.n_score_columns
    labels = np.full(n, UNSCORED, dtype=np.int64)
    scores_t = np.full((k, n), np.nan, dtype=np.float64)
    rows = np.flatnonzero(complete)
    trained.model.check_rows(X, rows)
    if len(rows):
        labels[rows], _ = trained.model.label_and_score(X, out=scores_t, columns=rows)
    return Scores(labels, scores_t, unseen)


def score_training_rows(
    prepared: Prepared, trained: TrainedClusterModel, fit_labels: np.ndarray | None = None
) -> Scores:
    """Scores of the training table from its prepared matrix (no second read of the table).

    One compiled pass over the matrix; with every row complete its output is the scores array
    itself, otherwise the complete rows are scattered into it once (the others: ``-1``, NaN).
    ``fit_labels``: the complete rows' clusters as the fit gave them, kept instead of the nearest
    (for a model that :attr:`~modules.algorithms.base.ClusterModel.keeps_fit_labels`).
    """
    trained.model.check_rows(prepared.X, training_rows(prepared))
    out, columns = training_score_target(prepared, trained.model.n_score_columns)
    if fit_labels is not None and not trained.model.has_scores:  # nothing to score: the fit's labels
        return training_scores(
            prepared, fit_labels, out if out is not None else np.empty((0, len(fit_labels)))
        )
    if columns is not None and not len(columns):
        assert out is not None
        return training_scores(prepared, np.empty(0, dtype=np.int64), out)
    labels, scores_t = trained.model.label_and_score(prepared.X, out=out, columns=columns)
    return training_scores(prepared, labels if fit_labels is None else fit_labels, scores_t)


def training_rows(prepared: Prepared) -> np.ndarray | None:
    """The input positions of the prepared matrix's rows (what ``check_rows`` names in its errors);
    None when every input row is one (no (n,) array of positions is built)."""
    return prepared.positions


def training_score_target(prepared: Prepared, k: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Where the training rows' scores go (``out``, ``columns`` of ``label_and_score``): (None, None)
    when every row is complete (the scoring's own array is the table's), else a ``(k, n)`` array of NaN
    and the complete rows' positions in it."""
    if prepared.positions is None:
        return None, None
    return np.full((k, prepared.n_rows), np.nan, dtype=np.float64), prepared.positions


def training_scores(prepared: Prepared, labels: np.ndarray, scores_t: np.ndarray) -> Scores:
    """The :class:`Scores` of the training table from its complete rows' labels and the scores array
    filled through :func:`training_score_target` (rows with a missing feature: :data:`UNSCORED`)."""
    if prepared.positions is None:
        return Scores(labels, scores_t, prepared.unseen)
    all_labels = np.full(prepared.n_rows, UNSCORED, dtype=np.int64)
    all_labels[prepared.positions] = labels
    return Scores(all_labels, scores_t, prepared.unseen)


def cluster_labels_from(labels: pd.Series, scores: Scores, k: int, score_kind: str = DISTANCE) -> list[Any]:
    """For each cluster, the label of the labelled assigned row nearest to it by its score (the lowest
    distance, the highest probability; ties: the first row), or None. Without score columns: the
    first labelled row in the cluster (noise rows never give a cluster its label)."""
    return cluster_label_candidates(labels, scores, k, score_kind)[1]


def cluster_label_candidates(
    labels: pd.Series, scores: Scores, k: int, score_kind: str = DISTANCE
) -> tuple[np.ndarray, list[Any]]:
    """:func:`cluster_labels_from` with the score of each cluster's chosen row: ``(scores (k,), labels)``,
    the score the worst possible (inf for a distance, -inf for a probability) where no row qualifies;
    without score columns 0.0 for a cluster's first labelled row. Of one part of a table: reduce the
    parts' candidates with :func:`merge_cluster_label_candidates`."""
    known = scores.assigned & ~labels.isna().to_numpy()
    idx = np.flatnonzero(known)
    pick = np.argmax if score_kind == PROBABILITY else np.argmin
    best = np.full(k, -np.inf if score_kind == PROBABILITY else np.inf)
    out: list[Any] = [None] * k
    if len(idx) == 0:
        return best, out
    for j in range(k):
        if len(scores.scores_t) == 0:  # no scores: the cluster's first labelled row
            members = idx[scores.labels[idx] == j]
            if len(members):
                best[j], out[j] = 0.0, json_value(labels.iloc[members[0]])
            continue
        row = idx[int(pick(scores.scores_t[j, idx]))]
        best[j], out[j] = scores.scores_t[j, row], json_value(labels.iloc[row])
    return best, out


def merge_cluster_label_candidates(
    per_part: Sequence[tuple[np.ndarray, list[Any]]], k: int, score_kind: str = DISTANCE
) -> list[Any]:
    """The clusters' labels of a table from its parts' :func:`cluster_label_candidates`, in row order:
    a later part's row replaces an earlier one only when strictly nearer (ties: the first row, as in the
    whole table)."""
    better = np.greater if score_kind == PROBABILITY else np.less
    best = np.full(k, -np.inf if score_kind == PROBABILITY else np.inf)
    out: list[Any] = [None] * k
    for part_best, part_labels in per_part:
        for j in np.flatnonzero(better(part_best, best)):
            best[j], out[j] = part_best[j], part_labels[j]
    return out


def label_mode_warning(model: TrainedClusterModel, append: bool) -> str | None:
    """Why a results table without its input columns does not show the clusters' labels, if it does not."""
    mode, label = model.label_mode, model.label_column
    if mode == "ignore" or label is None or append:
        return None
    return (
        f"Assign label mode {mode!r} changes the label column {label!r}, which is not part of a "
        "Result Only table; check 'Append' to see it."
    )


def _labelled(
    series: pd.Series | None, scores: Scores, cluster_labels: list[Any], mode: str, index: pd.Index
) -> pd.Series:
    """The label column after ``fill_missing`` / ``overwrite`` (unscored and noise rows keep their
    label)."""
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
    """The results table: input columns (when ``append``) then ``Assignments`` (−1 for noise, null
    when not scored) and the score columns (none for a model without scores)."""
    k = model.k
    assign_name, dist_names = result_column_names(
        list(df.columns), model.model.n_score_columns, model.model.score_column_prefix
    )
    # The labels are the scores' own (no copy): nothing writes to them after scoring.
    assignments = pd.arrays.IntegerArray(scores.labels, ~scores.scored)
    new_assign = pd.DataFrame({assign_name: assignments}, index=df.index, copy=False)  # concat keeps it
    new_dist = pd.DataFrame(scores.scores_t.T, columns=dist_names, index=df.index, copy=False)
    if scores.unseen:
        ctx.warn(
            f"{scores.unseen} string value{'s' if scores.unseen > 1 else ''} not seen in training "
            "got all-zero one-hot features."
        )
    n_unassigned = int((~scores.scored).sum())
    if n_unassigned:
        ctx.log(
            f"{n_unassigned} row{'s' if n_unassigned > 1 else ''} with missing feature values "
            "left unassigned."
        )
    n_noise = int(scores.noise.sum())
    if n_noise:
        ctx.log(f"{n_noise} row{'s' if n_noise > 1 else ''} in no cluster (noise, Assignments -1).")
    base = df
    mode, label = model.label_mode, model.label_column
    if (warning := label_mode_warning(model, append)) is not None:
        ctx.warn(warning)
    elif mode != "ignore" and label is not None:
        series = df[label] if label in df.columns else None
        updated = _labelled(series, scores, model.cluster_labels or [None] * k, mode, df.index)
        base = df.copy(deep=False)
        base[label] = updated
    parts = [base, new_assign, new_dist] if append else [new_assign, new_dist]
    return pd.concat(parts, axis=1)


def results_schema(
    schema: Schema | None, k: int | None, prefix: str | None, *, append: bool, has_scores: bool = True
) -> Schema | None:
    """The results table's columns as far as they are known before running (without score columns
    they are known even when k is not)."""
    if not has_scores:
        k = 0
    if k is None or prefix is None or (append and schema is None):
        return None
    existing = [n for n, _ in schema] if schema is not None else []
    assign, scores = result_column_names(existing, k, prefix)
    new = [(assign, "numeric")] + [(s, "numeric") for s in scores]
    return (list(schema) if append and schema is not None else []) + new
