"""Train Clustering Model — fits a clustering configuration on a table and scores the training rows."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import ClusterConfig, FitControl
from modules.context import RunContext
from modules.contract import PARTITIONED_INPUT, ErrorDecl, InferEnv, Inferred, Module, Partitioned, Port
from modules.errors import ModuleError
from modules.features import FeatureSpace
from modules.partitioned import PartitionedTable
from modules.partitioned_training import prepare_partitioned_training
from modules.scoring import (
    StaticModelInfo,
    cluster_label_candidates,
    has_score_columns,
    label_mode_warning,
    matrix_scores,
    merge_cluster_label_candidates,
    results_schema,
    results_table,
    score_prefix,
)
from modules.trained_model import TrainedClusterModel
from modules.training import (
    check_enough_rows,
    feature_errors,
    feature_params,
    finish_training,
    infer_training_columns,
    init_labels_for,
    prepare_training,
    require_label_column,
    resolve_seed,
    train_and_score,
    warm_start_centres,
    weight_param,
)


class TrainClusteringModel(Module):
    id = "train_clustering_model"
    name = "Train Clustering Model"
    category = "Machine Learning / Train"
    description = (
        "Trains a clustering model on the selected feature columns and scores the training rows: "
        "'Assignments' (0-based cluster; -1, shown as Noise, for a row a density algorithm puts in no "
        "cluster) and one score column per cluster, named by the algorithm (for example the distance to "
        "each cluster centre; none for an algorithm without per-cluster scores). Rows with a missing "
        "feature value are not used and get empty results. A model in Parameter Range mode uses the first "
        "value of each list. Connect an "
        "earlier trained model to 'Start from model' to start the fit from its centres (warm start) "
        "instead of the configured initialisation."
    )
    version = 1
    order = 30
    inputs = (
        Port("untrained_model", "Untrained model", "untrained_cluster_model"),
        Port("dataset", "Dataset", "data_table"),
        Port(
            "start_model",
            "Start from model",
            "trained_cluster_model",
            optional=True,
            description="Optional: a trained model of the same algorithm, number of clusters and features. "
            "The fit starts from its centres, mapped into this training's normalisation; the "
            "Initialization and Number of restarts of the configuration are then not used.",
        ),
    )
    outputs = (
        Port("trained_model", "Trained model", "trained_cluster_model"),
        Port("results_dataset", "Results dataset", "data_table", view="clusters"),
    )
    params = (*feature_params(), weight_param())
    errors = feature_errors(
        ErrorDecl(
            "0013",
            "the model input is not an untrained clustering model, or the start model is of another "
            "algorithm, number of clusters or features",
        ),
        ErrorDecl("0021", "fewer usable rows (or distinct rows) than clusters"),
        ErrorDecl(
            PARTITIONED_INPUT,
            "the dataset is stored partitioned and the model cannot be trained part by part (only K-Means, "
            "Euclidean, one restart, First N / Random / k-means|| initialisation, no row weights)",
        ),
    )
    partitioned = Partitioned(outputs=("results_dataset",))

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        config: ClusterConfig = inputs["untrained_model"]
        df = inputs["dataset"]
        candidate = config.training_candidate()
        if (warning := config.train_warning()) is not None:
            ctx.warn(warning)
        label = params["label_column"]
        require_label_column(config, label, candidate)
        if isinstance(df, PartitionedTable):
            return self._run_partitioned(params, config, df, inputs.get("start_model"), ctx)
        prepared = prepare_training(
            df,
            params,
            config,
            column_param=self.param("column_set"),
            label_param=self.param("label_column"),
            ctx=ctx,
            weight_param=self.param("weight_column"),
        )
        start_model: TrainedClusterModel | None = inputs.get("start_model")
        start = None
        if start_model is not None:
            start = warm_start_centres(start_model, config, prepared.space, candidate.n_clusters)
            ctx.log(f"Warm start: the fit starts from the {start_model.k} centres of the start model.")
        candidate = candidate.with_seed(resolve_seed(candidate.seed, ctx))
        # The training rows are scored with the fit; the scores give the result's labels.
        model, scores = train_and_score(
            prepared,
            config,
            candidate,
            label_column=label,
            init_labels=init_labels_for(df, prepared, label, candidate) if start is None else None,
            ctx=ctx,
            start=start,
        )
        ctx.log(
            f"{config.algorithm_name} (k={model.k}, "
            f"{'warm start' if start is not None else f'init={candidate.init}'}, "
            f"seed={candidate.seed}): {model.model.fit_report()}, {model.training_seconds:.3f} s."
        )
        del prepared  # the results table needs only the scores: free the training matrix first
        results = finish_training(df, model, scores, append=params["append"], ctx=ctx)
        return {"trained_model": model, "results_dataset": results}

    def _run_partitioned(
        self,
        params: dict[str, Any],
        config: ClusterConfig,
        table: PartitionedTable,
        start_model: TrainedClusterModel | None,
        ctx: RunContext,
    ) -> dict[str, Any]:
        """Part by part: the feature matrix built and kept in the workers' memory, the partitioned fit,
        and the results table scored from each part's matrix (partitioned too)."""
        if (why := self._refusal(config, params)) is not None:
            raise ModuleError(PARTITIONED_INPUT, why)
        candidate = config.training_candidate()
        matrix = prepare_partitioned_training(
            table,
            params,
            config,
            column_param=self.param("column_set"),
            label_param=self.param("label_column"),
            ctx=ctx,
        )
        check_enough_rows(matrix.n_training_rows, candidate)
        start = None
        if start_model is not None:
            start = warm_start_centres(start_model, config, matrix.space, candidate.n_clusters)
            ctx.log(f"Warm start: the fit starts from the {start_model.k} centres of the start model.")
        seed = resolve_seed(candidate.seed, ctx)
        candidate = candidate.with_seed(seed)
        t0 = time.perf_counter()
        fitted = config.fit_partitioned(
            matrix.X, candidate, FitControl(ctx.progress, ctx.should_stop), client=table.client, start=start
        )
        model = TrainedClusterModel(
            model=fitted,
            features=matrix.space,
            config=config,
            seed=seed,
            cluster_sizes=np.zeros(fitted.k, dtype=np.int64),
            noise_count=None,
            training_seconds=time.perf_counter() - t0,
            n_training_rows=matrix.n_training_rows,
            label_column=params["label_column"],
            label_mode=config.assign_label_mode,
        )
        client = table.client
        model.cluster_sizes = np.sum(
            client.gather(client.map(_part_sizes, matrix.parts, trained=model)), axis=0
        )
        if model.label_mode != "ignore" and model.label_column is not None:
            # each part's nearest labelled row per cluster, then the nearest of those (ties: the first row)
            candidates = table.each_part(
                _part_label_candidates, matrix.parts, should_stop=ctx.should_stop, trained=model
            )
            model.cluster_labels = merge_cluster_label_candidates(candidates, model.k, fitted.score_kind)
            if (warning := label_mode_warning(model, params["append"])) is not None:
                ctx.warn(warning)
        ctx.log(
            f"{config.algorithm_name} (k={model.k}, "
            f"{'warm start' if start is not None else f'init={candidate.init}'}, "
            f"seed={candidate.seed}), part by part on the cluster: {fitted.fit_report()}, "
            f"{model.training_seconds:.3f} s."
        )
        schema = results_schema(
            table.schema,
            model.k,
            fitted.score_column_prefix,
            append=params["append"],
            has_scores=fitted.has_scores,
        )
        meta = _part_results(table.meta, _no_features(matrix.space), model, params["append"])
        results = table.map_parts(
            _part_results,
            matrix.parts,
            meta=meta,
            schema=schema or [],
            trained=model,
            append=params["append"],
        )
        return {"trained_model": model, "results_dataset": results}

    def partitioned_refusal(self, params: dict[str, Any], inputs: dict[str, Any]) -> str | None:
        config = inputs.get("untrained_model")
        why = self._refusal(config, params) if isinstance(config, ClusterConfig) else None
        if why is None:
            return None
        return f"{self.name} cannot run on this dataset, stored partitioned: {why}"

    @staticmethod
    def _refusal(config: ClusterConfig, params: dict[str, Any]) -> str | None:
        why = config.partitioned_refusal()
        if why is None and params.get("weight_column"):
            why = "rows cannot be weighted (Weight column) part by part; clear Weight column."
        return why

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        out = Inferred()
        config, schema = inputs.get("untrained_model"), inputs.get("dataset")
        k = algorithm = None
        if isinstance(config, ClusterConfig):
            candidate = config.training_candidate()
            # k 0: the fit decides the number of clusters, so the score columns are not known ahead
            k, algorithm = candidate.n_clusters or None, config.algorithm
            if (warning := config.train_warning()) is not None:
                out.warnings.append(warning)
            try:
                require_label_column(config, params["label_column"], candidate)
            except ModuleError as exc:
                out.errors.append(exc)
        columns = infer_training_columns(
            self.param("column_set"),
            self.param("label_column"),
            self.param("weight_column"),
            schema,
            params,
            out.errors,
        )
        start = inputs.get("start_model")
        if isinstance(start, StaticModelInfo):
            out.errors.extend(_start_model_issues(start, algorithm, k, columns))
        prefix = score_prefix(algorithm) if algorithm is not None else None
        out.outputs = {
            "trained_model": StaticModelInfo(k, columns, params["label_column"], algorithm),
            "results_dataset": results_schema(
                schema,
                k,
                prefix,
                append=params["append"],
                has_scores=algorithm is None or has_score_columns(algorithm),
            ),
        }
        return out


