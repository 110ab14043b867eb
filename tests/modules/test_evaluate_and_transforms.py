"""Evaluate Model, Normalize Data, Split Data, Select Columns and the Dataset module."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import modules
from modules.samples import load_sample
from tests.modules.helpers import kmeans, train

EVAL_COLUMNS = [
    "Result Description",
    "Average Distance to Cluster Center",
    "Average Distance to Other Center",
    "Number of Points",
    "Maximal Distance To Cluster Center",
]


def scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1, 2, 3, 4],
            "Assignments": pd.array([0, 0, 1, None], dtype="Int64"),
            "DistancesToClusterCenter no.0": [1.0, 3.0, 4.0, np.nan],
            "DistancesToClusterCenter no.1": [5.0, 2.0, 1.0, np.nan],
        }
    )


def evaluate(first: pd.DataFrame, second: pd.DataFrame | None = None) -> pd.DataFrame:
    inputs = {"scored_dataset": first}
    if second is not None:
        inputs["scored_dataset_to_compare"] = second
    return modules.run_module("evaluate_clustering", {}, inputs)["evaluation_results"]


def test_evaluate_rows_hand_computed() -> None:
    out = evaluate(scored())
    assert out.columns.tolist() == EVAL_COLUMNS
    assert out["Result Description"].tolist() == [
        "Combined Evaluation",
        "Evaluation For Cluster No.0",
        "Evaluation For Cluster No.1",
    ]
    # cluster 0 (rows 0, 1): own (1, 3), nearest other (5, 2); cluster 1 (row 2): own 1, other 4
    np.testing.assert_allclose(out["Average Distance to Cluster Center"], [5 / 3, 2.0, 1.0])
    np.testing.assert_allclose(out["Average Distance to Other Center"], [11 / 3, 3.5, 4.0])
    assert out["Number of Points"].tolist() == [3, 2, 1]
    np.testing.assert_allclose(out["Maximal Distance To Cluster Center"], [3.0, 3.0, 1.0])


def test_evaluate_second_input_follows_the_first() -> None:
    other = scored().iloc[:2]
    out = evaluate(scored(), other)
    assert out["Result Description"].tolist() == [
        "Combined Evaluation",
        "Evaluation For Cluster No.0",
        "Evaluation For Cluster No.1",
        "Combined Evaluation",
        "Evaluation For Cluster No.0",
        "Evaluation For Cluster No.1",
    ]
    assert out["Number of Points"].tolist() == [3, 2, 1, 2, 2, 0]
    assert math.isnan(out["Average Distance to Cluster Center"].iloc[5])


def test_evaluate_a_trained_result_agrees_with_the_model() -> None:
    iris = load_sample("sample-iris")
    out = train(iris, kmeans(n_clusters=3, seed=1))
    ev = evaluate(out["results_dataset"])
    assert ev["Number of Points"].iloc[0] == 150
    assert ev["Number of Points"].iloc[1:].tolist() == out["trained_model"].cluster_sizes.tolist()


def test_evaluate_uses_the_newest_suffixed_columns() -> None:
    df = scored().rename(columns={"Assignments": "Assignments (2)"})
    df.insert(0, "Assignments", ["p", "q", "r", "s"])
    assert evaluate(df)["Number of Points"].iloc[0] == 3


def test_evaluate_without_assignment_columns_raises_0025() -> None:
    with pytest.raises(modules.ModuleError) as err:
        evaluate(pd.DataFrame({"x": [1.0]}))
    assert err.value.code == "0025"
    assert "'Scored dataset'" in err.value.message and "Assignments" in err.value.message


# -- Normalize Data -----------------------------------------------------------------------------------


def normalize(df: pd.DataFrame, **params: object) -> pd.DataFrame:
    return modules.run_module("normalize_data", params, {"dataset": df})["transformed_dataset"]


NORM_DF = pd.DataFrame({"a": [1.0, 2.0, 3.0, 6.0], "c": [5, 5, 5, 5], "s": list("wxyz")})


def test_zscore_uses_population_std() -> None:
    out = normalize(NORM_DF)
    a = np.array([1.0, 2.0, 3.0, 6.0])
    np.testing.assert_allclose(out["a"], (a - 3.0) / np.sqrt(((a - 3.0) ** 2).mean()))
    assert out["c"].tolist() == [0.0] * 4
    assert out["s"].tolist() == list("wxyz")


def test_other_methods() -> None:
    a = np.array([1.0, 2.0, 3.0, 6.0])
    np.testing.assert_allclose(normalize(NORM_DF, method="minmax")["a"], (a - 1) / 5)
    np.testing.assert_allclose(normalize(NORM_DF, method="logistic")["a"], 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(normalize(NORM_DF, method="tanh")["a"], np.tanh(a))
    logs = np.log(a)
    z = (logs - logs.mean()) / logs.std()
    expected = [0.5 * (1 + math.erf(v / math.sqrt(2))) for v in z]
    np.testing.assert_allclose(normalize(NORM_DF, method="lognormal")["a"], expected)


def test_constant_column_without_constant_to_zero_is_missing() -> None:
    out = normalize(NORM_DF, method="minmax", constant_to_zero=False)
    assert out["c"].isna().all()


def test_normalize_keeps_missing_values_and_respects_the_column_set() -> None:
    df = pd.DataFrame({"a": [0.0, np.nan, 10.0], "b": [1.0, 2.0, 3.0]})
    out = normalize(df, method="minmax", column_set={"names": ["a"]})
    assert out["a"].tolist()[0] == 0.0 and math.isnan(out["a"].iloc[1]) and out["a"].iloc[2] == 1.0
    assert out["b"].tolist() == [1.0, 2.0, 3.0]
    assert df["a"].iloc[2] == 10.0  # the input is not modified


# -- Split Data -----------------------------------------------------------------------------------------


def split(df: pd.DataFrame, **params: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = modules.run_module("split_data", params, {"dataset": df})
    return out["results_dataset1"], out["results_dataset2"]


def test_split_sequential_and_random() -> None:
    df = pd.DataFrame({"i": range(10)})
    first, second = split(df, fraction=0.3, randomize=False)
    assert first["i"].tolist() == [0, 1, 2] and second["i"].tolist() == list(range(3, 10))
    a1, a2 = split(df, fraction=0.3, seed=7)
    b1, _ = split(df, fraction=0.3, seed=7)
    c1, _ = split(df, fraction=0.3, seed=8)
    assert len(a1) == 3 and len(a2) == 7
    assert sorted(a1["i"].tolist() + a2["i"].tolist()) == list(range(10))
    assert a1["i"].tolist() == b1["i"].tolist() and a1["i"].tolist() == sorted(a1["i"].tolist())
    assert a1["i"].tolist() != c1["i"].tolist()
    e1, e2 = split(df, fraction=0.0)
    assert len(e1) == 0 and len(e2) == 10


# -- Select Columns and Dataset ---------------------------------------------------------------------------


def test_select_columns_keeps_table_order() -> None:
    iris = load_sample("sample-iris")
    out = modules.run_module(
        "select_columns", {"column_set": {"names": ["species", "sepal_length"]}}, {"dataset": iris}
    )["results_dataset"]
    assert out.columns.tolist() == ["sepal_length", "species"]


def test_dataset_module_loads_through_the_context_or_the_samples() -> None:
    loaded: list[str] = []

    def loader(dataset_id: str) -> pd.DataFrame:
        loaded.append(dataset_id)
        return pd.DataFrame({0: [1.0], "b": [2.0]})

    out = modules.run_module("dataset", {"dataset_id": "abc"}, {}, modules.RunContext(load_dataset=loader))
    assert loaded == ["abc"]
    assert out["dataset"].columns.tolist() == ["0", "b"]  # column names become strings
    iris = modules.run_module("dataset", {"dataset_id": "sample-iris"}, {})["dataset"]
    assert iris.shape == (150, 5)
