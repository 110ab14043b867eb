"""Train Clustering Model — fits a K-Means configuration on a table and scores the training rows."""

from __future__ import annotations

from typing import Any

from modules.clustering import (
    StaticModelInfo,
    feature_params,
    finish_training,
    infer_feature_columns,
    init_labels_for,
    prepare_training,
    range_mode_warning,
    require_label_column,
    resolve_seed,
    results_schema,
    train_model,
)
from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Port
from modules.errors import ModuleError
from modules.models import UntrainedClusterModel


class TrainClusteringModel(Module):
    id = "train_clustering_model"
    name = "Train Clustering Model"
    category = "Machine Learning / Train"
    description = (
        "Trains a K-Means model on the selected feature columns and scores the training rows: "
        "'Assignments' (0-based cluster) and 'DistancesToClusterCenter no.j' for each centroid. Rows with a "
        "missing feature value are not used and get empty results. A model in Parameter Range mode uses the "
        "first value of each list."
    )
    version = 1
    order = 30
    inputs = (
        Port("untrained_model", "Untrained model", "untrained_cluster_model"),
        Port("dataset", "Dataset", "data_table"),
    )
    outputs = (
        Port("trained_model", "Trained model", "trained_cluster_model"),
        Port("results_dataset", "Results dataset", "data_table"),
    )
    params = feature_params()
    errors = (
        ErrorDecl("0001", "the label column or a selected column does not exist"),
        ErrorDecl("0003", "an input is not connected, or the dataset has no rows or columns"),
        ErrorDecl("0011", "the column set matches no column"),
        ErrorDecl("0013", "the model input is not an untrained clustering model"),
        ErrorDecl("0017", "a selected column has a type that cannot be a feature"),
        ErrorDecl("0018", "under the cosine metric, a feature row is all zeros"),
        ErrorDecl("0020", "the selected columns give no feature"),
        ErrorDecl("0021", "fewer usable rows (or distinct rows) than clusters"),
        ErrorDecl("0024", "label initialisation or a label mode without a label column"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        config: UntrainedClusterModel = inputs["untrained_model"]
        df = inputs["dataset"]
        k, init = config.first_configuration()
        if config.trainer_mode == "range":
            ctx.warn(range_mode_warning(config))
        label = params["label_column"]
        require_label_column(config, label, init)
        prepared = prepare_training(
            df,
            params,
            config,
            column_param=self.param("column_set"),
            label_param=self.param("label_column"),
            ctx=ctx,
        )
        seed = resolve_seed(config.seed, ctx)
        model = train_model(
            prepared,
            config,
            n_clusters=k,
            init=init,
            seed=seed,
            label_column=label,
            init_labels=init_labels_for(df, prepared, label, init),
            ctx=ctx,
        )
        del prepared  # the result table is scored block by block; free the training matrix first
        ctx.log(
            f"K-Means (k={k}, init={init}, metric={config.metric}, seed={seed}): {model.iterations_run} "
            f"iteration{'s' if model.iterations_run != 1 else ''}, "
            f"{'converged' if model.converged else 'stopped at the iteration limit'}, "
            f"{model.training_seconds:.3f} s."
        )
        results = finish_training(df, model, append=params["append"], ctx=ctx)
        return {"trained_model": model, "results_dataset": results}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        out = Inferred()
        config, schema = inputs.get("untrained_model"), inputs.get("dataset")
        k: int | None = None
        if isinstance(config, UntrainedClusterModel):
            k, init = config.first_configuration()
            if config.trainer_mode == "range":
                out.warnings.append(range_mode_warning(config))
            try:
                require_label_column(config, params["label_column"], init)
            except ModuleError as exc:
                out.errors.append(exc)
        columns = infer_feature_columns(self, schema, params, out.errors)
        out.outputs = {
            "trained_model": StaticModelInfo(k, columns, params["label_column"]),
            "results_dataset": results_schema(schema, k, append=params["append"]),
        }
        return out
