"""Training, shared by Train Clustering Model and Sweep Clustering: the feature parameters, the
prepared matrix, seeds and label codes, fitting one candidate of any algorithm, and scoring the
training table with the result."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import Candidate, ClusterConfig, Fit, FitControl, model_class
from modules.column_types import table_schema
from modules.context import RunContext
from modules.errors import ModuleError, param_error
from modules.features import (
    FeatureSpace,
    Prepared,
    fit_features,
    infer_feature_columns,
    plan_features,
)
from modules.module import ErrorDecl
from modules.params import Param
from modules.results import NOISE_LABEL
from modules.scoring import (
    Scores,
    append_param,
    cluster_labels_from,
    results_table,
    training_rows,
    training_score_target,
    training_scores,
)
from modules.trained_model import TrainedClusterModel

__all__ = [
    "TrainingMatrix",
    "check_enough_rows",
    "drawn_seed",
    "feature_column_set",
    "feature_errors",
    "feature_params",
    "finish_training",
    "infer_training_columns",
    "init_labels_for",
    "label_codes",
    "prepare_training",
    "require_label_column",
    "resolve_seed",
    "train_and_score",
    "train_model",
    "warm_start_centres",
    "weight_param",
]


_FIT_OPTION_NAMES = {
    "sample_weight": "row weights (Weight column)",
    "start": "a start model (Start from model)",
}


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
            default_columns="all numeric columns except the label and weight columns",
            description="The feature columns. String columns are one-hot encoded, datetime columns become "
            "numbers. Default: all numeric columns except the label column and the weight column.",
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


def weight_param() -> Param:
    """``weight_column`` as declared by Train and Sweep."""
    return Param(
        "weight_column",
        "Weight column",
        "column",
        default=None,
        nullable=True,
        columns_from="dataset",
        description="A numeric column of row weights (scikit-learn's sample_weight): a row counts in the "
        "centroids, the inertia and the K-Means++ seeding in proportion to its weight, and a row of weight 0 "
        "not at all (it is still scored). Rows with a missing weight are left out like rows with a missing "
        "feature; a negative or infinite weight is an error. Never a default feature. Sweep "
        "Clustering's metrics stay unweighted. Empty: every row weighs the same.",
    )


@dataclass
class TrainingMatrix(Prepared):
    """The prepared training matrix and its rows' weights (None: unweighted)."""

    weights: np.ndarray | None = None


def feature_column_set(params: dict[str, Any]) -> Any:
    """The column set the features are planned from: the parameter, or - when it is empty and a weight
    column is set - the default (numeric columns but the label) without the weight column."""
    column_set, weight = params["column_set"], params.get("weight_column")
    if column_set is not None or weight is None:
        return column_set
    excluded = [name for name in (params["label_column"], weight) if name is not None]
    steps = [{"op": "include", "type": "numeric"}, {"op": "exclude", "names": excluded}]
    return {"rules": {"start": "none", "steps": steps}}


def check_weight_column(schema: list[tuple[str, str]], weight: str | None, param: Param | None) -> None:
    """0001 when the weight column does not exist, 0017 when it is not numeric."""
    if weight is None:
        return
    pid, label = (param.id, param.name) if param is not None else ("weight_column", "Weight column")
    types = dict(schema)
    if weight not in types:
        raise param_error(pid, "0001", f"Parameter {label}: column {weight!r} not found in the input.")
    if types[weight] != "numeric":
        raise param_error(
            pid, "0017", f"Weight column {weight!r} has type {types[weight]!r}; row weights must be numeric."
        )


def infer_training_columns(
    column_param: Param,
    label_param: Param,
    weight_param: Param,
    schema: list[tuple[str, str]] | None,
    params: dict[str, Any],
    errors: list[ModuleError],
) -> list[str] | None:
    """Before a run: the feature columns a trainer would use (None if the table is unknown); problems
    with the column set, the label column or the weight column are added to ``errors``."""
    if schema is not None and params.get("weight_column") is not None:
        try:
            check_weight_column(schema, params["weight_column"], weight_param)
        except ModuleError as exc:
            errors.append(exc)
            params = {**params, "weight_column": None}
    planned = {**params, "column_set": feature_column_set(params)}
    return infer_feature_columns(column_param, label_param, schema, planned, errors)


