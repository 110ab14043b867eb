"""Training, shared by Train Clustering Model and Sweep Clustering: the feature parameters, the
prepared matrix, seeds and label codes, fitting one candidate of any algorithm, and scoring the
training table with the result."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import Candidate, ClusterConfig, FitControl
from modules.column_types import table_schema
from modules.context import RunContext
from modules.errors import ModuleError, param_error
from modules.features import Prepared, fit_features, plan_features
from modules.params import Param
from modules.scoring import Scores, append_param, cluster_labels_from, results_table
from modules.trained_model import TrainedClusterModel

__all__ = [
    "feature_params",
    "finish_training",
    "init_labels_for",
    "label_codes",
    "prepare_training",
    "require_label_column",
    "resolve_seed",
    "train_model",
]


def feature_params() -> tuple[Param, Param, Param]:
    """``column_set``, ``label_column``, ``append`` as declared by Train and Sweep."""
    return (
        Param(
            "column_set",
            "Column Set",
            "column_set",
            default=None,
            nullable=True,
            columns_from="dataset",
            default_columns="all numeric columns except the label column",
            description="The feature columns. String columns are one-hot encoded, datetime columns become "
            "numbers. Default: all numeric columns except the label column.",
        ),
        Param(
            "label_column",
            "Label column",
            "column",
            default=None,
            nullable=True,
            columns_from="dataset",
            description="The column holding known labels (for label initialisation and the label modes); "
            "never a feature unless the column set names it.",
        ),
        append_param(),
    )


def resolve_seed(seed: int | None, ctx: RunContext) -> int:
    """The seed to use: the given one, or a freshly drawn one (logged)."""
    if seed is not None:
        return int(seed)
    drawn = secrets.randbelow(2**32)
    ctx.log(f"Random number seed not set: using seed {drawn} (recorded in the trained model).")
    return drawn


def label_codes(labels: pd.Series) -> np.ndarray:
    """Codes for label initialisation: most frequent label 0, then by decreasing frequency
    (ties: first appearance); ``-1`` for a missing label."""
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    if len(uniques) == 0:
        return codes.astype(np.int64)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1).astype(np.int64)


def require_label_column(
    config: ClusterConfig, label_column: str | None, candidate: Candidate | None = None
) -> None:
    """0024 when starting from labels or a label assign mode needs a label column and none is set.

    With a ``candidate``, only that configuration's start counts; without, any the config sweeps.
    """
    if label_column is not None:
        return
    uses_labels = candidate.uses_labels if candidate is not None else config.uses_label_column()
    if uses_labels:
        init = candidate.init if candidate is not None else "label_column"
        raise param_error(
            "label_column",
            "0024",
            f"Initialization {init!r} needs a label column: set 'Label column' (label_column).",
        )
    if config.assign_label_mode != "ignore":
        raise param_error(
            "label_column",
            "0024",
            f"Assign label mode {config.assign_label_mode!r} needs a label column: set 'Label column' "
            "(label_column).",
        )


def prepare_training(
    df: pd.DataFrame,
    params: dict[str, Any],
    config: ClusterConfig,
    *,
    column_param: Param,
    label_param: Param,
    ctx: RunContext,
) -> Prepared:
    """Resolve the features of a training table and build its normalised matrix."""
    plan = plan_features(
        table_schema(df),
        params["column_set"],
        params["label_column"],
        column_param=column_param,
        label_param=label_param,
    )
    prepared = fit_features(df, plan, normalize=config.normalize)
    dropped = prepared.n_rows - len(prepared.rows)
    ctx.log(
        f"Features: {', '.join(n for n, _ in plan)} → {prepared.X.shape[1]} numeric feature"
        f"{'s' if prepared.X.shape[1] != 1 else ''}; {len(prepared.rows)} training rows"
        + (f" ({dropped} with missing values left out)" if dropped else "")
        + (", min-max normalised" if config.normalize else "")
        + "."
    )
    config.check_matrix(prepared.X, prepared.rows)
    return prepared


def init_labels_for(
    df: pd.DataFrame, prepared: Prepared, label_column: str | None, candidate: Candidate
) -> np.ndarray | None:
    if not candidate.uses_labels or label_column is None:
        return None
    return label_codes(df[label_column].iloc[prepared.rows])


def train_model(
    prepared: Prepared,
    config: ClusterConfig,
    candidate: Candidate,
    *,
    label_column: str | None,
    init_labels: np.ndarray | None,
    ctx: RunContext,
    progress: Callable[[float], None] | None = None,
) -> tuple[TrainedClusterModel, np.ndarray]:
    """Fit one candidate (its seed set) on the prepared matrix and wrap it as a trained model.

    Returns the model and each training row's cluster; the cluster sizes are counted from those.
    """
    m = prepared.X.shape[0]
    if m < candidate.n_clusters:
        raise ModuleError(
            "0021",
            f"Only {m} row{'s' if m != 1 else ''} without missing feature values, fewer than the "
            f"{candidate.n_clusters} clusters requested.",
        )
    assert candidate.seed is not None
    t0 = time.perf_counter()
    control = FitControl(progress if progress is not None else ctx.progress, ctx.should_stop)
    fit = config.fit(prepared.X, candidate, init_labels, control)
    seconds = time.perf_counter() - t0
    fitted, labels = fit.model, fit.labels
    trained = TrainedClusterModel(
        model=fitted,
        features=prepared.space,
        config=config,
        seed=int(candidate.seed),
        cluster_sizes=np.bincount(labels, minlength=fitted.k).astype(np.int64),
        training_seconds=float(seconds),
        n_training_rows=int(m),
        label_column=label_column,
        label_mode=config.assign_label_mode,
    )
    return trained, labels


def finish_training(
    df: pd.DataFrame, model: TrainedClusterModel, scores: Scores, *, append: bool, ctx: RunContext
) -> pd.DataFrame:
    """The training table's results from its scores (:func:`~modules.scoring.score_training_rows`):
    final cluster sizes, the label mapping, the results table."""
    model.cluster_sizes = np.bincount(scores.labels[scores.assigned], minlength=model.k).astype(np.int64)
    if model.label_mode != "ignore" and model.label_column is not None:
        model.cluster_labels = cluster_labels_from(df[model.label_column], scores, model.k)
    return results_table(df, scores, model, append=append, ctx=ctx)
