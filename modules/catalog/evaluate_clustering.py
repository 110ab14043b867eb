"""Evaluate Model — per-cluster and combined statistics of the score columns of scored tables, each
row's silhouette, and the clusters' agreement with a label column.

Distance scores (lower is nearer) give the distance statistics; probability scores (higher is
nearer) the same statistics of the probabilities, under their own column names: the average
probability of the own cluster, of the most likely other cluster, and the smallest own probability.

Noise rows (``Assignments`` −1, :data:`~modules.results.NOISE_LABEL`) are left out of every statistic,
the Combined Evaluation's included; when a table has any, a last row ``Noise`` gives their number in
"Number of Points" (the noise fraction is that over the Combined Evaluation's count plus it), its other
statistics empty. Results without score columns (a density model's) give the numbers of points, their
other statistics empty; the number of clusters is then the labels'.

"Silhouette per row" is the first input with two columns appended: each row's exact silhouette (on at
most :data:`modules.silhouette.EXACT_ROWS` rows drawn by cluster, empty for the others) and its
simplified silhouette, in :func:`modules.silhouette.feature_space`. "Agreement with labels" compares the
first input's clusters with its label column (:mod:`modules.agreement`) when one is chosen; it is an
empty table otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.agreement import (
    AGREEMENT_METRICS,
    Agreement,
    agreement,
    agreement_from_pairs,
    known_pairs,
    pair_counts,
)
from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Param, Partitioned, Port, Schema
from modules.errors import ModuleError, param_error
from modules.partitioned import PartitionedTable
from modules.results import (
    ASSIGNMENTS,
    DISTANCE,
    NOISE_LABEL,
    PROBABILITY,
    SILHOUETTE,
    SIMPLIFIED_SILHOUETTE,
    find_result_columns,
    is_result_column,
    unique_column_name,
)
from modules.silhouette import partitioned_silhouettes, table_silhouettes

#: The Result Description of the row of noise points (only when a table has noise).
NOISE_ROW = "Noise"

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


def scored_columns(names: list[str], port_name: str) -> tuple[str, list[str], str | None]:
    """The assignment column, the score columns 0…k−1 (none for a model without scores) and their
    score kind (None without score columns); 0025 without an assignments column.

    When an input column already had a result name, the newest (suffixed) one is used.
    """
    found = find_result_columns(names)
    if found is None:
        raise ModuleError(
            "0025",
            f"Input {port_name!r} has no cluster assignment columns ({ASSIGNMENTS!r}, then the score "
            "columns of its algorithm); connect the results of Train Clustering Model, Sweep Clustering or "
            "Assign Data to Clusters.",
        )
    return found.assignments, found.scores, found.score_kind if found.has_scores else None


def same_kind(all_kinds: list[str | None]) -> None:
    """0142 when the scored tables hold different kinds of scores (their statistics do not compare);
    a table without score columns compares with any."""
    kinds = [kind for kind in all_kinds if kind is not None]
    if len(set(kinds)) > 1:
        raise ModuleError(
            "0142",
            f"The scored datasets hold different kinds of scores ({kinds[0]} and {kinds[1]}); compare "
            "results of algorithms whose scores are of one kind.",
        )


@dataclass
class EvaluationSums:
    """What one scored table's evaluation is computed from, per cluster: the rows, the sums of their
    own and nearest other scores (sign-adjusted: lower is nearer), the largest own score; and the noise
    rows. Adding those of the parts of a table gives the whole table's."""

    kind: str | None
    counts: np.ndarray  # (k,) int64
    own: np.ndarray  # (k,) float64
    other: np.ndarray  # (k,) float64
    max_own: np.ndarray  # (k,) float64, NaN for an empty cluster
    n_noise: int

    @classmethod
    def combine(cls, parts: list[EvaluationSums]) -> EvaluationSums:
        """The sums of a table from its parts' (in part order)."""
        k = max(len(part.counts) for part in parts)

        def padded(values: np.ndarray, fill: float) -> np.ndarray:
            return np.concatenate([values, np.full(k - len(values), fill, dtype=values.dtype)])

        with np.errstate(invalid="ignore"):
            max_own = np.fmax.reduce([padded(part.max_own, np.nan) for part in parts])
        return cls(
            parts[0].kind,
            np.sum([padded(part.counts, 0) for part in parts], axis=0),
            np.sum([padded(part.own, 0.0) for part in parts], axis=0),
            np.sum([padded(part.other, 0.0) for part in parts], axis=0),
            max_own,
            sum(part.n_noise for part in parts),
        )