def _weights_of(df: pd.DataFrame, weight: str, pid: str) -> np.ndarray:
    """The weight column as float64, NaN where missing; 0018 naming the first negative or infinite one."""
    series = df[weight]
    numeric = (
        series if pd.api.types.is_numeric_dtype(series.dtype) else pd.to_numeric(series, errors="coerce")
    )
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isinf(values) | (values < 0.0))
    if bad.size:
        row = int(bad[0])
        raise param_error(
            pid,
            "0018",
            f"Weight column {weight!r}: row {row + 1} has weight {values[row]:g}; weights must be finite "
            f"and >= 0 ({bad.size} such row{'s' if bad.size > 1 else ''}).",
        )
    return values


def feature_errors(*own: ErrorDecl) -> tuple[ErrorDecl, ...]:
    """The errors of the inputs and the feature, label and weight parameters (declared alike by Train
    and Sweep) with a module's ``own``, in code order (one entry per code)."""
    shared = (
        ErrorDecl("0001", "the label column, the weight column or a selected column does not exist"),
        ErrorDecl("0003", "an input is not connected, or the dataset has no rows or columns"),
        ErrorDecl("0011", "the column set matches no column"),
        ErrorDecl(
            "0017",
            "a selected column has a type that cannot be a feature, or the weight column is not numeric",
        ),
        ErrorDecl(
            "0018",
            "under the cosine metric, a feature row is all zeros; a weight is negative or infinite, or every "
            "training row weighs 0",
        ),
        ErrorDecl(
            "0007",
            "a fit that decides the number of clusters gives more than STUDIO_MAX_CLUSTERS of them",
        ),
        ErrorDecl("0020", "the selected columns give no feature"),
        ErrorDecl("0024", "label initialisation or a label mode without a label column"),
        ErrorDecl(
            "0160",
            "the algorithm's pairwise work on the training rows needs more memory than "
            "STUDIO_MAX_PAIRWISE_BYTES allows",
        ),
    )
    whens: dict[str, list[str]] = {}
    for error in (*own, *shared):  # a code both declare: the module's own case first
        whens.setdefault(error.code, []).append(error.when)
    return tuple(ErrorDecl(code, "; or ".join(whens[code])) for code in sorted(whens))


#: The node-log line of a seed drawn at run time; :func:`drawn_seed` reads it back (an experiment
#: exported from a run sets the seeds its nodes drew).
SEED_DRAWN = "Random number seed not set: using seed {seed} (recorded in the trained model)."
_SEED_DRAWN_LINE = re.compile(re.escape(SEED_DRAWN).replace(re.escape("{seed}"), r"(\d+)"))


def resolve_seed(seed: int | None, ctx: RunContext) -> int:
    """The seed to use: the given one, or a freshly drawn one (logged as :data:`SEED_DRAWN`)."""
    if seed is not None:
        return int(seed)
    drawn = secrets.randbelow(2**32)
    ctx.log(SEED_DRAWN.format(seed=drawn))
    return drawn


