"""Shared helpers of the module tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

import modules


def kmeans(**params: Any) -> modules.ClusterConfig:
    """An untrained model through the kmeans_clustering module (normalize off unless given)."""
    params.setdefault("normalize", False)
    return modules.run_module("kmeans_clustering", params, {})["untrained_model"]


def train(
    df: pd.DataFrame, model: Any = None, ctx: modules.RunContext | None = None, **params: Any
) -> dict[str, Any]:
    model = model if model is not None else kmeans(n_clusters=2, init="first_n", seed=0)
    return modules.run_module(
        "train_clustering_model", params, {"untrained_model": model, "dataset": df}, ctx
    )


def sweep(
    df: pd.DataFrame, model: Any, ctx: modules.RunContext | None = None, **params: Any
) -> dict[str, Any]:
    return modules.run_module("sweep_clustering", params, {"untrained_model": model, "dataset": df}, ctx)


def assign(
    df: pd.DataFrame, model: Any, ctx: modules.RunContext | None = None, **params: Any
) -> pd.DataFrame:
    out = modules.run_module("assign_data_to_clusters", params, {"trained_model": model, "dataset": df}, ctx)
    return out["results_dataset"]


def new_columns(k: int) -> list[str]:
    return ["Assignments"] + [f"DistancesToClusterCenter no.{j}" for j in range(k)]
