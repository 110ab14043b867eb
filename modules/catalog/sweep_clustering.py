"""Sweep Clustering — trains many configurations of a clustering model and keeps the best on a metric."""

from __future__ import annotations

import numbers
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import (
    Candidate,
    ClusterConfig,
    model_class,
    registered_sweep_metrics,
    sweep_metric_values,
)
from modules.context import RunContext
from modules.contract import Choice, ErrorDecl, InferEnv, Inferred, Module, Param, Port
from modules.errors import Cancelled, ModuleError
from modules.features import Prepared
from modules.scoring import StaticModelInfo, score_training_rows
from modules.sweep_table import (
    INERTIA,
    INITIALIZATION,
    ITERATIONS,
    METRIC_SPREAD,
    N_CLUSTERS,
    RUN_INDEX,
    SECONDS,
    SEED,
    SEED_AGREEMENT,
    SWEEP_METRICS,
    SweepMetric,
    SweptSetting,
    mean_pairwise_ari,
    rank_key,
    setting_column,
    sweep_schema,
    sweep_table,
    within_cluster_sum_of_squares,
)
from modules.trained_model import TrainedClusterModel
from modules.training import (
    feature_errors,
    feature_params,
    finish_training,
    infer_training_columns,
    init_labels_for,
    prepare_training,
    require_label_column,
    train_model,
    weight_param,
)

RANDOM = {"sweep_mode": "random"}
#: The metrics a sweep can rank by: the four common ones and every registered algorithm's extra ones
#: (an algorithm file that declares one adds it here, and a column to the sweep table).
METRICS = registered_sweep_metrics()


def _metric_description() -> str:
    higher = [m.column for m in METRICS if m.higher_is_better]
    lower = [m.column for m in METRICS if not m.higher_is_better]
    extra = [m.column for m in METRICS if m not in SWEEP_METRICS]
    text = f"{_join(higher)}: higher is better. {_join(lower)}: lower is better."
    if extra:
        text += (
            f" {_join(extra)}: only for the algorithms that compute {'it' if len(extra) == 1 else 'them'}."
        )
    return text


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def computed_metric(config: ClusterConfig, metric_id: str) -> SweepMetric:
    """The chosen metric, when the configuration's algorithm computes it (else 0141)."""
    metric = next((m for m in METRICS if m.id == metric_id), None)
    if metric is None:  # not a listed choice: the parameter's own check reports it (0008)
        raise ModuleError("0008", f"{metric_id!r} is not a sweep metric.", param="sweep_metric")
    computed = SWEEP_METRICS + model_class(config.algorithm).extra_metrics
    if metric not in computed:
        raise ModuleError(
            "0141",
            f"{config.algorithm_name} does not compute {metric.column!r}; choose one of "
            f"{', '.join(repr(m.column) for m in computed)} as 'Metric for measuring clustering result' "
            "(sweep_metric).",
            param="sweep_metric",
        )
    return metric


def candidates(config: ClusterConfig, sweep_seed: int) -> list[Candidate]:
    """Every candidate of the sweep, in run-index order; seeds derive from the model's own seed, or
    from ``sweep_seed`` when it has none (the first seed is that base seed itself)."""
    own = config.own_seed()
    return config.candidates(own if own is not None else sweep_seed)


def parameter_name(algorithm: str, key: str) -> str:
    """The name a declaration gives parameter ``key`` of the algorithm's configuration (the key itself
    when no declaration of that algorithm declares it)."""
    from modules import registry  # the catalogue imports this file

    for module in registry.all():
        config_class = getattr(module, "config_class", None)
        if config_class is not None and getattr(config_class, "algorithm", None) == algorithm:
            found = next((p for p in module.params if p.id == key), None)
            if found is not None:
                return found.name
    return key


def swept_settings(config: ClusterConfig, all_candidates: list[Candidate]) -> list[SweptSetting]:
    """The keys of the candidates' settings whose values vary across them, in first-seen order."""
    values: dict[str, list[Any]] = {}
    for candidate in all_candidates:
        for key, value in candidate.settings.items():
            values.setdefault(key, []).append(value)
    out = []
    for key, seen in values.items():
        if len(seen) == len(all_candidates) and len({repr(v) for v in seen}) < 2:
            continue  # the same value in every candidate: not swept
        numeric = all(
            v is None or (isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)) for v in seen
        )
        out.append(SweptSetting(key, setting_column(parameter_name(config.algorithm, key)), numeric))
    return out


