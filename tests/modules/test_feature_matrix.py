"""The fast table-to-matrix conversion and the one-pass scoring give exactly the column-by-column results.

The reference below is the conversion as it was written column by column (each column converted to
float64, written into the matrix, then ``X -= X.min(axis=0)`` and ``X /= scale``): the fast path must
give the same bits, signed zeros included, on mixed tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

import modules
from modules.column_types import table_schema
from modules.engine import pairwise_distances
from modules.engine.distances import nearest_and_distances
from modules.feature_matrix import ColumnReader, codes_of, numbers_of, recode
from modules.features import FeatureColumn, FeatureSpace, fit_features, plan_features
from tests.modules.helpers import assign, kmeans, new_columns, train

# -- the column-by-column reference ------------------------------------------------------------------


def reference_matrix(df: pd.DataFrame, columns: Sequence[FeatureColumn], rows: np.ndarray) -> np.ndarray:
    X = np.empty((len(rows), sum(fc.width for fc in columns)))
    j = 0
    for fc in columns:
        series = df[fc.name].iloc[rows]
        if fc.kind == "onehot":
            codes = recode(*codes_of(series), fc.categories)
            block = X[:, j : j + fc.width]
            block[:] = 0.0
            hit = codes >= 0
            block[np.flatnonzero(hit), codes[hit]] = 1.0
        else:
            X[:, j] = numbers_of(series, fc.kind)
        j += fc.width
    return X


def reference_fit(df: pd.DataFrame, plan: list[tuple[str, str]], normalize: bool) -> tuple:
    complete = np.ones(len(df), dtype=bool)
    for name, kind in plan:
        if kind == "onehot":
            complete &= codes_of(df[name])[0] >= 0
        else:
            complete &= ~np.isnan(numbers_of(df[name], kind))
    rows = np.flatnonzero(complete)
    columns = []
    for name, kind in plan:
        cats = []
        if kind == "onehot":
            cats = sorted({str(v) for v in pd.unique(df[name].iloc[rows].to_numpy(dtype=object))})
        columns.append(FeatureColumn(name, kind, cats))
    X = reference_matrix(df, columns, rows)
    norm_min = norm_scale = None
    if normalize and len(rows):
        norm_min = X.min(axis=0)
        span = X.max(axis=0) - norm_min
        norm_scale = np.where(span > 0, span, 1.0)
        X -= norm_min
        X /= norm_scale
    return X, rows, columns, norm_min, norm_scale


def reference_transform(space: FeatureSpace, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    complete = np.ones(len(df), dtype=bool)
    unseen = 0
    for fc in space.columns:
        if fc.kind == "onehot":
            codes = recode(*codes_of(df[fc.name]), fc.categories)
            complete &= codes != -1
            unseen += int((codes == -2).sum())
        else:
            complete &= ~np.isnan(numbers_of(df[fc.name], fc.kind))
    X = reference_matrix(df, space.columns, np.flatnonzero(complete))
    if space.norm_min is not None and space.norm_scale is not None:
        X -= space.norm_min
        X /= space.norm_scale
    return X, complete, unseen


def assert_same_bits(actual: np.ndarray | None, expected: np.ndarray | None) -> None:
    if expected is None:
        assert actual is None
        return
    assert actual is not None and actual.shape == expected.shape
    assert np.array_equal(actual.view(np.int64), expected.view(np.int64)), (actual, expected)


# -- mixed tables -----------------------------------------------------------------------------------


def mixed_table(n: int, seed: int, *, complete: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    block = rng.normal(size=(n, 3)) * [1.0, 1e6, 1e-3]
    block[rng.random(n) < 0.2, 1] = 0.0
    block[rng.random(n) < 0.2, 1] = -0.0  # signed zeros: the min keeps NumPy's choice of sign
    df = pd.DataFrame(block, columns=["a", "b", "c"])  # one float64 block
    df["lone"] = rng.random(n)  # a float64 column in a block of its own
    df["ints"] = rng.integers(-5, 5, n)
    df["f32"] = rng.random(n).astype(np.float32)
    df["flag"] = rng.random(n) < 0.5
    df["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s")
    df["colour"] = rng.choice(["red", "green", "blue"], n)
    if not complete:
        df.loc[rng.random(n) < 0.1, "a"] = np.nan
        df.loc[rng.random(n) < 0.05, "c"] = np.inf
        df.loc[rng.random(n) < 0.05, "lone"] = -np.inf
        df["colour"] = df["colour"].where(rng.random(n) > 0.05, None)
        df["nullable"] = pd.array(rng.integers(0, 3, n), dtype="Int64")
        df.loc[rng.random(n) < 0.05, "nullable"] = pd.NA
    return df


PLAN = [
    ("a", "numeric"),
    ("b", "numeric"),
    ("c", "numeric"),
    ("lone", "numeric"),
    ("ints", "numeric"),
    ("f32", "numeric"),
    ("flag", "boolean"),
    ("when", "datetime"),
    ("colour", "onehot"),
]


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("complete", [True, False])
@pytest.mark.parametrize("n", [1, 7, 3000])
def test_fast_conversion_equals_the_column_by_column_one(n: int, complete: bool, normalize: bool) -> None:
    df = mixed_table(n, seed=n, complete=complete)
    plan = PLAN + ([] if complete else [("nullable", "numeric")])
    X, rows, columns, norm_min, norm_scale = reference_fit(df, plan, normalize)
    if len(rows) == 0:
        return
    in_place = ColumnReader(df, [FeatureColumn(name, kind) for name, kind in plan]).read_in_place
    assert in_place == ["a", "b", "c"]  # the float64 block; the lone float64 column is converted
    prepared = fit_features(df, plan, normalize=normalize)
    assert_same_bits(prepared.X, X)
    assert prepared.X.flags.c_contiguous
    np.testing.assert_array_equal(prepared.rows, rows)
    assert (prepared.positions is None) == (len(rows) == n)
    assert prepared.space.columns == columns
    assert_same_bits(prepared.space.norm_min, norm_min)
    assert_same_bits(prepared.space.norm_scale, norm_scale)


def test_default_plan_of_a_numeric_block_with_missing_values() -> None:
    rng = np.random.default_rng(3)
    values = rng.random((5000, 6))
    values[rng.random(values.shape) < 0.01] = np.nan
    values[::7, 2] = -0.0
    df = pd.DataFrame(values, columns=list("uvwxyz"))
    plan = plan_features(table_schema(df), None, None)
    X, rows, _, norm_min, norm_scale = reference_fit(df, plan, True)
    prepared = fit_features(df, plan, normalize=True)
    assert_same_bits(prepared.X, X)
    np.testing.assert_array_equal(prepared.rows, rows)
    assert_same_bits(prepared.space.norm_min, norm_min)
    assert_same_bits(prepared.space.norm_scale, norm_scale)


def test_one_column_and_one_category() -> None:
    df = pd.DataFrame({"x": [0.0, -0.0, 2.0, -0.0], "s": ["a", "a", "a", "a"]})
    for plan in ([("x", "numeric")], [("s", "onehot")], [("x", "numeric"), ("s", "onehot")]):
        X, _, _, norm_min, norm_scale = reference_fit(df, plan, True)
        prepared = fit_features(df, plan, normalize=True)
        assert_same_bits(prepared.X, X)
        assert_same_bits(prepared.space.norm_min, norm_min)
        assert_same_bits(prepared.space.norm_scale, norm_scale)


def test_a_row_slice_of_a_block_and_windows_of_a_new_table() -> None:
    train_df = mixed_table(4000, seed=1)
    prepared = fit_features(train_df, PLAN, normalize=True)
    other = mixed_table(6000, seed=2).iloc[1000:]  # a view into the middle of a block
    other = other.assign(colour=other["colour"].replace({"blue": "violet"}))  # unseen values
    X, complete, unseen = reference_transform(prepared.space, other)
    assert unseen > 0
    assert prepared.space.reader(other)._reader.read_in_place == ["a", "b", "c"]
    got = prepared.space.transform(other)
    assert_same_bits(got[0], X)
    np.testing.assert_array_equal(got[1], complete)
    assert got[2] == unseen
    reader = prepared.space.reader(other)
    for start, stop in ((0, 1), (0, 2500), (2500, 5000), (4999, 5000)):
        window = reader.transform(start, stop)
        expected = reference_transform(prepared.space, other.iloc[start:stop])
        assert_same_bits(window[0], expected[0])
        np.testing.assert_array_equal(window[1], expected[1])
        assert window[2] == expected[2]


# -- label_and_score --------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_label_and_score_equals_argmin_of_the_scores_on_ties_and_duplicates(metric: str) -> None:
    rng = np.random.default_rng(5)
    X = np.vstack([rng.integers(1, 4, size=(600, 3)).astype(float), [[1.0, 1.0, 1.0]] * 5])
    centroids = np.array(
        [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 1.0, 2.0], [1.0, 1.0, 1.0]]
    )
    labels, scores_t = nearest_and_distances(X, centroids, metric=metric)
    S = pairwise_distances(X, centroids, metric=metric)
    np.testing.assert_array_equal(labels, np.argmin(S, axis=1))
    assert not np.isin(labels, [2, 4]).any()  # duplicates of centroids 0 and 1: ties go to the lowest index
    assert scores_t.shape == (5, len(X)) and scores_t.flags.c_contiguous
    np.testing.assert_allclose(scores_t, S.T, rtol=1e-12, atol=0)

    out = np.full((5, len(X) + 10), -1.0)
    columns = np.arange(len(X)) + 10
    labels2, same = nearest_and_distances(X, centroids, metric=metric, out=out, columns=columns)
    assert same is out
    np.testing.assert_array_equal(labels2, labels)
    np.testing.assert_array_equal(out[:, 10:], scores_t)
    assert (out[:, :10] == -1.0).all()


def test_kmeans_model_label_and_score_matches_the_default_from_scores() -> None:
    df = mixed_table(800, seed=9, complete=True)
    out = train(df, kmeans(n_clusters=4, init="first_n", seed=0, normalize=True))
    model = out["trained_model"].model
    X = fit_features(df, plan_features(table_schema(df), None, None), normalize=True).X
    labels, scores_t = model.label_and_score(X)
    default = modules.algorithms.base.ClusterModel.label_and_score(model, X)
    np.testing.assert_array_equal(labels, default[0])
    np.testing.assert_allclose(scores_t, default[1], rtol=1e-12, atol=0)
    np.testing.assert_array_equal(labels, model.assign(X))


# -- results of Train and Assign --------------------------------------------------------------------


@pytest.mark.parametrize("complete", [True, False])
def test_train_results_equal_the_scores_of_the_complete_rows(complete: bool) -> None:
    df = mixed_table(2000, seed=4, complete=complete)
    columns = [name for name, _ in PLAN]
    out = train(
        df, kmeans(n_clusters=3, init="kmeans++", seed=2, normalize=True), column_set={"names": columns}
    )
    trained, res = out["trained_model"], out["results_dataset"]
    X, rows, *_ = reference_fit(df, PLAN, True)
    expected = pairwise_distances(X, trained.model.centroids)
    assert list(res.columns[-4:]) == new_columns(3)
    scores = res[new_columns(3)[1:]].to_numpy()
    assigned = res["Assignments"].notna().to_numpy()
    np.testing.assert_array_equal(np.flatnonzero(assigned), rows)
    np.testing.assert_allclose(scores[rows], expected, rtol=1e-12, atol=1e-12)
    assert np.isnan(scores[~assigned]).all()
    labels = res["Assignments"].to_numpy(dtype=np.float64, na_value=np.nan)
    np.testing.assert_array_equal(labels[rows], np.argmin(expected, axis=1))
    np.testing.assert_array_equal(
        trained.cluster_sizes, np.bincount(np.argmin(expected, axis=1), minlength=3)
    )
    again = assign(df, trained)  # Assign reads the table window by window: the same table
    pd.testing.assert_frame_equal(again, res)


def test_training_rows_count_unseen_values_of_incomplete_rows_as_before() -> None:
    # "z" appears only in a row left out for its missing value: not a training category, so the
    # results warn about it, as scoring the training table always did.
    df = pd.DataFrame({"x": [0.0, 1.0, 5.0, np.nan, 6.0], "s": ["a", "b", "a", "z", "b"]})
    ctx = modules.RunContext()
    out = train(df, kmeans(n_clusters=2, init="first_n", seed=0), ctx, column_set={"names": ["x", "s"]})
    assert any("1 string value not seen in training" in w for w in ctx.warnings)
    assert out["results_dataset"]["Assignments"].isna().tolist() == [False, False, False, True, False]
