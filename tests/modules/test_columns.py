"""Column types and the three forms of column selection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.column_types import column_type, table_schema
from modules.columns import parse_column_set, parse_indices, select_columns
from modules.errors import ModuleError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [1, 2],
            "b": ["x", "y"],
            "c": [1.5, np.nan],
            "d": [True, False],
            "e": pd.to_datetime(["2020-01-01", "2021-01-01"]),
            "f": pd.Categorical(["u", "v"]),
            "g": pd.array([1, None], dtype="Int64"),
        }
    )


def test_column_types(df: pd.DataFrame) -> None:
    assert table_schema(df) == [
        ("a", "numeric"),
        ("b", "string"),
        ("c", "numeric"),
        ("d", "boolean"),
        ("e", "datetime"),
        ("f", "string"),
        ("g", "numeric"),
    ]
    assert column_type(pd.Series([1 + 2j])) == "other"
    assert column_type(pd.Series(pd.to_timedelta([1], unit="s"))) == "other"
    assert column_type(pd.Series([1, 2.5], dtype=object)) == "numeric"
    assert column_type(pd.Series(["a", None], dtype=object)) == "string"
    assert column_type(pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("UTC"))) == "datetime"


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({"names": ["c", "a"]}, ["a", "c"]),  # table order, not the given order
        ({"names": ["a", "a"]}, ["a"]),
        (["b"], ["b"]),
        ('{"names": ["b"]}', ["b"]),
        ({"indices": "1-3,5"}, ["a", "b", "c", "e"]),
        ({"indices": "5, 1, 1-2"}, ["a", "b", "e"]),
        ({"rules": {"start": "all", "steps": []}}, ["a", "b", "c", "d", "e", "f", "g"]),
        ({"rules": {"start": "none", "steps": [{"op": "include", "type": "numeric"}]}}, ["a", "c", "g"]),
        (
            {
                "rules": {
                    "start": "all",
                    "steps": [{"op": "exclude", "type": "string"}, {"op": "exclude", "names": ["a"]}],
                }
            },
            ["c", "d", "e", "g"],
        ),
        (
            {
                "rules": {
                    "start": "none",
                    "steps": [
                        {"op": "include", "type": "numeric"},
                        {"op": "exclude", "names": ["c"]},
                        {"op": "include", "names": ["b"]},
                        {"op": "include", "type": "datetime"},
                        {"op": "include", "type": "boolean"},
                    ],
                }
            },
            ["a", "b", "d", "e", "g"],
        ),
    ],
)
def test_selection_forms(df: pd.DataFrame, selection: Any, expected: list[str]) -> None:
    assert select_columns(df, selection) == expected
    assert select_columns(table_schema(df), selection) == expected


@pytest.mark.parametrize(
    ("selection", "code", "fragment"),
    [
        ({"names": ["a", "zz", "yy"]}, "0001", "columns 'zz', 'yy' not found"),
        ({"indices": "2, 9"}, "0001", "column index 9 not found (the input has 7 columns)"),
        ({"indices": "0"}, "0001", "column index 0 not found"),
        ({"rules": {"start": "all", "steps": [{"op": "exclude", "names": ["nope"]}]}}, "0001", "'nope'"),
        ({"names": []}, "0011", "matches no column"),
        ({"rules": {"start": "none", "steps": []}}, "0011", "matches no column"),
        (
            {
                "rules": {
                    "start": "all",
                    "steps": [
                        {"op": "exclude", "type": "numeric"},
                        {"op": "exclude", "type": "string"},
                        {"op": "exclude", "type": "boolean"},
                        {"op": "exclude", "type": "datetime"},
                    ],
                }
            },
            "0011",
            "matches no column",
        ),
    ],
)
def test_selection_errors(df: pd.DataFrame, selection: Any, code: str, fragment: str) -> None:
    with pytest.raises(ModuleError) as err:
        select_columns(df, selection)
    assert err.value.code == code
    assert fragment in err.value.message


@pytest.mark.parametrize(
    "selection",
    [
        {"names": "a"},
        {"names": [1]},
        {"indices": 3},
        {"indices": "1-x"},
        {"indices": "3-1"},
        {"indices": ""},
        {"rules": {"start": "some"}},
        {"rules": {"start": "all", "steps": [{"op": "keep", "names": ["a"]}]}},
        {"rules": {"start": "all", "steps": [{"op": "include", "type": "text"}]}},
        {"rules": {"start": "all", "steps": [{"op": "include", "names": ["a"], "type": "numeric"}]}},
        {"names": ["a"], "indices": "1"},
        {},
        "not json",
        42,
    ],
)
def test_malformed_selections_raise_0002(selection: Any) -> None:
    with pytest.raises(ModuleError) as err:
        parse_column_set(selection)
    assert err.value.code == "0002"


INDEX_CASES = json.loads((Path(__file__).parents[1] / "contracts" / "integer_lists.json").read_text())[
    "column_indices"
]


@pytest.mark.parametrize(("text", "expected"), INDEX_CASES["expands"])
def test_column_indices(text: str, expected: list[int]) -> None:
    assert parse_indices(text) == expected


@pytest.mark.parametrize("text", INDEX_CASES["refuses"])
def test_bad_column_indices_raise_0002(text: str) -> None:
    with pytest.raises(ModuleError) as err:
        parse_indices(text)
    assert err.value.code == "0002" and repr(text) in err.value.message
