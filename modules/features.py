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
from modules.feature_matrix import ColumnReader, Source, codes_of, fill, fill_onehot, min_max, recode
from modules.params import Param

__all__ = [
    "MAX_CATEGORIES",
    "FeatureColumn",
    "FeatureSpace",
    "PartStatistics",
    "Prepared",
    "feature_statistics",
    "fit_features",
    "infer_feature_columns",
    "plan_features",
    "space_from_statistics",
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
        return self.reader(df).transform(start, len(df) if stop is None else stop)

    def reader(self, df: pd.DataFrame) -> SpaceReader:
        """Reads this space's features from ``df`` window by window (the column layout found once)."""
        return SpaceReader(self, df)


class SpaceReader:
    """The features of a trained space read from one table, window by window."""

    def __init__(self, space: FeatureSpace, df: pd.DataFrame) -> None:
        self.space = space
        self.df = df
        self._reader = ColumnReader(df, space.columns)
        self._starts = _starts(space.columns)
        self._norm: tuple[np.ndarray, np.ndarray] | None = None
        if space.norm_min is not None and space.norm_scale is not None:
            self._norm = (space.norm_min, space.norm_scale)

    def transform(
        self, start: int, stop: int, buffer: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """``(X of the complete rows of start:stop, complete mask, unseen category values)``.

        ``buffer`` (float64, C-contiguous, at least ``stop - start`` rows of the space's width) is
        written instead of a new array: reused from window to window it saves the page faults.
        """
        n = max(0, stop - start)
        X = np.empty((n, self.space.width)) if buffer is None else buffer[:n]
        complete = np.ones(n, dtype=bool)
        unseen = 0
        if n:
            fill(self._reader.sources(start, stop), self._starts, X, None, self._norm, complete)
        for c in self._reader.onehot:
            fc = self.space.columns[c]
            codes, labels = codes_of(self.df[fc.name].iloc[start:stop])
            codes = recode(codes, labels, fc.categories)
            complete &= codes != -1
            unseen += int((codes == -2).sum())
            j = self._starts[c]
            part = (
                None
                if self._norm is None
                else (self._norm[0][j : j + fc.width], self._norm[1][j : j + fc.width])
            )
            fill_onehot(X[:, j : j + fc.width], codes, part)
        if not complete.all():
            X = X[complete]
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
    positions: np.ndarray | None  # (m,) positions of the complete rows in the input; None: every row
    n_rows: int
    #: One-hot values of the input (in any row) outside the categories fitted on the training rows.
    unseen: int = 0

    @property
    def rows(self) -> np.ndarray:
        """``(m,)`` positions of the training rows in the input (a new array when every row is one)."""
        return np.arange(self.n_rows) if self.positions is None else self.positions


def _starts(columns: Sequence[FeatureColumn]) -> np.ndarray:
    """The matrix column where each feature column starts."""
    return np.cumsum([0] + [fc.width for fc in columns])[:-1].astype(np.int64)


def _complete_rows(
    sources: Sequence[Source], bad: np.ndarray, onehot_codes: Sequence[np.ndarray], n: int
) -> np.ndarray | None:
    """Positions of the rows without a missing feature value; None when that is every row."""
    complete: np.ndarray | None = None
    for src in sources:
        for row, c in zip(src.rows, src.columns, strict=True):
            if bad[c]:
                complete = np.ones(n, dtype=bool) if complete is None else complete
                complete &= np.isfinite(src.values[row, src.offset : src.offset + n])
    for codes in onehot_codes:
        if (codes < 0).any():
            complete = np.ones(n, dtype=bool) if complete is None else complete
            complete &= codes >= 0
    return None if complete is None or complete.all() else np.flatnonzero(complete)


def _normalisation(
    columns: Sequence[FeatureColumn], starts: np.ndarray, mins: np.ndarray, maxs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(min, scale)`` of every matrix column, as ``X.min(axis=0)`` and ``X.max(axis=0)`` of the
    training matrix would give them (from the per-column min and max of the training rows)."""
    d = sum(fc.width for fc in columns)
    norm_min, norm_max = np.empty(d), np.empty(d)
    for c, fc in enumerate(columns):
        j = starts[c]
        if fc.kind == "onehot":  # 0/1 features of categories seen in the training rows
            norm_min[j : j + fc.width] = 1.0 if fc.width == 1 else 0.0
            norm_max[j : j + fc.width] = 1.0
        else:
            norm_min[j], norm_max[j] = mins[c], maxs[c]
    span = norm_max - norm_min
    return norm_min, np.where(span > 0, span, 1.0)


def _check_categories(name: str, categories: list[str]) -> None:
    if len(categories) > MAX_CATEGORIES:
        raise ModuleError(
            "0017",
            f"Column {name!r} has {len(categories)} distinct values; one-hot encoding is limited to "
            f"{MAX_CATEGORIES} (select it out of the column set, or use a numeric encoding).",
        )


def _no_feature(columns: Sequence[FeatureColumn]) -> ModuleError:
    empty = [fc.name for fc in columns if fc.width == 0]
    return ModuleError(
        "0020",
        f"The selected columns give no feature: string column{'s' if len(empty) > 1 else ''} "
        f"{', '.join(map(repr, empty))} {'have' if len(empty) > 1 else 'has'} no value in the rows "
        "without missing features.",
    )


def fit_features(df: pd.DataFrame, plan: Sequence[tuple[str, str]], *, normalize: bool) -> Prepared:
    """Build the normalised feature matrix of the rows without missing features.

    Numeric columns are read twice at most: once for their min, max and missing values, once for the
    normalised write (plus once more for the min and max when some rows are incomplete).
    """
    n = len(df)
    columns = [FeatureColumn(name, kind) for name, kind in plan]
    reader = ColumnReader(df, columns)
    sources = reader.sources(0, n)
    mins, maxs, bad = min_max(sources, len(columns), n, None)
    codes = {c: codes_of(df[columns[c].name]) for c in reader.onehot}
    positions = _complete_rows(sources, bad, [codes[c][0] for c in reader.onehot], n)
    if positions is not None:
        complete = np.zeros(n, dtype=bool)
        complete[positions] = True
        mins, maxs, _ = min_max(sources, len(columns), n, complete)
        del complete
    m = n if positions is None else len(positions)
    # One-hot categories are fitted on the rows actually used for training.
    unseen = 0
    for c in reader.onehot:
        name = columns[c].name
        sub = df[name] if positions is None else df[name].iloc[positions]
        cats = sorted({str(v) for v in pd.unique(sub.to_numpy(dtype=object))})
        _check_categories(name, cats)
        columns[c] = FeatureColumn(name, "onehot", cats)
        recoded = recode(*codes[c], cats)
        unseen += int((recoded == -2).sum())
        codes[c] = (recoded if positions is None else recoded[positions], cats)
    d = sum(fc.width for fc in columns)
    if d == 0:
        raise _no_feature(columns)
    starts = _starts(columns)
    norm = _normalisation(columns, starts, mins, maxs) if normalize and m and d > 1 else None
    norm_min, norm_scale = (None, None) if norm is None else norm
    X = np.empty((m, d))
    fill(sources, starts, X, positions, norm, np.ones(m, dtype=bool))
    del sources
    for c in reader.onehot:
        j, fc = starts[c], columns[c]
        part = None if norm is None else (norm[0][j : j + fc.width], norm[1][j : j + fc.width])
        fill_onehot(X[:, j : j + fc.width], codes[c][0], part)
    if normalize and m and d == 1:  # one column: NumPy's 1-D reduction, whose signed zeros differ
        norm_min = X.min(axis=0)
        span = X.max(axis=0) - norm_min
        norm_scale = np.where(span > 0, span, 1.0)
        X -= norm_min
        X /= norm_scale
    return Prepared(FeatureSpace(columns, norm_min, norm_scale), X, positions, n, unseen)


# --------------------------------------------------------------------------------------------------
# A feature space fitted part by part (a table too large to hold whole)
# --------------------------------------------------------------------------------------------------


@dataclass
class PartStatistics:
    """What :func:`fit_features` learns from the complete rows of one part of a table: per feature
    column their min and max (as the matrix holds the values) and each one-hot column's categories."""

    mins: np.ndarray
    maxs: np.ndarray
    categories: dict[int, list[str]]
    n_complete: int


def feature_statistics(df: pd.DataFrame, plan: Sequence[tuple[str, str]]) -> PartStatistics:
    """:class:`PartStatistics` of one part (the first half of :func:`fit_features`)."""
    n = len(df)
    columns = [FeatureColumn(name, kind) for name, kind in plan]
    reader = ColumnReader(df, columns)
    sources = reader.sources(0, n)
    mins, maxs, bad = min_max(sources, len(columns), n, None)
    codes = {c: codes_of(df[columns[c].name])[0] for c in reader.onehot}
    positions = _complete_rows(sources, bad, list(codes.values()), n)
    if positions is not None:
        complete = np.zeros(n, dtype=bool)
        complete[positions] = True
        mins, maxs, _ = min_max(sources, len(columns), n, complete)
    categories: dict[int, list[str]] = {}
    for c in reader.onehot:
        column = df[columns[c].name]
        sub = column if positions is None else column.iloc[positions]
        categories[c] = sorted({str(v) for v in pd.unique(sub.to_numpy(dtype=object))})
    return PartStatistics(mins, maxs, categories, n if positions is None else len(positions))


def space_from_statistics(
    plan: Sequence[tuple[str, str]], parts: Sequence[PartStatistics], *, normalize: bool
) -> FeatureSpace:
    """The feature space :func:`fit_features` fits on the whole table, from its parts' statistics: the
    categories of all parts (sorted), the normalisation from the least min and the greatest max."""
    columns = [FeatureColumn(name, kind) for name, kind in plan]
    used = [part for part in parts if part.n_complete]
    for c, fc in enumerate(columns):
        if fc.kind != "onehot":
            continue
        cats = sorted({value for part in used for value in part.categories.get(c, [])})
        _check_categories(fc.name, cats)
        columns[c] = FeatureColumn(fc.name, "onehot", cats)
    d = sum(fc.width for fc in columns)
    if d == 0:
        raise _no_feature(columns)
    if not normalize or not used:
        return FeatureSpace(columns)
    mins = np.min([part.mins for part in used], axis=0)
    maxs = np.max([part.maxs for part in used], axis=0)
    norm_min, norm_scale = _normalisation(columns, _starts(columns), mins, maxs)
    return FeatureSpace(columns, norm_min, norm_scale)
