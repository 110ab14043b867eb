"""Shared machinery of Train Clustering Model, Sweep Clustering and Assign Data to Clusters.

Not a module itself: the catalogue modules call these functions so every clustering module treats
features, missing values, normalisation, labels and result columns the same way.

* Features: the column set (default: all numeric columns except the label column) becomes a
  float64 matrix: numeric columns as is, boolean columns as 0/1, datetime columns as seconds since
  1970-01-01 UTC, string/categorical columns one-hot encoded (categories fitted on the training
  rows, sorted; an unseen value at assignment gets all zeros). Other types raise 0017. A row with a
  missing (or infinite) feature value is not used and gets null results.
* Normalisation: min-max to [0, 1] with the training rows' min and max per feature (a constant
  feature is shifted to 0), stored in the model and re-applied on assign.
* Results: ``Assignments`` (0-based, nullable Int64) and ``DistancesToClusterCenter no.j``, after
  the input columns (append) or alone; a taken name gets a numeric suffix, ``Assignments (2)``.
* Labels: ``fill_missing`` / ``overwrite`` give each cluster the label of the labelled training
  row nearest its centroid.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.columns import column_type, default_numeric, select_columns, table_schema
from modules.context import RunContext
from modules.contract import Choice, Module, Param, Schema, param_error
from modules.errors import Cancelled, ModuleError
from modules.models import FeatureColumn, TrainedClusterModel, UntrainedClusterModel, json_value

__all__ = [
    "ASSIGNMENTS",
    "DISTANCE_PREFIX",
    "INIT_CHOICES",
    "LABEL_MODE_CHOICES",
    "METRIC_CHOICES",
    "SWEEP_METRICS",
    "Prepared",
    "Scores",
    "StaticModelInfo",
    "SweepMetric",
    "append_param",
    "check_cosine_rows",
    "cluster_labels_from",
    "derive_seeds",
    "distance_column",
    "feature_params",
    "finish_training",
    "fit_features",
    "init_labels_for",
    "label_codes",
    "plan_features",
    "prepare_training",
    "range_mode_warning",
    "require_label_column",
    "resolve_seed",
    "result_column_names",
    "results_schema",
    "results_table",
    "score_rows",
    "single_mode_warning",
    "train_model",
    "transform_rows",
]

ASSIGNMENTS = "Assignments"
DISTANCE_PREFIX = "DistancesToClusterCenter no."

INIT_CHOICES = (
    Choice("first_n", "First N"),
    Choice("random", "Random"),
    Choice("kmeans++", "K-Means++"),
    Choice("kmeans++_fast", "K-Means++ Fast (k-means||)"),
    Choice("evenly", "Evenly"),
    Choice("label_column", "Use label column"),
)
METRIC_CHOICES = (Choice("euclidean", "Euclidean"), Choice("cosine", "Cosine"))
LABEL_MODE_CHOICES = (
    Choice("ignore", "Ignore label column"),
    Choice("fill_missing", "Fill missing values"),
    Choice("overwrite", "Overwrite from closest to center"),
)


@dataclass(frozen=True)
class SweepMetric:
    id: str
    column: str
    higher_is_better: bool


#: The four clustering metrics, with the ``sweep_results`` column each one fills.
SWEEP_METRICS = (
    SweepMetric("simplified_silhouette", "Simplified Silhouette", True),
    SweepMetric("davies_bouldin", "Davies-Bouldin", False),
    SweepMetric("dunn", "Dunn", True),
    SweepMetric("average_deviation", "Average Deviation", False),
)

#: A string column with more distinct values than this is not one-hot encoded (0017).
MAX_CATEGORIES = 1000
#: Rows per block when scoring (keeps the temporaries at a few tens of MB).
_CHUNK_ELEMENTS = 1_000_000


def distance_column(j: int) -> str:
    return f"{DISTANCE_PREFIX}{j}"


# --------------------------------------------------------------------------------------------------
# The shared parameters of Train / Sweep
# --------------------------------------------------------------------------------------------------


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


def append_param() -> Param:
    return Param(
        "append",
        "Check for Append or Uncheck for Result Only",
        "bool",
        default=True,
        description="Checked: every input column followed by the new columns. Unchecked: only the new "
        "columns (Assignments and the distances).",
    )


# --------------------------------------------------------------------------------------------------
# Feature plan (works on a schema, so graph validation can use it too)
# --------------------------------------------------------------------------------------------------

_KIND_OF_TYPE = {"numeric": "numeric", "boolean": "boolean", "datetime": "datetime", "string": "onehot"}


def infer_feature_columns(
    module: Module, schema: Schema | None, params: dict[str, Any], errors: list[ModuleError]
) -> list[str] | None:
    """Before a run: the feature columns a trainer would use (None if the input table is unknown).

    Problems with the column set or the label column are added to `errors`.
    """
    if schema is None:
        return None
    try:
        plan = plan_features(
            schema,
            params["column_set"],
            params["label_column"],
            column_param=module.param("column_set"),
            label_param=module.param("label_column"),
        )
    except ModuleError as exc:
        errors.append(exc)
        return None
    return [name for name, _ in plan]


def plan_features(
    schema: Schema,
    column_set: Any,
    label_column: str | None,
    *,
    column_param: Param | None = None,
    label_param: Param | None = None,
) -> list[tuple[str, str]]:
    """``[(column, kind)]`` of the features: 0001 for an unknown label column or selected column,
    0011 for an empty selection, 0017 for a column type that cannot be a feature."""
    names = [n for n, _ in schema]
    if label_column is not None and label_column not in names:
        label = label_param.label if label_param is not None else "'Label column'"
        raise param_error(
            label_param.id if label_param else None,
            "0001",
            f"Parameter {label}: column {label_column!r} not found in the input.",
        )
    chosen = select_columns(
        schema, column_set, param=column_param, default=default_numeric(schema, exclude=[label_column])
    )
    types = dict(schema)
    plan: list[tuple[str, str]] = []
    for name in chosen:
        kind = _KIND_OF_TYPE.get(types[name])
        if kind is None:
            raise param_error(
                column_param.id if column_param else None,
                "0017",
                f"Column {name!r} has type {types[name]!r}, which cannot be a clustering feature "
                "(numeric, boolean, datetime and string columns can).",
            )
        plan.append((name, kind))
    return plan


# --------------------------------------------------------------------------------------------------
# Feature matrices
# --------------------------------------------------------------------------------------------------


def _numbers(series: pd.Series, kind: str) -> np.ndarray:
    """A float64 copy-or-view of one column; NaN where missing or infinite."""
    if kind == "datetime":
        s = series
        if not pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = pd.to_datetime(s, errors="coerce", utc=True)
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        out = ((s - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)).to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    elif kind == "boolean":
        out = pd.array(series, dtype="boolean").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        s = series if pd.api.types.is_numeric_dtype(series.dtype) else pd.to_numeric(series, errors="coerce")
        out = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(out).all():
        out = np.where(np.isfinite(out), out, np.nan)
    return out


def _codes(series: pd.Series, categories: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Category codes of a string column: ``-1`` missing, ``-2`` unseen (not in ``categories``)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [str(u) for u in uniques]
    if categories is None:
        return codes.astype(np.int64), labels
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position.get(u, -2) for u in labels] + [-1], dtype=np.int64)
    return lookup[codes], list(categories)  # codes == -1 picks the trailing -1


def _check_feature_type(series: pd.Series, fc: FeatureColumn) -> None:
    ctype = column_type(series)
    ok = {
        "numeric": ("numeric", "boolean"),
        "boolean": ("boolean", "numeric"),
        "datetime": ("datetime",),
        "onehot": ("string", "numeric", "boolean"),
    }[fc.kind]
    if ctype not in ok:
        raise ModuleError(
            "0017",
            f"Column {fc.name!r} has type {ctype!r} but the model was trained on it as {fc.kind} "
            f"({' or '.join(ok)} expected).",
        )


@dataclass
class Prepared:
    """The training matrix: features of the complete rows, normalised."""

    feature_columns: list[FeatureColumn]
    X: np.ndarray  # (m, d) float64, C-contiguous
    rows: np.ndarray  # (m,) positions of the complete rows in the input
    n_rows: int
    norm_min: np.ndarray | None
    norm_scale: np.ndarray | None


def fit_features(df: pd.DataFrame, plan: Sequence[tuple[str, str]], *, normalize: bool) -> Prepared:
    """Build the normalised feature matrix of the rows without missing features."""
    n = len(df)
    complete = np.ones(n, dtype=bool)
    raw: list[tuple[FeatureColumn, Any]] = []
    for name, kind in plan:
        series = df[name]
        if kind == "onehot":
            codes, _ = _codes(series, None)
            complete &= codes >= 0
            raw.append((FeatureColumn(name, kind), codes))
        else:
            values = _numbers(series, kind)
            complete &= ~np.isnan(values)
            raw.append((FeatureColumn(name, kind), values))
    rows = np.flatnonzero(complete)
    # One-hot categories are fitted on the rows actually used for training.
    feature_columns: list[FeatureColumn] = []
    for (fc, _values), (name, kind) in zip(raw, plan, strict=True):
        if kind == "onehot":
            sub = df[name].iloc[rows]
            cats = sorted({str(v) for v in pd.unique(sub.to_numpy(dtype=object))})
            if len(cats) > MAX_CATEGORIES:
                raise ModuleError(
                    "0017",
                    f"Column {name!r} has {len(cats)} distinct values; one-hot encoding is limited to "
                    f"{MAX_CATEGORIES} (select it out of the column set, or use a numeric encoding).",
                )
            fc = FeatureColumn(name, kind, cats)
        feature_columns.append(fc)
    d = sum(fc.width for fc in feature_columns)
    if d == 0:
        empty = [fc.name for fc in feature_columns if fc.width == 0]
        raise ModuleError(
            "0020",
            f"The selected columns give no feature: string column{'s' if len(empty) > 1 else ''} "
            f"{', '.join(map(repr, empty))} {'have' if len(empty) > 1 else 'has'} no value in the rows "
            "without missing features.",
        )
    X = _matrix(df, feature_columns, rows)
    norm_min = norm_scale = None
    if normalize and len(rows):
        norm_min = X.min(axis=0)
        span = X.max(axis=0) - norm_min
        norm_scale = np.where(span > 0, span, 1.0)
        X -= norm_min
        X /= norm_scale
    return Prepared(feature_columns, X, rows, n, norm_min, norm_scale)


def _matrix(df: pd.DataFrame, feature_columns: Sequence[FeatureColumn], rows: np.ndarray) -> np.ndarray:
    """Features (not normalised) of ``rows``, which must be complete."""
    d = sum(fc.width for fc in feature_columns)
    X = np.empty((len(rows), d), dtype=np.float64)
    j = 0
    for fc in feature_columns:
        series = df[fc.name].iloc[rows] if len(rows) != len(df) else df[fc.name]
        if fc.kind == "onehot":
            codes, _ = _codes(series, fc.categories)
            block = X[:, j : j + fc.width]
            block[:] = 0.0
            hit = codes >= 0
            block[np.flatnonzero(hit), codes[hit]] = 1.0
        else:
            X[:, j] = _numbers(series, fc.kind)
        j += fc.width
    return X


def transform_rows(
    df: pd.DataFrame, model: TrainedClusterModel, start: int = 0, stop: int | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """The model's features of rows ``start:stop`` of ``df``: ``(X of the complete rows, complete mask,
    number of unseen category values)``, normalised as in training."""
    part = df.iloc[start:stop]
    complete = np.ones(len(part), dtype=bool)
    unseen = 0
    for fc in model.feature_columns:
        series = part[fc.name]
        if fc.kind == "onehot":
            codes, _ = _codes(series, fc.categories)
            complete &= codes != -1
            unseen += int((codes == -2).sum())
        else:
            complete &= ~np.isnan(_numbers(series, fc.kind))
    X = _matrix(part, model.feature_columns, np.flatnonzero(complete))
    if model.norm_min is not None and model.norm_scale is not None:
        X -= model.norm_min
        X /= model.norm_scale
    return X, complete, unseen


# --------------------------------------------------------------------------------------------------
# Seeds and labels
# --------------------------------------------------------------------------------------------------


def resolve_seed(seed: int | None, ctx: RunContext) -> int:
    """The seed to use: the given one, or a freshly drawn one (logged)."""
    if seed is not None:
        return int(seed)
    drawn = secrets.randbelow(2**32)
    ctx.log(f"Random number seed not set: using seed {drawn} (recorded in the trained model).")
    return drawn


def derive_seeds(base: int, n: int) -> list[int]:
    """``n`` seeds from ``base``: the base itself first, then independent ones derived from it."""
    out = [int(base)]
    for i in range(1, n):
        out.append(int(np.random.SeedSequence(int(base), spawn_key=(i,)).generate_state(1)[0]))
    return out


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
    config: UntrainedClusterModel, label_column: str | None, init: str | None = None
) -> None:
    """0024 when label initialisation or a label assign mode needs a label column and none is set."""
    if label_column is not None:
        return
    uses_init = (init == "label_column") if init is not None else config.uses_label_column()
    if uses_init:
        raise param_error(
            "label_column",
            "0024",
            "Initialization 'label_column' needs a label column: set 'Label column' (label_column).",
        )
    if config.assign_label_mode != "ignore":
        raise param_error(
            "label_column",
            "0024",
            f"Assign label mode {config.assign_label_mode!r} needs a label column: set 'Label column' "
            "(label_column).",
        )


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------


def _engine() -> Any:
    import modules.engine as engine

    return engine


def train_model(
    prepared: Prepared,
    config: UntrainedClusterModel,
    *,
    n_clusters: int,
    init: str,
    seed: int,
    label_column: str | None,
    init_labels: np.ndarray | None,
    ctx: RunContext,
    progress: Callable[[float], None] | None = None,
) -> TrainedClusterModel:
    """Fit K-Means on the prepared matrix and wrap the result as a trained model.

    The cluster sizes and labels are those of the final assignment (each row to its nearest final
    centroid), as the result table shows them.
    """
    m = prepared.X.shape[0]
    if m < n_clusters:
        raise ModuleError(
            "0021",
            f"Only {m} row{'s' if m != 1 else ''} without missing feature values, fewer than the "
            f"{n_clusters} clusters requested (Number of Centroids).",
        )
    engine = _engine()
    t0 = time.perf_counter()
    fit = engine.fit_kmeans(
        prepared.X,
        n_clusters,
        init=init,
        metric=config.metric,
        seed=seed,
        max_iter=config.iterations,
        init_labels=init_labels,
        progress=progress if progress is not None else ctx.progress,
        should_stop=ctx.should_stop,
    )
    seconds = time.perf_counter() - t0
    centroids = np.ascontiguousarray(fit.centroids, dtype=np.float64)
    return TrainedClusterModel(
        centroids=centroids,
        feature_columns=list(prepared.feature_columns),
        metric=config.metric,
        normalize=config.normalize,
        norm_min=prepared.norm_min,
        norm_scale=prepared.norm_scale,
        seed=int(seed),
        init=init,
        max_iterations=int(config.iterations),
        iterations_run=int(fit.n_iter),
        converged=bool(fit.converged),
        inertia=float(fit.inertia),
        cluster_sizes=np.bincount(np.asarray(fit.labels, dtype=np.int64), minlength=n_clusters).astype(
            np.int64
        ),
        training_seconds=float(seconds),
        n_training_rows=int(m),
        label_column=label_column,
        label_mode=config.assign_label_mode,
        config=config,
    )


def check_cosine_rows(X: np.ndarray, rows: np.ndarray, metric: str) -> None:
    """0018 for an all-zero feature row under the cosine metric (its direction is undefined)."""
    if metric != "cosine" or X.shape[0] == 0:
        return
    zero = ~np.any(X != 0.0, axis=1)
    if zero.any():
        bad = rows[np.flatnonzero(zero)]
        shown = ", ".join(str(int(r) + 1) for r in bad[:5]) + (" …" if len(bad) > 5 else "")
        raise ModuleError(
            "0018",
            f"The cosine metric needs non-zero feature rows; {len(bad)} row{'s' if len(bad) > 1 else ''} "
            f"(row {shown}) {'are' if len(bad) > 1 else 'is'} all zeros after normalisation.",
        )


# --------------------------------------------------------------------------------------------------
# Scoring and result tables
# --------------------------------------------------------------------------------------------------


@dataclass
class Scores:
    """Per input row: the cluster (``-1`` when unassigned) and the distances to every centroid."""

    labels: np.ndarray  # (n,) int64
    distances_t: np.ndarray  # (k, n) float64, NaN for unassigned rows (transposed: one row per centroid)
    unseen: int = 0

    @property
    def assigned(self) -> np.ndarray:
        return self.labels >= 0


def score_rows(df: pd.DataFrame, model: TrainedClusterModel, ctx: RunContext | None = None) -> Scores:
    """Distances of every row of ``df`` to the model's centroids, block by block.

    Memory stays at the result (n × k) plus one block of features; rows with a missing feature get
    ``-1`` and NaN distances.
    """
    missing = [c for c in model.source_columns if c not in df.columns]
    if missing:
        raise ModuleError(
            "0001",
            f"The input lacks the training column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} that the model needs.",
        )
    for fc in model.feature_columns:
        _check_feature_type(df[fc.name], fc)
    engine = _engine()
    n, k = len(df), model.k
    labels = np.full(n, -1, dtype=np.int64)
    dist_t = np.full((k, n), np.nan, dtype=np.float64)
    step = max(1024, _CHUNK_ELEMENTS // max(1, len(model.features), k))
    unseen = 0
    for start in range(0, n, step):
        if ctx is not None and ctx.should_stop():
            raise Cancelled()
        stop = min(n, start + step)
        X, complete, u = transform_rows(df, model, start, stop)
        unseen += u
        rows = start + np.flatnonzero(complete)
        check_cosine_rows(X, rows, model.metric)
        if len(rows):
            D = np.asarray(
                engine.pairwise_distances(X, model.centroids, metric=model.metric), dtype=np.float64
            )
            labels[rows] = np.argmin(D, axis=1)
            dist_t[:, rows] = D.T
    return Scores(labels, dist_t, unseen)


def cluster_labels_from(labels: pd.Series, scores: Scores, k: int) -> list[Any]:
    """For each cluster, the label of the labelled assigned row nearest its centroid (None if none)."""
    known = scores.assigned & ~labels.isna().to_numpy()
    idx = np.flatnonzero(known)
    out: list[Any] = []
    for j in range(k):
        if len(idx) == 0:
            out.append(None)
            continue
        best = idx[int(np.argmin(scores.distances_t[j, idx]))]
        out.append(json_value(labels.iloc[best]))
    return out


def _unique_name(taken: set[str], base: str) -> str:
    if base not in taken:
        return base
    i = 2
    while f"{base} ({i})" in taken:
        i += 1
    return f"{base} ({i})"


def result_column_names(existing: Sequence[str], k: int) -> tuple[str, list[str]]:
    """Names of the new columns given the input's columns: a taken name gets `` (2)``, `` (3)`` …"""
    taken = set(existing)
    assign = _unique_name(taken, ASSIGNMENTS)
    taken.add(assign)
    dists = []
    for j in range(k):
        name = _unique_name(taken, distance_column(j))
        taken.add(name)
        dists.append(name)
    return assign, dists


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
    """The results table: input columns (when ``append``) then ``Assignments`` and the distances."""
    k = model.k
    assign_name, dist_names = result_column_names(list(df.columns), k)
    assignments = pd.arrays.IntegerArray(scores.labels.copy(), ~scores.assigned)
    new_assign = pd.DataFrame({assign_name: assignments}, index=df.index)
    new_dist = pd.DataFrame(scores.distances_t.T, columns=dist_names, index=df.index, copy=False)
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


