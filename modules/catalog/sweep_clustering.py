"""Sweep Clustering — trains many K-Means configurations and keeps the best on a clustering metric."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np
import pandas as pd

from modules.clustering import (
    SWEEP_METRICS,
    StaticModelInfo,
    derive_seeds,
    feature_params,
    finish_training,
    infer_feature_columns,
    init_labels_for,
    prepare_training,
    require_label_column,
    single_mode_warning,
    train_model,
)
from modules.context import RunContext
from modules.contract import Choice, ErrorDecl, InferEnv, Inferred, Module, Param, Port
from modules.errors import Cancelled, ModuleError
from modules.models import TrainedClusterModel, UntrainedClusterModel

RESULT_COLUMNS = [
    "Cluster metric",
    "Number of centroids",
    "Index of run",
    "Initialization",
    "Seed",
    "Simplified Silhouette",
    "Davies-Bouldin",
    "Dunn",
    "Average Deviation",
    "Iterations run",
    "Seconds",
]

RANDOM = {"sweep_mode": "random"}


def candidates(config: UntrainedClusterModel, sweep_seed: int) -> list[tuple[int, str, int]]:
    """Every ``(k, init, seed)`` of the sweep, in run-index order: k, then initialisation, then seed.

    The seeds derive from the model's seed, or from ``sweep_seed`` when the model has none; the first
    seed is that base seed itself. A single-mode model gives one k and one initialisation.
    """
    if config.trainer_mode == "range":
        ks, inits, n_seeds = list(config.n_clusters_range), list(config.init_sweep), int(config.n_seeds)
    else:
        ks, inits, n_seeds = [config.n_clusters], [config.init], 1
    base = config.seed if config.seed is not None else sweep_seed
    return list(itertools.product(ks, inits, derive_seeds(base, n_seeds)))


def chosen_runs(n_candidates: int, mode: str, max_runs: int, sweep_seed: int) -> list[int]:
    """The run indices trained: all (grid), or ``max_runs`` distinct ones drawn without replacement."""
    if mode == "grid" or max_runs >= n_candidates:
        return list(range(n_candidates))
    rng = np.random.default_rng(sweep_seed)
    return sorted(int(i) for i in rng.choice(n_candidates, size=max_runs, replace=False))


def _sort_key(metric_id: str, row: dict[str, Any]) -> tuple[float, int, int]:
    metric = next(m for m in SWEEP_METRICS if m.id == metric_id)
    value = float(row[metric.column])
    score = math.inf if math.isnan(value) else (-value if metric.higher_is_better else value)
    return (score, int(row["Number of centroids"]), int(row["Index of run"]))


class SweepClustering(Module):
    id = "sweep_clustering"
    name = "Sweep Clustering"
    category = "Machine Learning / Train"
    description = (
        "Trains every candidate configuration of a K-Means model in Parameter Range mode (number of "
        "centroids "
        "× initialisation × seed; all of them, or a random subset), scores each on Simplified Silhouette, "
        "Davies-Bouldin, Dunn and Average Deviation, and returns the best on the chosen metric (ties: fewer "
        "clusters, then the lower run index) with its results. 'Sweep results' lists every run, best first; "
        "its 'Cluster metric' column is the value of the chosen metric."
    )
    version = 1
    order = 40
    inputs = (
        Port("untrained_model", "Untrained model", "untrained_cluster_model"),
        Port("dataset", "Dataset", "data_table"),
    )
    outputs = (
        Port("best_model", "Best trained model", "trained_cluster_model"),
        Port("results_dataset", "Results dataset", "data_table"),
        Port("sweep_results", "Sweep results", "data_table"),
    )
    params = (
        Param(
            "sweep_metric",
            "Metric for measuring clustering result",
            "choice",
            default="simplified_silhouette",
            choices=tuple(Choice(m.id, m.column) for m in SWEEP_METRICS),
            description="Simplified Silhouette and Dunn: higher is better. Davies-Bouldin and Average "
            "Deviation: lower is better.",
        ),
        Param(
            "sweep_mode",
            "Specify parameter sweeping mode",
            "choice",
            default="random",
            choices=(Choice("grid", "Entire grid"), Choice("random", "Random sweep")),
            description="Entire grid: train every candidate. Random sweep: train 'Maximum number of runs' "
            "distinct candidates drawn at random (all of them if there are fewer).",
        ),
        Param(
            "max_runs",
            "Maximum number of runs on random sweep",
            "int",
            default=5,
            min=1,
            max=10_000,
            visible_when=RANDOM,
            description="How many candidates a random sweep trains.",
        ),
        Param(
            "sweep_seed",
            "Random seed",
            "seed",
            default=0,
            visible_when=RANDOM,
            description="Seeds the random choice of candidates, and the K-Means seeds when the model has "
            "none.",
        ),
        *feature_params(),
    )
    errors = (
        ErrorDecl("0001", "the label column or a selected column does not exist"),
        ErrorDecl("0003", "an input is not connected, or the dataset has no rows or columns"),
        ErrorDecl("0005", "Maximum number of runs < 1"),
        ErrorDecl("0007", "Maximum number of runs > 10000"),
        ErrorDecl("0008", "a choice is not one of the listed values"),
        ErrorDecl("0011", "the column set matches no column"),
        ErrorDecl("0013", "the model input is not an untrained clustering model"),
        ErrorDecl("0017", "a selected column has a type that cannot be a feature"),
        ErrorDecl("0018", "under the cosine metric, a feature row is all zeros"),
        ErrorDecl("0020", "the selected columns give no feature"),
        ErrorDecl("0021", "no candidate can be trained: fewer usable (distinct) rows than clusters"),
        ErrorDecl("0024", "label initialisation or a label mode without a label column"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        import modules.engine as engine

        config: UntrainedClusterModel = inputs["untrained_model"]
        df = inputs["dataset"]
        if config.trainer_mode == "single":
            ctx.warn(single_mode_warning(config))
        label = params["label_column"]
        require_label_column(config, label)
        all_candidates = candidates(config, params["sweep_seed"])
        runs = chosen_runs(
            len(all_candidates), params["sweep_mode"], params["max_runs"], params["sweep_seed"]
        )
        ctx.log(
            f"Sweep ({params['sweep_mode']}): {len(runs)} of {len(all_candidates)} candidate"
            f"{'s' if len(all_candidates) != 1 else ''}, scored on {params['sweep_metric']}."
        )
        prepared = prepare_training(
            df,
            params,
            config,
            column_param=self.param("column_set"),
            label_param=self.param("label_column"),
            ctx=ctx,
        )
        X = prepared.X
        rows: list[dict[str, Any]] = []
        models: dict[int, TrainedClusterModel] = {}
        failures: list[ModuleError] = []
        for done, index in enumerate(runs):
            if ctx.should_stop():
                raise Cancelled()
            k, init, seed = all_candidates[index]

            def progress(fraction: float, done: int = done) -> None:
                ctx.progress((done + fraction) / len(runs))

            t0 = time.perf_counter()
            try:
                model = train_model(
                    prepared,
                    config,
                    n_clusters=k,
                    init=init,
                    seed=seed,
                    label_column=label,
                    init_labels=init_labels_for(df, prepared, label, init),
                    ctx=ctx,
                    progress=progress,
                )
            except ModuleError as exc:
                if exc.code != "0021":
                    raise
                failures.append(exc)
                ctx.warn(f"Run {index} (k={k}, init={init}, seed={seed}) skipped: {exc.message}")
                continue
            labels, _ = engine.assign(X, model.centroids, metric=model.metric)
            labels = np.asarray(labels, dtype=np.int64)
            model.cluster_sizes = np.bincount(labels, minlength=k).astype(np.int64)
            metrics = engine.cluster_metrics(X, model.centroids, labels, metric=model.metric)
            seconds = time.perf_counter() - t0
            models[index] = model
            rows.append(
                {
                    "Number of centroids": k,
                    "Index of run": index,
                    "Initialization": init,
                    "Seed": seed,
                    **{m.column: float(metrics[m.id]) for m in SWEEP_METRICS},
                    "Iterations run": model.iterations_run,
                    "Seconds": seconds,
                }
            )
            ctx.progress((done + 1) / len(runs))
        if not rows:
            raise failures[0] if failures else ModuleError("0021", "No sweep candidate could be trained.")
        metric = params["sweep_metric"]
        metric_column = next(m.column for m in SWEEP_METRICS if m.id == metric)
        rows.sort(key=lambda r: _sort_key(metric, r))
        for r in rows:
            r["Cluster metric"] = r[metric_column]
        table = pd.DataFrame(rows, columns=RESULT_COLUMNS)
        table = table.astype(
            {
                "Number of centroids": "int64",
                "Index of run": "int64",
                "Seed": "int64",
                "Iterations run": "int64",
            }
        )
        best_index = int(table["Index of run"].iloc[0])
        best = models[best_index]
        del prepared, X
        ctx.log(
            f"Best: run {best_index} (k={best.k}, init={best.init}, seed={best.seed}), "
            f"{metric_column} = {table['Cluster metric'].iloc[0]:.6g}."
        )
        results = finish_training(df, best, append=params["append"], ctx=ctx)
        return {"best_model": best, "results_dataset": results, "sweep_results": table}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        out = Inferred()
        config, schema = inputs.get("untrained_model"), inputs.get("dataset")
        if isinstance(config, UntrainedClusterModel):
            if config.trainer_mode == "single":
                out.warnings.append(single_mode_warning(config))
            try:
                require_label_column(config, params["label_column"])
            except ModuleError as exc:
                out.errors.append(exc)
        columns = infer_feature_columns(self, schema, params, out.errors)
        out.outputs = {
            "best_model": StaticModelInfo(None, columns, params["label_column"]),
            "results_dataset": None,
            "sweep_results": [(c, "string" if c == "Initialization" else "numeric") for c in RESULT_COLUMNS],
        }
        return out