def _no_features(space: FeatureSpace) -> tuple[np.ndarray, np.ndarray, int]:
    """The features of a table without rows (for the description of the results' parts)."""
    return np.empty((0, space.width)), np.zeros(0, dtype=bool), 0


def _part_results(
    part: pd.DataFrame,
    features: tuple[np.ndarray, np.ndarray, int],
    trained: TrainedClusterModel,
    append: bool,
) -> pd.DataFrame:
    """One part of the results table, scored from the part's training features (kept from the fit)."""
    return results_table(part, matrix_scores(trained, *features), trained, append=append, ctx=RunContext())


def _part_label_candidates(
    part: pd.DataFrame, features: tuple[np.ndarray, np.ndarray, int], trained: TrainedClusterModel
) -> tuple[np.ndarray, list[Any]]:
    """One part's candidates for the clusters' labels (:func:`~modules.scoring.cluster_label_candidates`)."""
    assert trained.label_column is not None
    scores = matrix_scores(trained, *features)
    return cluster_label_candidates(part[trained.label_column], scores, trained.k, trained.model.score_kind)


def _part_sizes(features: tuple[np.ndarray, np.ndarray, int], trained: TrainedClusterModel) -> np.ndarray:
    """How many of one part's rows each cluster has (as the results table assigns them)."""
    scores = matrix_scores(trained, *features)
    return np.bincount(scores.labels[scores.assigned], minlength=trained.k).astype(np.int64)


def _start_model_issues(
    start: StaticModelInfo, algorithm: str | None, k: int | None, columns: list[str] | None
) -> list[ModuleError]:
    """What graph validation can tell of a warm start before the run: another algorithm, k or columns."""
    issues: list[ModuleError] = []
    if start.algorithm is not None and algorithm is not None and start.algorithm != algorithm:
        issues.append(
            ModuleError(
                "0013", f"Start from model: a {start.algorithm!r} model cannot start a {algorithm!r} fit."
            )
        )
    if start.k is not None and k is not None and start.k != k:
        issues.append(
            ModuleError(
                "0013",
                f"Start from model: the model has {start.k} clusters but the configuration asks for {k}.",
            )
        )
    if (
        start.source_columns is not None
        and columns is not None
        and sorted(start.source_columns) != sorted(columns)
    ):
        differ = sorted(set(start.source_columns) ^ set(columns))
        issues.append(
            ModuleError(
                "0013",
                "Start from model: its feature columns differ from this training's "
                f"({', '.join(map(repr, differ))}); select the columns the model was trained on.",
            )
        )
    return issues
