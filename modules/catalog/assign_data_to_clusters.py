"""Assign Data to Clusters — scores a table with a trained clustering model."""

from __future__ import annotations

from typing import Any

import pandas as pd

from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Partitioned, Port
from modules.errors import ModuleError
from modules.partitioned import PartitionedTable
from modules.scoring import (
    StaticModelInfo,
    append_param,
    has_score_columns,
    results_schema,
    results_table,
    score_prefix,
    score_rows,
)
from modules.trained_model import TrainedClusterModel


def _part_results(part: pd.DataFrame, trained: TrainedClusterModel, append: bool) -> pd.DataFrame:
    """One part of the results table."""
    return results_table(part, score_rows(part, trained), trained, append=append, ctx=RunContext())


class AssignDataToClusters(Module):
    id = "assign_data_to_clusters"
    name = "Assign Data to Clusters"
    category = "Machine Learning / Score"
    description = (
        "Assigns each row to the nearest cluster of a trained clustering model, after the model's own "
        "normalisation, and adds 'Assignments' and the per-cluster score columns (for example the distance "
        "to each cluster centre; none for an algorithm without per-cluster scores). A density model may "
        "assign a row to no cluster: its 'Assignments' is -1, shown as Noise. The table must contain "
        "every training feature column; extra columns are fine. Rows with a missing feature value get empty "
        "results. The model's label mode is applied to its label column."
    )
    version = 1
    order = 50
    inputs = (
        Port("trained_model", "Trained model", "trained_cluster_model"),
        Port("dataset", "Dataset", "data_table"),
    )
    outputs = (Port("results_dataset", "Results dataset", "data_table", view="clusters"),)
    params = (append_param(),)
    partitioned = Partitioned(outputs=("results_dataset",))
    errors = (
        ErrorDecl("0001", "the table lacks a column the model was trained on"),
        ErrorDecl("0003", "an input is not connected, or the dataset has no rows or columns"),
        ErrorDecl("0012", "an untrained model is connected to the model input"),
        ErrorDecl("0013", "the model input is not a trained clustering model"),
        ErrorDecl("0017", "a training column now has a type the model cannot use"),
        ErrorDecl("0018", "under the cosine metric, a feature row is all zeros"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        model: TrainedClusterModel = inputs["trained_model"]
        df = inputs["dataset"]
        if isinstance(df, PartitionedTable):
            return {"results_dataset": self._run_partitioned(params, model, df, ctx)}
        scores = score_rows(df, model, ctx)
        n_noise = int(scores.noise.sum())
        ctx.log(
            f"Assigned {int(scores.assigned.sum())} of {len(df)} rows to {model.k} clusters"
            + (f", {n_noise} to noise." if n_noise else ".")
        )
        return {"results_dataset": results_table(df, scores, model, append=params["append"], ctx=ctx)}

    def _run_partitioned(
        self, params: dict[str, Any], model: TrainedClusterModel, table: PartitionedTable, ctx: RunContext
    ) -> PartitionedTable:
        """Each part scored where it is (the model travels to the workers, the table never comes here)."""
        model.features.check_table(table.meta)
        ctx.log(f"Assigning {table.n_rows} rows to {model.k} clusters part by part ({table.n_parts} parts).")
        prefix = model.model.score_column_prefix
        schema = results_schema(
            table.schema, model.k, prefix, append=params["append"], has_scores=model.model.has_scores
        )
        meta = _part_results(table.meta, model, params["append"])
        return table.map_parts(
            _part_results, meta=meta, schema=schema or [], trained=model, append=params["append"]
        )

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        out = Inferred()
        info, schema = inputs.get("trained_model"), inputs.get("dataset")
        k = prefix = None
        has_scores = True
        if isinstance(info, StaticModelInfo):
            k = info.k
            prefix = score_prefix(info.algorithm) if info.algorithm is not None else None
            has_scores = info.algorithm is None or has_score_columns(info.algorithm)
            if schema is not None and info.source_columns is not None:
                names = {n for n, _ in schema}
                missing = [c for c in info.source_columns if c not in names]
                if missing:
                    out.errors.append(
                        ModuleError(
                            "0001",
                            f"The input lacks the training column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(repr(c) for c in missing)} that the model needs.",
                        )
                    )
        out.outputs = {
            "results_dataset": results_schema(
                schema, k, prefix, append=params["append"], has_scores=has_scores
            )
        }
        return out
