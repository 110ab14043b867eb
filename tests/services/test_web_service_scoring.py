"""Scoring a request: the same answer as Assign Data to Clusters, in the shape the request came in."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pytest

from backend.services.web_services.errors import ScoreRequestError
from backend.services.web_services.scoring import input_columns, output_columns, score_request
from modules.samples import load_sample
from tests.services.web_service_models import (
    BODIES,
    CONTENT_TYPES,
    IRIS_FEATURES,
    MIXED,
    answer_frame,
    assert_same_scores,
    iris_model,
    line_model,
    mixed_model,
    module_answer,
)

SHAPES = list(BODIES)
DIST = [f"DistancesToClusterCenter no.{j}" for j in range(3)]


def score(model, df: pd.DataFrame, shape: str, *, append: bool, max_rows: int = 10_000):
    body = BODIES[shape](df)
    return score_request(
        model, body, CONTENT_TYPES.get(shape, "application/json"), append=append, max_rows=max_rows
    )


def test_known_answer_on_a_line() -> None:
    """Centres 0.5 and 10.5: x = 2 is 1.5 and 8.5 away, x = 9 is 8.5 and 1.5 away."""
    df = pd.DataFrame({"x": [2.0, 9.0, None]})
    scored = score(line_model(), df, "dataframe_split", append=False)
    doc = orjson.loads(scored.body)
    assert doc == {
        "dataframe_split": {
            "columns": ["Assignments", "DistancesToClusterCenter no.0", "DistancesToClusterCenter no.1"],
            "data": [[0, 1.5, 8.5], [1, 8.5, 1.5], [None, None, None]],
        }
    }
    assert scored.rows == 3 and scored.media_type == "application/json"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("append", [True, False])
def test_iris_as_assign_gives_it(shape: str, append: bool) -> None:
    model = iris_model()
    df = load_sample("sample-iris")
    scored = score(model, df, shape, append=append)
    expected = module_answer(df, model, append=append)
    got = answer_frame(scored.body, shape)
    assert_same_scores(got, expected, DIST)
    if append:  # the input columns first, as sent
        assert list(got.columns[:5]) == [*IRIS_FEATURES, "species"]
        assert got["species"].tolist() == df["species"].tolist()
        np.testing.assert_array_equal(pd.to_numeric(got["sepal_length"]), df["sepal_length"])


@pytest.mark.parametrize("shape", SHAPES)
def test_every_feature_kind_and_the_label_mode(shape: str) -> None:
    """One-hot text (an unseen value too), datetime, boolean, missing values and fill_missing labels."""
    model = mixed_model()
    new = pd.DataFrame(
        {
            "extra": ["keep", "me", "too", "please"],
            "x": [3.5, 10.5, None, 0.0],
            "color": ["blue", "purple", "red", "red"],
            "when": pd.to_datetime(["2024-02-10", "2024-03-02", "2024-01-01", "2024-01-01"]),
            "flag": [True, False, True, False],
            "lab": [None, None, "z", None],
        }
    )
    scored = score(model, new, shape, append=True)
    expected = module_answer(new, model, append=True)
    got = answer_frame(scored.body, shape)
    assert_same_scores(got, expected, [f"DistancesToClusterCenter no.{j}" for j in range(2)])
    labels = [None if pd.isna(v) else v for v in got["lab"]]
    assert labels == [None if pd.isna(v) else v for v in expected["lab"]]
    assert labels[2] == "z" and labels[0] is not None  # kept where set, filled where assigned
    assert got["extra"].tolist() == ["keep", "me", "too", "please"]


def test_ten_thousand_rows_as_assign_gives_them() -> None:
    model = iris_model()
    iris = load_sample("sample-iris")
    rng = np.random.default_rng(7)
    df = iris.iloc[rng.integers(0, len(iris), 10_000)].reset_index(drop=True)
    df[IRIS_FEATURES] += rng.normal(0, 0.3, (10_000, 4))
    scored = score(model, df, "dataframe_split", append=False)
    assert_same_scores(
        answer_frame(scored.body, "dataframe_split"), module_answer(df, model, append=False), DIST
    )


def test_classic_answer_names_the_column_types() -> None:
    model = mixed_model()
    scored = score(model, MIXED.iloc[:2], "classic", append=True)
    value = orjson.loads(scored.body)["Results"]["output1"]
    assert value["type"] == "table"
    types = dict(zip(value["value"]["ColumnNames"], value["value"]["ColumnTypes"], strict=True))
    assert types == {
        "x": "Double",
        "color": "String",
        "when": "DateTime",
        "flag": "Boolean",
        "lab": "String",
        "Assignments": "Int64",
        "DistancesToClusterCenter no.0": "Double",
        "DistancesToClusterCenter no.1": "Double",
    }
    row = value["value"]["Values"][0]
    assert row[2] == "2024-01-01T00:00:00+00:00"  # date-times come back in ISO 8601, UTC


def test_csv_answers_in_csv() -> None:
    scored = score(line_model(), pd.DataFrame({"x": [2.0, 9.0]}), "csv", append=True)
    assert scored.media_type.startswith("text/csv")
    assert scored.body.decode().splitlines() == [
        '"x","Assignments","DistancesToClusterCenter no.0","DistancesToClusterCenter no.1"',
        "2,0,1.5,8.5",
        "9,1,8.5,1.5",
    ]


def test_no_rows_gives_no_rows() -> None:
    body = orjson.dumps({"records": []})
    with pytest.raises(ScoreRequestError) as caught:  # no columns at all: the model's are missing
        score_request(line_model(), body, "application/json", append=False, max_rows=10)
    assert caught.value.code == "missing_columns"
    body = orjson.dumps({"dataframe_split": {"columns": ["x"], "data": []}})
    doc = orjson.loads(score_request(line_model(), body, "application/json", append=True, max_rows=10).body)
    assert doc["dataframe_split"]["data"] == []


def test_cosine_zero_row_is_the_callers_problem() -> None:
    df = pd.DataFrame({"a": [1.0, 0.1, 50.0, 7.0], "b": [0.1, 1.0, 4.0, 80.0]})
    from tests.modules.helpers import kmeans, train

    model = train(df, kmeans(n_clusters=2, init="first_n", metric="cosine", seed=0))["trained_model"]
    body = orjson.dumps({"records": [{"a": 0.0, "b": 0.0}]})
    with pytest.raises(ScoreRequestError) as caught:
        score_request(model, body, "application/json", append=False, max_rows=10)
    assert (caught.value.status, caught.value.code) == (400, "unscorable")
    assert caught.value.where["module_error"] == "0018"


def test_input_and_output_columns() -> None:
    model = mixed_model()
    assert input_columns(model.features.columns_json()) == [
        {"name": "x", "type": "number"},
        {"name": "color", "type": "string"},
        {"name": "when", "type": "datetime"},
        {"name": "flag", "type": "boolean"},
    ]
    dist = ["DistancesToClusterCenter no.0", "DistancesToClusterCenter no.1"]
    features = model.features.source_columns
    assert output_columns(features, 2, "kmeans", append=False) == ["Assignments", *dist]
    assert output_columns(features, 2, "kmeans", append=True) == [*features, "Assignments", *dist]
