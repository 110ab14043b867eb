"""Train Clustering Model — fits a clustering configuration on a table and scores the training rows."""

from __future__ import annotations

from typing import Any

from modules.algorithms.base import ClusterConfig
from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Port
from modules.errors import ModuleError
from modules.features import infer_feature_columns
from modules.scoring import StaticModelInfo, results_schema, score_prefix, score_training_rows
from modules.training import (
    feature_params,
    finish_training,
    init_labels_for,
    prepare_training,
    require_label_column,
    resolve_seed,
    train_model,
)


class TrainClusteringModel(Module):
    id = "train_clustering_model"
    name = "Train Clustering Model"
    category = "Machine Learning / Train"
    description = (
        "Trains a clustering model on the selected feature columns and scores the training rows: "
        "'Assignments' (0-based cluster) and one score column per cluster, named by the algorithm (for "
        "example the distance to each cluster centre). Rows with a missing feature value are not used and "
        "get empty results. A model in Parameter Range mode uses the first value of each list."
    )
    version = 1
    order = 30
    inputs = (
        Port("untrained_model", "Untrained model", "untrained_cluster_model"),
        Port("dataset", "Dataset", "data_table"),
    )
    outputs = (
        Port("trained_model", "Trained model", "trained_cluster_model"),
        Port("results_dataset", "Results dataset", "data_table", view="clusters"),
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
        config: ClusterConfig = inputs["untrained_model"]
        df = inputs["dataset"]
        candidate = config.training_candidate()
        if (warning := config.train_warning()) is not None:
            ctx.warn(warning)
        label = params["label_column"]
        require_label_column(config, label, candidate)
        prepared = prepare_training(
            df,
            params,
            config,
            column_param=self.param("column_set"),
            label_param=self.param("label_column"),
            ctx=ctx,
        )
        candidate = candidate.with_seed(resolve_seed(candidate.seed, ctx))
        model = train_model(
            prepared,
            config,
            candidate,
            label_column=label,
            init_labels=init_labels_for(df, prepared, label, candidate),
            ctx=ctx,
        )[0]  # the fit's labels are not kept: the scores give the result's
        ctx.log(
            f"{config.algorithm_name} (k={candidate.n_clusters}, init={candidate.init}, "
            f"seed={candidate.seed}): {model.model.fit_report()}, {model.training_seconds:.3f} s."
        )
        scores = score_training_rows(prepared, model)
        del prepared  # the results table needs only the scores: free the training matrix first
        results = finish_training(df, model, scores, append=params["append"], ctx=ctx)
        return {"trained_model": model, "results_dataset": results}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        out = Inferred()
        config, schema = inputs.get("untrained_model"), inputs.get("dataset")
        k = algorithm = None
        if isinstance(config, ClusterConfig):
            candidate = config.training_candidate()
            k, algorithm = candidate.n_clusters, config.algorithm
            if (warning := config.train_warning()) is not None:
                out.warnings.append(warning)
            try:
                require_label_column(config, params["label_column"], candidate)
            except ModuleError as exc:
                out.errors.append(exc)
        columns = infer_feature_columns(
            self.param("column_set"), self.param("label_column"), schema, params, out.errors
        )
        prefix = score_prefix(algorithm) if algorithm is not None else None
        out.outputs = {
            "trained_model": StaticModelInfo(k, columns, params["label_column"], algorithm),
            "results_dataset": results_schema(schema, k, prefix, append=params["append"]),
        }
        return out