def configuration_of(candidate: Candidate) -> tuple[Any, ...]:
    """What a candidate is but its seed: the runs of one configuration differ only by seed."""
    settings = tuple(sorted((k, repr(v)) for k, v in candidate.settings.items()))
    return (candidate.n_clusters, candidate.init, candidate.uses_labels, settings)


class SeedAgreement:
    """The mean pairwise adjusted Rand index of each configuration's runs (:data:`SEED_AGREEMENT`): the
    training labels of a configuration's runs are held (as int32) only until its last chosen run has
    trained or been skipped."""

    def __init__(
        self,
        all_candidates: list[Candidate],
        runs: list[int],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.should_stop = should_stop
        self.left = Counter(configuration_of(all_candidates[i]) for i in runs)
        self.several = {key for key, n in self.left.items() if n > 1}
        self.pending: dict[tuple[Any, ...], list[np.ndarray]] = {}
        self.agreement: dict[tuple[Any, ...], float] = {}

    def add(self, candidate: Candidate, labels: np.ndarray | None) -> None:
        """One chosen run done: its training labels (None: skipped, or its configuration has one run)."""
        key = configuration_of(candidate)
        if labels is not None and key in self.several:
            self.pending.setdefault(key, []).append(np.asarray(labels, dtype=np.int32))
        self.left[key] -= 1
        if self.left[key] == 0:
            self.agreement[key] = mean_pairwise_ari(self.pending.pop(key, []), self.should_stop)


def add_seed_statistics(
    rows: list[dict[str, Any]],
    metric: SweepMetric,
    configurations: dict[int, tuple[Any, ...]],
    agreement: dict[tuple[Any, ...], float],
) -> None:
    """Fill each row's ``METRIC_SPREAD`` (the sample standard deviation of the chosen metric over the
    runs of its configuration) and ``SEED_AGREEMENT``; NaN for a configuration with one run."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(configurations[row[RUN_INDEX]], []).append(row)
    for key, group in groups.items():
        values = np.array([float(r[metric.column]) for r in group])
        finite = values[np.isfinite(values)]
        spread = (
            float("nan") if finite.size < 2 else 0.0 if np.ptp(finite) == 0 else float(np.std(finite, ddof=1))
        )
        for row in group:
            row[METRIC_SPREAD] = spread
            row[SEED_AGREEMENT] = agreement.get(key, float("nan")) if len(group) > 1 else float("nan")


def chosen_runs(n_candidates: int, mode: str, max_runs: int, sweep_seed: int) -> list[int]:
    """The run indices trained: all (grid), or ``max_runs`` distinct ones drawn without replacement."""
    if mode == "grid" or max_runs >= n_candidates:
        return list(range(n_candidates))
    rng = np.random.default_rng(sweep_seed)
    return sorted(int(i) for i in rng.choice(n_candidates, size=max_runs, replace=False))


@dataclass(frozen=True)
class SweepData:
    """What every candidate of a sweep trains on (sent once to each worker of a parallel sweep)."""

    prepared: Prepared
    config: ClusterConfig
    #: The label column (only when a candidate starts from labels), the rows of the input.
    labels: pd.DataFrame | None
    label: str | None
    settings: list[SweptSetting]
    #: The configurations run with several seeds: their runs' training labels go back to the node (for
    #: the seed agreement); the others' only when the model keeps its fit labels (they are the bulk of
    #: what a run sends back from a worker).
    several_seeds: frozenset[tuple[Any, ...]] = frozenset()


@dataclass(frozen=True)
class CandidateRun:
    """One candidate trained and scored: its model, sweep-table row and, when the node needs them
    (:attr:`SweepData.several_seeds`, a model that keeps its fit labels), its training labels; or why
    it was skipped (a 0021)."""

    index: int
    model: TrainedClusterModel | None = None
    labels: np.ndarray | None = None
    row: dict[str, Any] | None = None
    skipped: ModuleError | None = None


def train_candidate(data: SweepData, item: tuple[int, Candidate], ctx: RunContext) -> CandidateRun:
    """Train and score run ``index`` of the sweep: a pure function of its arguments, so it runs the
    same in any process. A candidate with fewer usable rows than clusters (0021) is skipped; any other
    error fails the sweep."""
    index, candidate = item
    if ctx.should_stop():
        raise Cancelled()
    prepared = data.prepared
    t0 = time.perf_counter()
    try:
        model, labels = train_model(
            prepared,
            data.config,
            candidate,
            label_column=data.label,
            init_labels=init_labels_for(data.labels, prepared, data.label, candidate)
            if data.labels is not None
            else None,
            ctx=ctx,
        )
    except ModuleError as exc:
        if exc.code != "0021":
            raise
        return CandidateRun(index, skipped=exc)
    metrics = sweep_metric_values(model.model, prepared.X, labels)  # noise rows left out
    row = {
        N_CLUSTERS: model.k,  # the fitted k (a fit may decide it)
        RUN_INDEX: index,
        INITIALIZATION: candidate.init,
        SEED: candidate.seed,
        **{s.column: candidate.settings.get(s.key) for s in data.settings},
        **{m.column: float(metrics.get(m.id, np.nan)) for m in METRICS},
        INERTIA: within_cluster_sum_of_squares(prepared.X, labels, getattr(prepared, "weights", None)),
        ITERATIONS: model.model.n_iterations(),
        SECONDS: time.perf_counter() - t0,
    }
    wanted = configuration_of(candidate) in data.several_seeds or model.model.keeps_fit_labels
    return CandidateRun(index, model, labels if wanted else None, row)


class SweepClustering(Module):
    id = "sweep_clustering"
    name = "Sweep Clustering"
    category = "Machine Learning / Train"
    description = (
        "Trains every candidate configuration of a clustering model in Parameter Range mode (number of "
        "clusters × initialisation × the algorithm's swept parameters × seed; all of them, or a random "
        "subset), scores each on "
        "Simplified Silhouette, "
        "Davies-Bouldin, Dunn and Average Deviation (and the metrics its algorithm adds, e.g. a "
        "mixture's BIC), and returns the best on the chosen metric (ties: fewer "
        "clusters, then the lower run index) with its results. 'Sweep results' lists every run, best first; "
        "its 'Cluster metric' column is the value of the chosen metric. It also has a column for each "
        "parameter the candidates vary (named as on the model), the 'Inertia' (within-cluster sum of "
        "squares) for the elbow curve and, for a configuration run with several seeds, the spread of the "
        "chosen metric across them (standard deviation) and how alike their clusterings are (mean "
        "pairwise adjusted Rand index). For an algorithm whose fit finds the number of clusters, "
        "'Number of centroids' is the number it found; noise rows are left out of the metrics (and "
        "counted in 'Noise fraction')."
    )
    version = 1
    order = 40
    inputs = (
        Port("untrained_model", "Untrained model", "untrained_cluster_model"),
        Port("dataset", "Dataset", "data_table"),
    )
    outputs = (
        Port("best_model", "Best trained model", "trained_cluster_model"),
        Port("results_dataset", "Results dataset", "data_table", view="clusters"),
        Port("sweep_results", "Sweep results", "data_table", view="sweep"),
    )
    params = (
        Param(
            "sweep_metric",
            "Metric for measuring clustering result",
            "choice",
            default="simplified_silhouette",
            choices=tuple(Choice(m.id, m.column) for m in METRICS),
            description=_metric_description(),
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
            description="Seeds the random choice of candidates, and the training seeds when the model has "
            "none.",
        ),
        *feature_params(),
        weight_param(),
    )
    errors = feature_errors(
        ErrorDecl("0005", "Maximum number of runs < 1"),
        ErrorDecl("0007", "Maximum number of runs > 10000"),
        ErrorDecl("0008", "a choice is not one of the listed values"),
        ErrorDecl("0013", "the model input is not an untrained clustering model"),
        ErrorDecl("0021", "no candidate can be trained: fewer usable (distinct) rows than clusters"),
        ErrorDecl("0141", "the chosen metric is not one the connected algorithm computes"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        config: ClusterConfig = inputs["untrained_model"]
        df = inputs["dataset"]
        if (warning := config.sweep_warning()) is not None:
            ctx.warn(warning)
        label = params["label_column"]
        require_label_column(config, label)
        metric = computed_metric(config, params["sweep_metric"])
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
            weight_param=self.param("weight_column"),
        )
        settings = swept_settings(config, all_candidates)
        agreement = SeedAgreement(all_candidates, runs, ctx.should_stop)
        rows, models, best_fit_labels = self._train_all(
            prepared, config, df, label, all_candidates, runs, ctx, metric.id, settings, agreement
        )
        configurations = {index: configuration_of(all_candidates[index]) for index in runs}
        add_seed_statistics(rows, metric, configurations, agreement.agreement)
        table = sweep_table(rows, metric.id, METRICS, settings)
        best_index = int(table[RUN_INDEX].iloc[0])
        best = models[best_index]
        # the same matrix every candidate trained on
        scores = score_training_rows(prepared, best, best_fit_labels)
        del prepared
        ctx.log(
            f"Best: run {best_index} (k={best.k}, init={all_candidates[best_index].init}, seed={best.seed}), "
            f"{metric.column} = {table[metric.column].iloc[0]:.6g}."
        )
        results = finish_training(df, best, scores, append=params["append"], ctx=ctx)
        return {"best_model": best, "results_dataset": results, "sweep_results": table}

    @staticmethod
    def _train_all(
        prepared: Prepared,
        config: ClusterConfig,
        df: Any,
        label: str | None,
        all_candidates: list[Candidate],
        runs: list[int],
        ctx: RunContext,
        metric_id: str,
        settings: list[SweptSetting],
        agreement: SeedAgreement,
    ) -> tuple[list[dict[str, Any]], dict[int, TrainedClusterModel], np.ndarray | None]:
        """Train and score the chosen runs (one task each, :meth:`RunContext.map`: in parallel where the
        caller can): one sweep-table row and one model per run that trained, and the best run's fit
        labels when its model keeps them (only the best so far is held); the labels of a configuration's
        runs with several seeds go to ``agreement``. Results are taken in run-index order, so the outcome
        is the serial sweep's."""
        uses_labels = label is not None and any(all_candidates[i].uses_labels for i in runs)
        label_rows = df[[label]] if uses_labels else None
        shared = SweepData(prepared, config, label_rows, label, settings, frozenset(agreement.several))
        best_key: tuple[float, int, int] | None = None
        best_fit_labels: np.ndarray | None = None
        rows: list[dict[str, Any]] = []
        models: dict[int, TrainedClusterModel] = {}
        failures: list[ModuleError] = []
        items = [(index, all_candidates[index]) for index in runs]
        # A fit's passes cost rows x clusters: the candidates with the most clusters start first.
        costs = [float(all_candidates[index].n_clusters) for index in runs]
        for run in ctx.map(train_candidate, shared, items, costs):
            candidate = all_candidates[run.index]
            if run.skipped is not None:
                failures.append(run.skipped)
                agreement.add(candidate, None)
                ctx.warn(
                    f"Run {run.index} (k={candidate.n_clusters}, init={candidate.init}, "
                    f"seed={candidate.seed}) skipped: {run.skipped.message}"
                )
                continue
            assert run.model is not None and run.row is not None
            models[run.index] = run.model
            agreement.add(candidate, run.labels)
            rows.append(run.row)
            if run.model.model.keeps_fit_labels and (
                best_key is None or rank_key(metric_id, run.row, METRICS) < best_key
            ):
                best_key, best_fit_labels = rank_key(metric_id, run.row, METRICS), run.labels
        if not rows:
            raise failures[0] if failures else ModuleError("0021", "No sweep candidate could be trained.")
        return rows, models, best_fit_labels

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        out = Inferred()
        config, schema = inputs.get("untrained_model"), inputs.get("dataset")
        algorithm = None
        if isinstance(config, ClusterConfig):
            algorithm = config.algorithm
            if (warning := config.sweep_warning()) is not None:
                out.warnings.append(warning)
            try:
                require_label_column(config, params["label_column"])
            except ModuleError as exc:
                out.errors.append(exc)
            try:
                computed_metric(config, params["sweep_metric"])
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
        settings = swept_settings(config, candidates(config, 0)) if isinstance(config, ClusterConfig) else []
        out.outputs = {
            "best_model": StaticModelInfo(None, columns, params["label_column"], algorithm),
            "results_dataset": None,
            "sweep_results": sweep_schema(METRICS, settings),
        }
        return out