def drawn_seed(log: str) -> int | None:
    """The seed a node drew at run time, from its log; None when it drew none."""
    found = _SEED_DRAWN_LINE.search(log)
    return int(found.group(1)) if found else None


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
    weight_param: Param | None = None,
) -> TrainingMatrix:
    """Resolve the features of a training table and build its normalised matrix, with the rows'
    weights when ``params`` names a weight column (rows with a missing weight are left out)."""
    schema = table_schema(df)
    weight = params.get("weight_column")
    check_weight_column(schema, weight, weight_param)
    plan = plan_features(
        schema,
        feature_column_set(params),
        params["label_column"],
        column_param=column_param,
        label_param=label_param,
    )
    all_weights = None if weight is None else _weights_of(df, weight, weight_param.id if weight_param else "")
    frame = df
    if all_weights is not None and np.isnan(all_weights).any():
        # A missing weight makes its row incomplete, as a missing feature does: one feature column
        # gets a missing value there (in a shallow copy), so the rows keep their positions.
        blanked = next((name for name, kind in plan if kind == "numeric"), plan[0][0])
        frame = df.copy(deep=False)
        frame[blanked] = df[blanked].where(~np.isnan(all_weights))
    prepared = fit_features(frame, plan, normalize=config.normalize)
    del frame
    n_training_rows = prepared.X.shape[0]
    dropped = prepared.n_rows - n_training_rows
    ctx.log(
        f"Features: {', '.join(n for n, _ in plan)} → {prepared.X.shape[1]} numeric feature"
        f"{'s' if prepared.X.shape[1] != 1 else ''}; {n_training_rows} training rows"
        + (f" ({dropped} with missing values left out)" if dropped else "")
        + (", min-max normalised" if config.normalize else "")
        + (f", weighted by {weight!r}" if weight is not None else "")
        + "."
    )
    config.check_matrix(prepared.X, prepared.positions)
    weights = all_weights
    if weights is not None and prepared.positions is not None:
        weights = weights[prepared.positions]
    if weights is not None and len(weights) and not (weights > 0.0).any():
        raise param_error(
            weight_param.id if weight_param else None,
            "0018",
            f"Weight column {weight!r}: every training row has weight 0; at least one must be positive.",
        )
    return TrainingMatrix(**{f.name: getattr(prepared, f.name) for f in fields(prepared)}, weights=weights)


def warm_start_centres(
    start: TrainedClusterModel, config: ClusterConfig, space: FeatureSpace, n_clusters: int
) -> np.ndarray:
    """The start model's centres mapped into a new feature space: un-normalised with the start model's
    normalisation, re-normalised with the new one, feature by feature (by name). 0013 when the start
    model is of another algorithm, has no centres, another k, or other features."""
    if start.model.algorithm != config.algorithm:
        raise ModuleError(
            "0013",
            f"Start from model: a {start.config.algorithm_name} model cannot start a "
            f"{config.algorithm_name} fit.",
        )
    centres = start.model.start_centres()
    if centres is None:
        raise ModuleError(
            "0013", f"Start from model: a {config.algorithm_name} model has no centres to start from."
        )
    if centres.shape[0] != n_clusters:
        raise ModuleError(
            "0013",
            f"Start from model: the model has {centres.shape[0]} clusters but the configuration asks for "
            f"{n_clusters}; set Number of Centroids to {centres.shape[0]} or start from another model.",
        )
    old_names, new_names = start.features.names, space.names
    if sorted(old_names) != sorted(new_names):
        missing = [n for n in old_names if n not in new_names]
        extra = [n for n in new_names if n not in old_names]
        raise ModuleError(
            "0013",
            "Start from model: its features differ from this training's"
            + (f"; only the model has {', '.join(map(repr, missing))}" if missing else "")
            + (f"; only this training has {', '.join(map(repr, extra))}" if extra else "")
            + ". Select the same feature columns (and category values) as the model was trained on.",
        )
    raw = np.array(centres, dtype=np.float64)
    if start.features.norm_min is not None and start.features.norm_scale is not None:
        raw = raw * start.features.norm_scale + start.features.norm_min
    position = {name: index for index, name in enumerate(old_names)}
    raw = raw[:, [position[name] for name in new_names]]
    if space.norm_min is not None and space.norm_scale is not None:
        raw = (raw - space.norm_min) / space.norm_scale
    return np.ascontiguousarray(raw)


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
    start: np.ndarray | None = None,
) -> tuple[TrainedClusterModel, np.ndarray]:
    """Fit one candidate (its seed set) on the prepared matrix and wrap it as a trained model.

    The rows' weights come with a :class:`TrainingMatrix`; ``start`` is a warm start
    (:func:`warm_start_centres`). Returns the model and each training row's cluster; the cluster sizes
    are counted from those.
    """
    control, options = _fit_setup(prepared, config, candidate, ctx, progress, start)
    t0 = time.perf_counter()
    fit = config.fit(prepared.X, candidate, init_labels, control, **options)
    return _trained(prepared, config, candidate, fit, time.perf_counter() - t0, label_column), fit.labels


