"""Dataset — the source of every experiment: an uploaded or a sample dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Param, Partitioned, Port
from modules.errors import ModuleError
from modules.partitioned import PartitionedTable


class Dataset(Module):
    id = "dataset"
    name = "Dataset"
    category = "Saved Datasets"
    description = (
        "A saved dataset: one you uploaded, one shared with you, or a sample that ships with the studio "
        "(Iris, Iris Two Class Data, Wine, Breast Cancer Wisconsin, Synthetic Blobs 100k)."
    )
    version = 1
    order = 10
    outputs = (Port("dataset", "Dataset", "data_table"),)
    params = (
        Param(
            "dataset_id",
            "Dataset",
            "dataset",
            required=True,
            description="The dataset to load (sample ids start with 'sample-').",
        ),
    )
    partitioned = Partitioned(outputs=("dataset",))
    errors = (
        ErrorDecl("0002", "no dataset is chosen"),
        ErrorDecl("0003", "the dataset does not exist or has no rows or no columns"),
        ErrorDecl("0018", "the dataset cannot be read (e.g. duplicate column names)"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        dataset_id = params["dataset_id"]
        if ctx.cluster is not None and ctx.dataset_parts is not None:
            files = ctx.dataset_parts(dataset_id)
            if files is not None:  # stored partitioned, and on Dask: passed on part by part, never whole
                return {"dataset": self._partitioned(dataset_id, files, ctx)}
        loader = ctx.load_dataset
        if loader is None:
            from modules.samples import load_sample

            loader = load_sample
        try:
            df = loader(dataset_id)
        except (KeyError, LookupError, FileNotFoundError) as exc:
            raise ModuleError("0003", f"Dataset {dataset_id!r} not found ({exc}).") from None
        if df is None:
            raise ModuleError("0003", f"Dataset {dataset_id!r} not found.")
        if not isinstance(df, pd.DataFrame):
            raise ModuleError("0018", f"Dataset {dataset_id!r} did not load as a table.")
        names = [str(c) for c in df.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ModuleError(
                "0018",
                f"Dataset {dataset_id!r} has duplicate column names: {', '.join(map(repr, duplicates))}.",
            )
        if df.shape[0] == 0 or df.shape[1] == 0:
            raise ModuleError(
                "0003", f"Dataset {dataset_id!r} is empty ({df.shape[0]} rows, {df.shape[1]} columns)."
            )
        if names != list(df.columns):
            df = df.set_axis(names, axis=1)
        ctx.log(f"Loaded dataset {dataset_id!r}: {df.shape[0]} rows × {df.shape[1]} columns.")
        return {"dataset": df}

    def _partitioned(self, dataset_id: str, files: list[Path], ctx: RunContext) -> PartitionedTable:
        assert ctx.cluster is not None
        table = PartitionedTable.from_parquet(files, ctx.cluster())
        names = table.columns
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ModuleError(
                "0018",
                f"Dataset {dataset_id!r} has duplicate column names: {', '.join(map(repr, duplicates))}.",
            )
        if table.n_rows == 0 or not names:
            raise ModuleError(
                "0003", f"Dataset {dataset_id!r} is empty ({table.n_rows} rows, {len(names)} columns)."
            )
        ctx.log(
            f"Dataset {dataset_id!r}: {table.n_rows} rows × {len(names)} columns, stored partitioned: "
            f"read part by part on the cluster ({table.n_parts} parts)."
        )
        return table

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        columns = env.dataset_columns(params["dataset_id"]) if params.get("dataset_id") else None
        return Inferred(outputs={"dataset": list(columns) if columns is not None else None})