def evaluation_sums(df: pd.DataFrame, port_name: str) -> EvaluationSums:
    """:class:`EvaluationSums` of one scored table (0025 for an assignment outside the score columns)."""
    assign_col, dist_cols, kind = scored_columns([str(c) for c in df.columns], port_name)
    # a probability's "nearest" is its highest: the same statistics of the negated values, negated back
    sign = -1.0 if kind == PROBABILITY else 1.0
    assign = pd.to_numeric(df[assign_col], errors="coerce")
    values = assign.to_numpy(dtype=np.float64, na_value=np.nan)
    noise = values == NOISE_LABEL
    known = ~np.isnan(values) & ~noise  # noise rows are in no statistic
    labels = values[known]
    whole = labels == np.round(labels)
    k = len(dist_cols) if dist_cols else int(labels[whole & (labels >= 0)].max(initial=-1)) + 1
    bad = labels[(labels < 0) | (labels >= k) | ~whole]
    if len(bad):
        raise ModuleError(
            "0025",
            f"Input {port_name!r}: {assign_col!r} holds {bad[0]:g}, but the distance columns only cover "
            f"clusters 0 … {k - 1}.",
        )
    labels_i = labels.astype(np.int64)
    if dist_cols:
        D = sign * np.column_stack(
            [df[c].to_numpy(dtype=np.float64, na_value=np.nan)[known] for c in dist_cols]
        )
    else:  # no score columns: only the counts
        D = np.full((len(labels_i), max(k, 1)), np.nan)
    own = D[np.arange(len(labels_i)), labels_i]
    if k > 1:
        others = D.copy()
        others[np.arange(len(labels_i)), labels_i] = np.inf
        other = others.min(axis=1)
    else:
        other = np.full(len(labels_i), np.nan)
    counts = np.bincount(labels_i, minlength=k)
    max_own = np.full(k, np.nan)
    for j in np.flatnonzero(counts > 0):
        max_own[j] = own[labels_i == j].max()
    return EvaluationSums(
        kind,
        counts.astype(np.int64),
        np.bincount(labels_i, weights=own, minlength=k),
        np.bincount(labels_i, weights=other, minlength=k),
        max_own,
        int(np.count_nonzero(noise)),
    )


def evaluation_table(sums: EvaluationSums, names_kind: str | None = None) -> pd.DataFrame:
    """The rows of one scored table: Combined Evaluation, then one row per cluster (then Noise);
    ``names_kind``: the score kind whose column names a table without scores takes."""
    kind, counts, k = sums.kind, sums.counts, len(sums.counts)
    sign = -1.0 if kind == PROBABILITY else 1.0
    present = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_own = sums.own / counts
        mean_other = sums.other / counts
    max_own = sums.max_own
    total = int(counts.sum())

    def weighted(means: np.ndarray) -> float:
        # the point-weighted mean of the clusters' means
        return float((means[present] * counts[present]).sum() / total) if total else np.nan

    names = columns_for(kind or names_kind or DISTANCE)
    n_noise = sums.n_noise
    noise_row = [NOISE_ROW] if n_noise else []
    nan_noise = [np.nan] if n_noise else []
    return pd.DataFrame(
        {
            names[0]: ["Combined Evaluation"]
            + [f"Evaluation For Cluster No.{j}" for j in range(k)]
            + noise_row,
            names[1]: [sign * weighted(mean_own), *(sign * mean_own).tolist(), *nan_noise],
            names[2]: [sign * weighted(mean_other), *(sign * mean_other).tolist(), *nan_noise],
            names[3]: np.array([total, *counts.tolist(), *([n_noise] if n_noise else [])], dtype=np.int64),
            names[4]: [
                sign * float(np.max(max_own[present])) if total and present.any() else np.nan,
                *(sign * max_own).tolist(),
                *nan_noise,
            ],
        },
        columns=names,
    )