def results_schema(schema: Schema | None, k: int | None, *, append: bool) -> Schema | None:
    """The results table's columns as far as they are known before running."""
    if k is None or (append and schema is None):
        return None
    existing = [n for n, _ in schema] if schema is not None else []
    assign, dists = result_column_names(existing, k)
    new = [(assign, "numeric")] + [(d, "numeric") for d in dists]
    return (list(schema) if append and schema is not None else []) + new


@dataclass
class StaticModelInfo:
    """What graph validation knows about a trained model before it exists."""

    k: int | None
    source_columns: list[str] | None
    label_column: str | None


# --------------------------------------------------------------------------------------------------
# The Train / Sweep flow
# --------------------------------------------------------------------------------------------------


def range_mode_warning(config: UntrainedClusterModel) -> str:
    k, init = config.first_configuration()
    return (
        "The K-Means model is in 'Parameter Range' mode; Train Clustering Model uses the first value of "
        f"each list: Number of Centroids = {k}, Initialization = {init}"
        + (", seed drawn at random" if config.seed is None else f", seed = {config.seed}")
        + ". Use Sweep Clustering to try them all."
    )


def single_mode_warning(config: UntrainedClusterModel) -> str:
    return (
        "The K-Means model is in 'Single Parameter' mode; Sweep Clustering sweeps that one configuration "
        f"(Number of Centroids = {config.n_clusters}, Initialization = {config.init}) over the seeds. "
        "Use 'Parameter Range' mode to sweep ranges."
    )


def prepare_training(
    df: pd.DataFrame,
    params: dict[str, Any],
    config: UntrainedClusterModel,
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
    check_cosine_rows(prepared.X, prepared.rows, config.metric)
    return prepared


def init_labels_for(
    df: pd.DataFrame, prepared: Prepared, label_column: str | None, init: str
) -> np.ndarray | None:
    if init != "label_column" or label_column is None:
        return None
    return label_codes(df[label_column].iloc[prepared.rows])


def finish_training(
    df: pd.DataFrame, model: TrainedClusterModel, *, append: bool, ctx: RunContext
) -> pd.DataFrame:
    """Score the training table with the new model: final cluster sizes, the label mapping, the results."""
    scores = score_rows(df, model, ctx)
    model.cluster_sizes = np.bincount(scores.labels[scores.assigned], minlength=model.k).astype(np.int64)
    if model.label_mode != "ignore" and model.label_column is not None:
        model.cluster_labels = cluster_labels_from(df[model.label_column], scores, model.k)
    return results_table(df, scores, model, append=append, ctx=ctx)
