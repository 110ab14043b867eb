"""Split Data — splits the rows of a table in two."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Param, Port


class SplitData(Module):
    id = "split_data"
    name = "Split Data"
    category = "Data Transformation / Sample and Split"
    description = (
        "Splits the rows in two: round(fraction × rows) rows go to the first output, the rest to the second. "
        "Randomized: the rows are drawn with the seed; otherwise the first rows go first. Each output keeps "
        "the table's row order."
    )
    version = 1
    order = 80
    inputs = (Port("dataset", "Dataset", "data_table"),)
    outputs = (
        Port("results_dataset1", "Results dataset 1", "data_table"),
        Port("results_dataset2", "Results dataset 2", "data_table"),
    )
    params = (
        Param(
            "fraction",
            "Fraction of rows in the first output dataset",
            "float",
            default=0.5,
            min=0.0,
            max=1.0,
            description="Between 0 and 1.",
        ),
        Param("randomize", "Randomized split", "bool", default=True, description="Draw the rows at random."),
        Param(
            "seed",
            "Random seed",
            "seed",
            default=0,
            visible_when={"randomize": True},
            description="The seed of the random split (the same seed gives the same split).",
        ),
    )
    errors = (
        ErrorDecl("0002", "a parameter has the wrong type"),
        ErrorDecl("0003", "the input is not connected, or has no rows or columns"),
        ErrorDecl("0005", "the fraction is below 0"),
        ErrorDecl("0007", "the fraction is above 1, or the seed above 4294967295"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        df = inputs["dataset"]
        n = len(df)
        n_first = min(n, int(math.floor(params["fraction"] * n + 0.5)))
        if params["randomize"]:
            first = np.sort(np.random.default_rng(params["seed"]).permutation(n)[:n_first])
        else:
            first = np.arange(n_first)
        in_first = np.zeros(n, dtype=bool)
        in_first[first] = True
        ctx.log(f"Split {n} rows into {n_first} and {n - n_first}.")
        return {
            "results_dataset1": df.iloc[np.flatnonzero(in_first)].reset_index(drop=True),
            "results_dataset2": df.iloc[np.flatnonzero(~in_first)].reset_index(drop=True),
        }

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        schema = inputs.get("dataset")
        return Inferred(outputs={"results_dataset1": schema, "results_dataset2": schema})
