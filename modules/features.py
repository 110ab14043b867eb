"""Features: how the columns of a table become the numbers an algorithm clusters.

The column set (default: all numeric columns except the label column) becomes a float64 matrix:
numeric columns as is, boolean columns as 0/1, datetime columns as seconds since 1970-01-01 UTC,
string/categorical columns one-hot encoded (categories fitted on the training rows, sorted; an unseen
value at assignment gets all zeros). Other types raise 0017. A row with a missing (or infinite)
feature value is not used and gets null results.

Normalisation: min-max to [0, 1] with the training rows' min and max per feature (a constant feature
is shifted to 0), kept in the :class:`FeatureSpace` of the trained model and re-applied on assign.
Every algorithm shares this; none of it knows which algorithm clusters the matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modules.column_types import Schema, column_type
from modules.columns import default_numeric, select_columns
from modules.errors import ModuleError, param_error
from modules.params import Param

__all__ = [
    "MAX_CATEGORIES",
    "FeatureColumn",
    "FeatureSpace",
    "Prepared",
    "fit_features",
    "infer_feature_columns",
    "plan_features",
]

#: A string column with more distinct values than this is not one-hot encoded (0017).
MAX_CATEGORIES = 1000


@dataclass
class FeatureColumn:
    """An input column used as features, and how it becomes numbers.

    ``kind``: ``numeric`` (as is), ``boolean`` (0/1), ``datetime`` (seconds since 1970-01-01 UTC) or
    ``onehot`` (one 0/1 feature per category, in ``categories`` order; an unseen category at
    assignment time gets all zeros).
    """

    name: str
    kind: str
    categories: list[str] = field(default_factory=list)

    def feature_names(self) -> list[str]:
        if self.kind == "onehot":
            return [f"{self.name}={c}" for c in self.categories]
        return [self.name]

    @property
    def width(self) -> int:
        return len(self.categories) if self.kind == "onehot" else 1


@dataclass(eq=False)
class FeatureSpace:
    """The feature columns of a trained model and the normalisation fitted on its training rows."""

    columns: list[FeatureColumn]
    norm_min: np.ndarray | None = None
    norm_scale: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        """The feature names in matrix column order (one-hot columns expanded as ``col=value``)."""
        return [name for fc in self.columns for name in fc.feature_names()]

    @property
    def source_columns(self) -> list[str]:
        """The input columns the model needs, in order."""
        return [fc.name for fc in self.columns]

    @property
    def width(self) -> int:
        return sum(fc.width for fc in self.columns)

    def columns_json(self) -> list[dict[str, Any]]:
        return [asdict(fc) for fc in self.columns]

    def check_table(self, df: pd.DataFrame) -> None:
        """0001 when the table lacks a training column, 0017 when one changed to an unusable type."""
        missing = [c for c in self.source_columns if c not in df.columns]
        if missing:
            raise ModuleError(
                "0001",
                f"The input lacks the training column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(c) for c in missing)} that the model needs.",
            )
        for fc in self.columns:
            _check_feature_type(df[fc.name], fc)

    def transform(
        self, df: pd.DataFrame, start: int = 0, stop: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """The features of rows ``start:stop`` of ``df``: ``(X of the complete rows, complete mask,
        number of unseen category values)``, normalised as in training."""
        part = df.iloc[start:stop]
        complete = np.ones(len(part), dtype=bool)
        unseen = 0
        for fc in self.columns:
            series = part[fc.name]
            if fc.kind == "onehot":
                codes, _ = _codes(series, fc.categories)
                complete &= codes != -1
                unseen += int((codes == -2).sum())
            else:
                complete &= ~np.isnan(_numbers(series, fc.kind))
        X = _matrix(part, self.columns, np.flatnonzero(complete))
        if self.norm_min is not None and self.norm_scale is not None:
            X -= self.norm_min
            X /= self.norm_scale
        return X, complete, unseen


# --------------------------------------------------------------------------------------------------
# Feature plan (works on a schema, so graph validation can use it too)
# --------------------------------------------------------------------------------------------------

_KIND_OF_TYPE = {"numeric": "numeric", "boolean": "boolean", "datetime": "datetime", "string": "onehot"}


def infer_feature_columns(
    column_param: Param,
    label_param: Param,
    schema: Schema | None,
    params: dict[str, Any],
    errors: list[ModuleError],
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
            column_param=column_param,
            label_param=label_param,
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

    space: FeatureSpace
    X: np.ndarray  # (m, d) float64, C-contiguous
    rows: np.ndarray  # (m,) positions of the complete rows in the input
    n_rows: int


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
    return Prepared(FeatureSpace(feature_columns, norm_min, norm_scale), X, rows, n)


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
