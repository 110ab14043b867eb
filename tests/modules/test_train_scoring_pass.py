"""Train Clustering Model scores its training rows in the fit's final pass (ClusterConfig.fit_and_score):
its model, results and log are those of a fit followed by a separate scoring pass, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.algorithms.base import ClusterConfig
from modules.context import RunContext
from modules.scoring import score_training_rows
from modules.training import prepare_training, train_and_score, train_model
from tests.modules.helpers import kmeans

TRAIN_MODULE_PARAMS = {"column_set": None, "label_column": None, "append": False}


def _table(missing: bool) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    values = rng.random((3000, 6)) * [1.0, 2.0, 5.0, 1.0, 1e3, 1.0]
    if missing:
        values[rng.choice(3000, 40, replace=False), 2] = np.nan  # rows left out, scored as -1 / NaN
    return pd.DataFrame(values, columns=[f"f{j}" for j in range(6)])


def _both_ways(df: pd.DataFrame, config: ClusterConfig, **prepare: Any) -> tuple[Any, Any, Any, Any]:
    from modules.catalog.train_clustering_model import TrainClusteringModel

    module = TrainClusteringModel()
    params = {**TRAIN_MODULE_PARAMS, **prepare}
    ctx = RunContext()
    prepared = prepare_training(
        df,
        params,
        config,
        column_param=module.param("column_set"),
        label_param=module.param("label_column"),
        weight_param=module.param("weight_column"),
        ctx=ctx,
    )
    candidate = config.training_candidate().with_seed(5)
    options = {"label_column": None, "init_labels": None, "ctx": ctx}
    fused_model, fused_scores = train_and_score(prepared, config, candidate, **options)
    model, _ = train_model(prepared, config, candidate, **options)
    return fused_model, fused_scores, model, score_training_rows(prepared, model)


@pytest.mark.parametrize("missing", [False, True], ids=["complete", "with missing values"])
@pytest.mark.parametrize(
    "settings",
    [
        {"n_clusters": 8, "init": "kmeans++", "iterations": 6},  # stopped by the limit: a final E-step
        {"n_clusters": 3, "init": "first_n", "iterations": 300},  # converged: the last labels kept
        {"n_clusters": 5, "init": "random", "metric": "cosine", "iterations": 6},  # scored after the fit
        {"n_clusters": 5, "init": "kmeans++", "float32": True, "iterations": 6},  # scored after the fit
        {"n_clusters": 4, "init": "random", "n_init": 2, "iterations": 6},  # scored after the fit
    ],
    ids=["limit", "converged", "cosine", "float32", "restarts"],
)
def test_train_and_score_equals_a_fit_then_scoring(missing: bool, settings: dict[str, Any]) -> None:
    df = _table(missing)
    fused_model, fused, model, scores = _both_ways(df, kmeans(seed=5, **settings))
    assert np.array_equal(fused.labels, scores.labels)
    assert np.array_equal(fused.scores_t, scores.scores_t, equal_nan=True)
    assert fused.unseen == scores.unseen
    assert np.array_equal(fused_model.model.centroids, model.model.centroids)
    assert fused_model.model.inertia == model.model.inertia
    assert fused_model.model.iterations_run == model.model.iterations_run
    assert np.array_equal(fused_model.cluster_sizes, model.cluster_sizes)


def test_weighted_training() -> None:
    df = _table(False).assign(w=np.linspace(0.0, 3.0, 3000))
    fused_model, fused, model, scores = _both_ways(df, kmeans(n_clusters=6, seed=5), weight_column="w")
    assert np.array_equal(fused.scores_t, scores.scores_t)
    assert np.array_equal(fused.labels, scores.labels)
    assert fused_model.model.inertia == model.model.inertia
