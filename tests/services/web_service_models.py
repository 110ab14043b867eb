"""Trained models the web-service tests score with, and how they read an answer back."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import orjson
import pandas as pd

from modules.samples import load_sample
from modules.trained_model import TrainedClusterModel
from tests.modules.helpers import assign, kmeans, train

IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def iris_model(**params: Any) -> TrainedClusterModel:
    """K-Means (k=3, normalised) trained on Iris with 'species' as its label column."""
    config = kmeans(n_clusters=3, init="first_n", seed=0, normalize=True, **params)
    return train(load_sample("sample-iris"), config, label_column="species")["trained_model"]


def line_model() -> TrainedClusterModel:
    """One feature 'x', trained on 0, 1, 10, 11 with the first two rows as seeds: centres 0.5 and 10.5."""
    df = pd.DataFrame({"x": [0.0, 1.0, 10.0, 11.0]})
    return train(df, kmeans(n_clusters=2, init="first_n", seed=0))["trained_model"]


#: A table with every kind of feature (numeric, one-hot text, datetime, boolean) and a label column.
MIXED = pd.DataFrame(
    {
        "x": [0.0, 1.0, 10.0, 11.0, 5.0, 6.0],
        "color": ["red", "red", "blue", "blue", "green", "red"],
        "when": pd.to_datetime(
            ["2024-01-01", "2024-01-02", "2024-03-01", "2024-03-05", "2024-02-01", "2024-02-02"]
        ),
        "flag": [True, False, True, True, False, False],
        "lab": ["a", None, "b", None, "c", None],
    }
)
MIXED_FEATURES = ["x", "color", "when", "flag"]


def mixed_model() -> TrainedClusterModel:
    config = kmeans(n_clusters=2, init="first_n", seed=0, normalize=True, assign_label_mode="fill_missing")
    return train(MIXED, config, column_set={"names": MIXED_FEATURES}, label_column="lab")["trained_model"]


def module_answer(df: pd.DataFrame, model: TrainedClusterModel, *, append: bool) -> pd.DataFrame:
    """What Assign Data to Clusters gives for these rows."""
    return assign(df, model, append=append)


def answer_frame(body: bytes, shape: str) -> pd.DataFrame:
    """A scoring answer read back into a table (JSON null → None, CSV empty → NaN)."""
    if shape == "csv":
        return pd.read_csv(io.BytesIO(body))
    doc = orjson.loads(body)
    if shape == "records":
        return pd.DataFrame.from_records(doc["records"])
    if shape == "classic":
        value = doc["Results"]["output1"]["value"]
        return pd.DataFrame(value["Values"], columns=value["ColumnNames"], dtype=object)
    split = doc["dataframe_split"]
    return pd.DataFrame(split["data"], columns=split["columns"], dtype=object)


def assert_same_scores(got: pd.DataFrame, expected: pd.DataFrame, score_columns: list[str]) -> None:
    """Same columns in the same order, the same assignments, scores within 1e-12."""
    assert list(got.columns) == list(expected.columns)
    got_assign = [None if pd.isna(v) else int(v) for v in got["Assignments"]]
    expected_assign = [None if pd.isna(v) else int(v) for v in expected["Assignments"]]
    assert got_assign == expected_assign
    for name in score_columns:
        a = pd.to_numeric(got[name]).to_numpy(dtype=np.float64, na_value=np.nan)
        b = expected[name].to_numpy(dtype=np.float64, na_value=np.nan)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def split_body(df: pd.DataFrame) -> bytes:
    return orjson.dumps({"dataframe_split": {"columns": list(df.columns), "data": json_rows(df)}})


def records_body(df: pd.DataFrame) -> bytes:
    names = list(df.columns)
    return orjson.dumps({"records": [dict(zip(names, row, strict=True)) for row in json_rows(df)]})


def classic_body(df: pd.DataFrame) -> bytes:
    table = {"ColumnNames": list(df.columns), "Values": json_rows(df)}
    return orjson.dumps({"Inputs": {"input1": table}, "GlobalParameters": {}})


def csv_body(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def json_rows(df: pd.DataFrame) -> list[list[Any]]:
    """The rows as a client would send them: numbers, text, booleans, ISO date-times, null."""
    out = df.astype(object).where(df.notna(), None)
    for name in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[name].dtype):
            out[name] = [None if pd.isna(v) else v.isoformat() for v in df[name]]
    return out.to_numpy().tolist()


BODIES = {"dataframe_split": split_body, "records": records_body, "classic": classic_body, "csv": csv_body}
CONTENT_TYPES = {"csv": "text/csv"}
