"""Evaluate Model's per-row silhouettes and its agreement with a label column, against scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics
from sklearn.preprocessing import MinMaxScaler

import modules
from modules.samples import load_sample
from tests.modules.helpers import kmeans, train

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    (
        "evaluate_clustering",
        {"label_column": "kind"},
        {
            "scored_dataset": lambda: pd.DataFrame(
                {"x": [1.0, 2.0], "Assignments": pd.array([0, 1], dtype="Int64")}
            )
        },
        {},
        "0001",
        ["Label column", "'kind' is not a column"],
    ),
]


def iris_results() -> pd.DataFrame:
    iris = load_sample("sample-iris")
    return train(iris, kmeans(n_clusters=3, init="first_n", normalize=True))["results_dataset"]


def evaluate(df: pd.DataFrame, **params: Any) -> dict[str, pd.DataFrame]:
    return modules.run_module("evaluate_clustering", params, {"scored_dataset": df})


def test_every_row_gets_its_silhouette_and_simplified_silhouette() -> None:
    results = iris_results()
    out = evaluate(results)["row_silhouettes"]
    assert list(out.columns) == [*results.columns, "Silhouette", "Simplified Silhouette"]
    scaled = MinMaxScaler().fit_transform(results[FEATURES])
    np.testing.assert_allclose(
        out["Silhouette"], metrics.silhouette_samples(scaled, results["Assignments"]), atol=1e-12
    )
    assert np.isfinite(out["Simplified Silhouette"]).all()
    again = evaluate(out)["row_silhouettes"]  # its own silhouettes are results, not features
    assert list(again.columns)[-2:] == ["Silhouette (2)", "Simplified Silhouette (2)"]
    np.testing.assert_allclose(again["Silhouette (2)"], out["Silhouette"], atol=1e-12)


def test_the_clusters_agree_with_a_label_column_as_scikit_learn_says() -> None:
    results = iris_results()
    table = evaluate(results, label_column="species")["label_agreement"]
    values = dict(zip(table["Metric"], table["Value"], strict=True))
    truth, found = results["species"], results["Assignments"]
    assert values["Adjusted Rand index"] == pytest.approx(
        metrics.adjusted_rand_score(truth, found), abs=1e-12
    )
    assert values["Normalized mutual information"] == pytest.approx(
        metrics.normalized_mutual_info_score(truth, found), abs=1e-12
    )
    assert values["V-measure"] == pytest.approx(metrics.v_measure_score(truth, found), abs=1e-12)
    assert values["Rows compared"] == 150
    assert evaluate(results)["label_agreement"].empty  # no label column chosen


def test_validation_names_a_missing_label_column_and_gives_the_new_ports_schemas() -> None:
    schema = [("x", "numeric"), ("Assignments", "numeric"), ("Silhouette", "numeric")]
    module = modules.registry.get("evaluate_clustering")
    found = module.infer({"label_column": "Assignments"}, {"scored_dataset": schema}, None)
    assert [e.code for e in found.errors] == ["0001"] and "clustering result" in found.errors[0].message
    assert [n for n, _ in found.outputs["row_silhouettes"]] == [
        "x",
        "Assignments",
        "Silhouette",
        "Silhouette (2)",
        "Simplified Silhouette",
    ]
    assert found.outputs["label_agreement"] == [("Metric", "string"), ("Value", "numeric")]
