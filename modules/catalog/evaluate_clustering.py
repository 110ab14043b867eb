"""Evaluate Model — per-cluster and combined statistics of the score columns of scored tables.

Distance scores (lower is nearer) give the distance statistics; probability scores (higher is
nearer) the same statistics of the probabilities, under their own column names: the average
probability of the own cluster, of the most likely other cluster, and the smallest own probability.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Port, Schema
from modules.errors import ModuleError
from modules.results import ASSIGNMENTS, PROBABILITY, find_result_columns

COLUMNS = [
    "Result Description",
    "Average Distance to Cluster Center",
    "Average Distance to Other Center",
    "Number of Points",
    "Maximal Distance To Cluster Center",
]
#: The columns for probability scores, in the same roles as :data:`COLUMNS`.
PROBABILITY_COLUMNS = [
    "Result Description",
    "Average Probability of Own Cluster",
    "Average Probability of Most Likely Other Cluster",
    "Number of Points",
    "Minimal Probability of Own Cluster",
]


def columns_for(score_kind: str) -> list[str]:
    return PROBABILITY_COLUMNS if score_kind == PROBABILITY else COLUMNS


def scored_columns(names: list[str], port_name: str) -> tuple[str, list[str], str]:
    """The assignment column, the score columns 0…k−1 and their score kind (0025 when absent).

    When an input column already had a result name, the newest (suffixed) one is used.
    """
    found = find_result_columns(names)
    if found is None or not found.scores:
        raise ModuleError(
            "0025",
            f"Input {port_name!r} has no cluster assignment columns ({ASSIGNMENTS!r} followed by one score "
            "column per cluster); connect the results of Train Clustering Model, Sweep Clustering or Assign "
            "Data to Clusters.",
        )
    return found.assignments, found.scores, found.score_kind


def same_kind(kinds: list[str]) -> None:
    """0142 when the scored tables hold different kinds of scores (their statistics do not compare)."""
    if len(set(kinds)) > 1:
        raise ModuleError(
            "0142",
            f"The scored datasets hold different kinds of scores ({kinds[0]} and {kinds[1]}); compare "
            "results of algorithms whose scores are of one kind.",
        )


def evaluate(df: pd.DataFrame, port_name: str) -> pd.DataFrame:
    """The rows of one scored table: Combined Evaluation, then one row per cluster."""
    assign_col, dist_cols, kind = scored_columns([str(c) for c in df.columns], port_name)
    # a probability's "nearest" is its highest: the same statistics of the negated values, negated back
    sign = -1.0 if kind == PROBABILITY else 1.0
    k = len(dist_cols)
    assign = pd.to_numeric(df[assign_col], errors="coerce")
    known = ~assign.isna().to_numpy()
    labels = assign.to_numpy(dtype=np.float64, na_value=np.nan)[known]
    bad = labels[(labels < 0) | (labels >= k) | (labels != np.round(labels))]
    if len(bad):
        raise ModuleError(
            "0025",
            f"Input {port_name!r}: {assign_col!r} holds {bad[0]:g}, but the distance columns only cover "
            f"clusters 0 … {k - 1}.",
        )
    labels_i = labels.astype(np.int64)
    D = sign * np.column_stack([df[c].to_numpy(dtype=np.float64, na_value=np.nan)[known] for c in dist_cols])
    own = D[np.arange(len(labels_i)), labels_i]
    if k > 1:
        others = D.copy()
        others[np.arange(len(labels_i)), labels_i] = np.inf
        other = others.min(axis=1)
    else:
        other = np.full(len(labels_i), np.nan)
    counts = np.bincount(labels_i, minlength=k)
    present = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_own = np.bincount(labels_i, weights=own, minlength=k) / counts
        mean_other = np.bincount(labels_i, weights=other, minlength=k) / counts
    max_own = np.full(k, np.nan)
    for j in np.flatnonzero(present):
        max_own[j] = own[labels_i == j].max()
    total = int(counts.sum())

    def weighted(means: np.ndarray) -> float:
        # the point-weighted mean of the clusters' means
        return float((means[present] * counts[present]).sum() / total) if total else np.nan

    names = columns_for(kind)
    return pd.DataFrame(
        {
            names[0]: ["Combined Evaluation"] + [f"Evaluation For Cluster No.{j}" for j in range(k)],
            names[1]: [sign * weighted(mean_own), *(sign * mean_own).tolist()],
            names[2]: [sign * weighted(mean_other), *(sign * mean_other).tolist()],
            names[3]: np.array([total, *counts.tolist()], dtype=np.int64),
            names[4]: [
                sign * float(np.max(max_own[present])) if total else np.nan,
                *(sign * max_own).tolist(),
            ],
        },
        columns=names,
    )


class EvaluateClustering(Module):
    id = "evaluate_clustering"
    name = "Evaluate Model"
    category = "Machine Learning / Evaluate"
    description = (
        "Evaluates scored tables (with 'Assignments' and one score column per cluster): "
        "for each input, a 'Combined Evaluation' row then one 'Evaluation For Cluster No.j' row per "
        "cluster, with the average distance to the cluster's centre, the average distance to the nearest "
        "other centre, the number of points and the largest distance to the centre. Combined: "
        "point-weighted means, summed counts, the largest maximum. Results scored by probability (e.g. "
        "a mixture's) give the average probability of the own cluster, of the most likely other cluster "
        "and the smallest probability of the own cluster instead. The optional second input's rows "
        "follow the first's; both inputs must hold the same kind of scores."
    )
    version = 1
    order = 90
    inputs = (
        Port("scored_dataset", "Scored dataset", "data_table"),
        Port("scored_dataset_to_compare", "Scored dataset to compare", "data_table", optional=True),
    )
    outputs = (Port("evaluation_results", "Evaluation results", "data_table"),)
    errors = (
        ErrorDecl("0003", "the first input is not connected, or an input has no rows or columns"),
        ErrorDecl("0025", "an input has no cluster assignment columns"),
        ErrorDecl("0142", "the two inputs hold different kinds of scores (distances and probabilities)"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        tables = [(inputs["scored_dataset"], "Scored dataset")]
        if inputs.get("scored_dataset_to_compare") is not None:
            tables.append((inputs["scored_dataset_to_compare"], "Scored dataset to compare"))
        same_kind([scored_columns([str(c) for c in df.columns], port)[2] for df, port in tables])
        parts = [evaluate(df, port) for df, port in tables]
        return {"evaluation_results": pd.concat(parts, ignore_index=True)}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        errors = []
        kinds = []
        for port in self.inputs:
            schema: Schema | None = inputs.get(port.id)
            if schema is not None:
                try:
                    kinds.append(scored_columns([n for n, _ in schema], port.name)[2])
                except ModuleError as exc:
                    errors.append(exc)
        try:
            same_kind(kinds)
        except ModuleError as exc:
            errors.append(exc)
        names = columns_for(kinds[0]) if kinds else COLUMNS
        out: Schema = [(c, "string" if c == "Result Description" else "numeric") for c in names]
        return Inferred(outputs={"evaluation_results": out}, errors=errors)