def evaluate(df: pd.DataFrame, port_name: str, names_kind: str | None = None) -> pd.DataFrame:
    """The rows of one scored table (:func:`evaluation_table` of its :func:`evaluation_sums`)."""
    return evaluation_table(evaluation_sums(df, port_name), names_kind)


AGREEMENT_COLUMNS = ["Metric", "Value"]
ROWS_COMPARED = "Rows compared"


def silhouette_columns(names: list[str]) -> tuple[str, str]:
    """The names the two silhouette columns get beside a table's own columns."""
    exact = unique_column_name(names, SILHOUETTE)
    return exact, unique_column_name([*names, exact], SIMPLIFIED_SILHOUETTE)


def with_silhouettes(df: pd.DataFrame) -> pd.DataFrame:
    """The table with each row's exact and simplified silhouette appended."""
    found, _ = table_silhouettes(df)
    exact, simplified = silhouette_columns([str(c) for c in df.columns])
    return df.assign(**{exact: found.exact, simplified: found.simplified})


def check_label_column(names: list[str], label: str | None) -> None:
    """0001 when the label column is not a column of the first input, or is one of its results."""
    if label is not None and (label not in names or is_result_column(label)):
        raise param_error(
            "label_column",
            "0001",
            f"Parameter Label column: {label!r} is not a column of the scored dataset"
            + (" (it is a clustering result)" if label in names else "")
            + ".",
        )


def label_agreement(df: pd.DataFrame | PartitionedTable, label: str | None) -> pd.DataFrame:
    """The agreement scores of the first input's clusters with its label column (no rows without one)."""
    if label is None:
        return pd.DataFrame({"Metric": pd.Series(dtype=str), "Value": pd.Series(dtype=np.float64)})
    if isinstance(df, PartitionedTable):
        return label_agreement(df.meta, None)  # counted part by part instead
    assign_col, _, _ = scored_columns([str(c) for c in df.columns], "Scored dataset")
    clusters, labels, _ = known_pairs(df[assign_col], df[label])
    return _agreement_table(agreement(clusters, labels))


def _agreement_table(found: Agreement) -> pd.DataFrame:
    metrics = [(m.name, found.scores[m.id]) for m in AGREEMENT_METRICS] + [(ROWS_COMPARED, found.compared)]
    return pd.DataFrame(metrics, columns=AGREEMENT_COLUMNS).astype({"Value": np.float64})


