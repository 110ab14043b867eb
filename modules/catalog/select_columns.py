"""Select Columns in Dataset — keeps the selected columns, in table order."""

from __future__ import annotations

from typing import Any

import pandas as pd

from modules.columns import select_columns
from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Param, Partitioned, Port
from modules.errors import ModuleError
from modules.partitioned import PartitionedTable


def _columns(part: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return part[names]


class SelectColumns(Module):
    id = "select_columns"
    name = "Select Columns in Dataset"
    category = "Data Transformation / Manipulation"
    description = "Keeps the selected columns (by name, by index or by rules), in the table's column order."
    version = 1
    order = 60
    inputs = (Port("dataset", "Dataset", "data_table"),)
    outputs = (Port("results_dataset", "Results dataset", "data_table"),)
    params = (
        Param(
            "column_set",
            "Select columns",
            "column_set",
            required=True,
            columns_from="dataset",
            description="The columns to keep.",
        ),
    )
    partitioned = Partitioned(outputs=("results_dataset",))
    errors = (
        ErrorDecl("0001", "a selected column name or index does not exist"),
        ErrorDecl("0002", "no selection is set, or it is malformed"),
        ErrorDecl("0003", "the input is not connected, or has no rows or columns"),
        ErrorDecl("0011", "the selection matches no column"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        df = inputs["dataset"]
        if isinstance(df, PartitionedTable):  # each part projected where it is
            names = select_columns(df.schema, params["column_set"], param=self.param("column_set"))
            ctx.log(f"Selected {len(names)} of {df.shape[1]} columns, part by part ({df.n_parts} parts).")
            kept = set(names)
            schema = [(n, t) for n, t in df.schema if n in kept]
            return {
                "results_dataset": df.map_parts(_columns, meta=df.meta[names], schema=schema, names=names)
            }
        names = select_columns(df, params["column_set"], param=self.param("column_set"))
        ctx.log(f"Selected {len(names)} of {df.shape[1]} columns.")
        return {"results_dataset": df[names]}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        schema = inputs.get("dataset")
        if schema is None or params["column_set"] is None:
            return Inferred(outputs={"results_dataset": None})
        try:
            names = set(select_columns(schema, params["column_set"], param=self.param("column_set")))
        except ModuleError as exc:
            return Inferred(outputs={"results_dataset": None}, errors=[exc])
        return Inferred(outputs={"results_dataset": [(n, t) for n, t in schema if n in names]})