def train_and_score(
    prepared: Prepared,
    config: ClusterConfig,
    candidate: Candidate,
    *,
    label_column: str | None,
    init_labels: np.ndarray | None,
    ctx: RunContext,
    start: np.ndarray | None = None,
) -> tuple[TrainedClusterModel, Scores]:
    """:func:`train_model`, and the training table's scores as
    :func:`~modules.scoring.score_training_rows` gives them, from one call to the algorithm
    (:meth:`ClusterConfig.fit_and_score`: K-Means scores the rows in the fit's last pass over them).
    The model's training time then includes the scoring."""
    control, options = _fit_setup(prepared, config, candidate, ctx, None, start)
    width = candidate.n_clusters if model_class(config.algorithm).has_scores else 0  # score columns
    out, columns = training_score_target(prepared, width)
    t0 = time.perf_counter()
    fit, labels, scores_t = config.fit_and_score(
        prepared.X,
        candidate,
        init_labels,
        control,
        rows=training_rows(prepared),
        out=out,
        columns=columns,
        **options,
    )
    trained = _trained(prepared, config, candidate, fit, time.perf_counter() - t0, label_column)
    return trained, training_scores(prepared, labels, scores_t)


def check_enough_rows(m: int, candidate: Candidate) -> None:
    """0021 when the training rows are fewer than the clusters asked for."""
    if m < candidate.n_clusters:
        raise ModuleError(
            "0021",
            f"Only {m} row{'s' if m != 1 else ''} without missing feature values, fewer than the "
            f"{candidate.n_clusters} clusters requested.",
        )


def _fit_setup(
    prepared: Prepared,
    config: ClusterConfig,
    candidate: Candidate,
    ctx: RunContext,
    progress: Callable[[float], None] | None,
    start: np.ndarray | None,
) -> tuple[FitControl, dict[str, Any]]:
    """The checks before a fit, its callbacks and its optional keyword arguments (weights, start)."""
    check_enough_rows(prepared.X.shape[0], candidate)
    assert candidate.seed is not None
    control = FitControl(progress if progress is not None else ctx.progress, ctx.should_stop)
    options: dict[str, Any] = {}
    if isinstance(prepared, TrainingMatrix) and prepared.weights is not None:
        options["sample_weight"] = prepared.weights
    if start is not None:
        options["start"] = start
    unsupported = [_FIT_OPTION_NAMES[name] for name in options if name not in config.fit_options]
    if unsupported:
        raise ModuleError("0013", f"{config.algorithm_name} cannot use {' or '.join(unsupported)}.")
    return control, options


def _trained(
    prepared: Prepared,
    config: ClusterConfig,
    candidate: Candidate,
    fit: Fit,
    seconds: float,
    label_column: str | None,
) -> TrainedClusterModel:
    """A fit wrapped as a trained model, its cluster sizes (and noise) counted from the fit's labels."""
    assert candidate.seed is not None
    return TrainedClusterModel(
        model=fit.model,
        features=prepared.space,
        config=config,
        seed=int(candidate.seed),
        cluster_sizes=np.bincount(fit.labels[fit.labels >= 0], minlength=fit.model.k).astype(np.int64),
        noise_count=int(np.count_nonzero(fit.labels == NOISE_LABEL)) if fit.model.may_assign_noise else None,
        training_seconds=float(seconds),
        n_training_rows=int(prepared.X.shape[0]),
        label_column=label_column,
        label_mode=config.assign_label_mode,
    )


def finish_training(
    df: pd.DataFrame, model: TrainedClusterModel, scores: Scores, *, append: bool, ctx: RunContext
) -> pd.DataFrame:
    """The training table's results from its scores (:func:`~modules.scoring.score_training_rows`):
    final cluster sizes (and noise count), the label mapping, the results table."""
    model.cluster_sizes = np.bincount(scores.labels[scores.assigned], minlength=model.k).astype(np.int64)
    if model.model.may_assign_noise:
        model.noise_count = int(scores.noise.sum())
    if model.label_mode != "ignore" and model.label_column is not None:
        model.cluster_labels = cluster_labels_from(
            df[model.label_column], scores, model.k, model.model.score_kind
        )
    return results_table(df, scores, model, append=append, ctx=ctx)