def _part_pairs(part: pd.DataFrame, label: str) -> dict[tuple[int, str], int]:
    """One part's rows by (cluster, label) pair."""
    assign_col, _, _ = scored_columns([str(c) for c in part.columns], "Scored dataset")
    return pair_counts(*known_pairs(part[assign_col], part[label])[:2])


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
        "and the smallest probability of the own cluster instead. Noise rows (Assignments -1) are left "
        "out of every statistic and counted in a last 'Noise' row (only when there are any); results "
        "without score columns give the numbers of points only. The optional second input's rows "
        "follow the first's; both inputs must hold the same kind of scores. 'Silhouette per row' is the "
        "first input with each row's silhouette (exact, on at most 5,000 rows drawn by cluster) and "
        "simplified silhouette appended; with a label column, 'Agreement with labels' gives the adjusted "
        "Rand index, normalized mutual information, homogeneity, completeness, V-measure and purity of "
        "the clusters against it."
    )
    version = 2
    order = 90
    inputs = (
        Port("scored_dataset", "Scored dataset", "data_table"),
        Port("scored_dataset_to_compare", "Scored dataset to compare", "data_table", optional=True),
    )
    outputs = (
        Port("evaluation_results", "Evaluation results", "data_table"),
        Port("row_silhouettes", "Silhouette per row", "data_table"),
        Port("label_agreement", "Agreement with labels", "data_table"),
    )
    params = (
        Param(
            "label_column",
            "Label column",
            "column",
            default=None,
            nullable=True,
            columns_from="scored_dataset",
            description="A column of the scored dataset holding labels you already have (not a result "
            "column): 'Agreement with labels' then compares the clusters with them. Empty: no comparison.",
        ),
    )
    partitioned = Partitioned(outputs=("row_silhouettes",))
    errors = (
        ErrorDecl("0001", "the label column is not a column of the scored dataset, or is a result column"),
        ErrorDecl("0003", "the first input is not connected, or an input has no rows or columns"),
        ErrorDecl("0025", "an input has no cluster assignment columns"),
        ErrorDecl("0142", "the two inputs hold different kinds of scores (distances and probabilities)"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        tables = [(inputs["scored_dataset"], "Scored dataset")]
        if inputs.get("scored_dataset_to_compare") is not None:
            tables.append((inputs["scored_dataset_to_compare"], "Scored dataset to compare"))
        kinds = [scored_columns([str(c) for c in df.columns], port)[2] for df, port in tables]
        same_kind(kinds)
        names_kind = next((kind for kind in kinds if kind is not None), None)
        first, label = inputs["scored_dataset"], params["label_column"]
        if not any(isinstance(df, PartitionedTable) for df, _ in tables):
            parts = [evaluate(df, port, names_kind) for df, port in tables]
            check_label_column([str(c) for c in first.columns], label)
            return {
                "evaluation_results": pd.concat(parts, ignore_index=True),
                "row_silhouettes": with_silhouettes(first),
                "label_agreement": label_agreement(first, label),
            }
        # part by part: the statistics and the agreement from per-part sums and counts
        sums = [
            EvaluationSums.combine(df.each_part(evaluation_sums, port_name=port, should_stop=ctx.should_stop))
            if isinstance(df, PartitionedTable)
            else evaluation_sums(df, port)
            for df, port in tables
        ]
        check_label_column([str(c) for c in first.columns], label)
        agreement_table = label_agreement(first, label)
        if isinstance(first, PartitionedTable) and label is not None:
            counts: dict[tuple[int, str], int] = {}
            for part in first.each_part(_part_pairs, label=label, should_stop=ctx.should_stop):
                for pair, n in part.items():
                    counts[pair] = counts.get(pair, 0) + n
            agreement_table = _agreement_table(agreement_from_pairs(counts))
        if isinstance(first, PartitionedTable):
            ctx.log(f"Evaluated {first.n_rows} rows part by part ({first.n_parts} parts).")
            silhouettes = partitioned_silhouettes(
                first, silhouette_columns(first.columns), should_stop=ctx.should_stop
            )
        else:
            silhouettes = with_silhouettes(first)
        return {
            "evaluation_results": pd.concat(
                [evaluation_table(s, names_kind) for s in sums], ignore_index=True
            ),
            "row_silhouettes": silhouettes,
            "label_agreement": agreement_table,
        }

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
        known_kinds = [kind for kind in kinds if kind is not None]
        names = columns_for(known_kinds[0]) if known_kinds else COLUMNS
        out: Schema = [(c, "string" if c == "Result Description" else "numeric") for c in names]
        first: Schema | None = inputs.get("scored_dataset")
        outputs: dict[str, Schema] = {"evaluation_results": out}
        if first is not None:
            first_names = [n for n, _ in first]
            try:
                check_label_column(first_names, params.get("label_column"))
            except ModuleError as exc:
                errors.append(exc)
            outputs["row_silhouettes"] = [*first, *((c, "numeric") for c in silhouette_columns(first_names))]
        outputs["label_agreement"] = [("Metric", "string"), ("Value", "numeric")]
        return Inferred(outputs=outputs, errors=errors)
