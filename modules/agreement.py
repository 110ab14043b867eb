"""How well a clustering agrees with other labels of the same rows: labels a user already has (external
validation) or another clustering's assignments (comparing two runs).

The scores are scikit-learn's: adjusted Rand index, normalised mutual information (arithmetic mean,
scikit-learn's default), homogeneity, completeness and V-measure, computed as scikit-learn computes them
but all from ONE contingency table counted with ``np.bincount`` (scikit-learn's functions each count their
own, several times slower on a million rows): the mutual information is scikit-learn's own
``mutual_info_score`` given that table, the entropies come from its margins and the Rand index from its
pair counts, in scikit-learn's formulas (tests compare every score with scikit-learn's). Purity (each
cluster counted as its most common label) comes from the same table. Rows without a cluster or
without a label are left out, and so are noise rows
(:data:`modules.results.NOISE_LABEL` and any other negative cluster): they belong to no cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AGREEMENT_METRICS",
    "Agreement",
    "AgreementMetric",
    "adjusted_rand_from_contingency",
    "agreement",
    "agreement_from_pairs",
    "contingency_table",
    "known_pairs",
    "pair_counts",
]


@dataclass(frozen=True)
class AgreementMetric:
    id: str
    name: str
    description: str


#: The scores in the order they are shown; each is 1 for a perfect match.
AGREEMENT_METRICS = (
    AgreementMetric("adjusted_rand", "Adjusted Rand index", "pairs of rows grouped alike, 0 for chance"),
    AgreementMetric("normalized_mutual_info", "Normalized mutual information", "shared information, 0 to 1"),
    AgreementMetric("homogeneity", "Homogeneity", "each cluster holds one label"),
    AgreementMetric("completeness", "Completeness", "each label sits in one cluster"),
    AgreementMetric("v_measure", "V-measure", "harmonic mean of homogeneity and completeness"),
    AgreementMetric("purity", "Purity", "share of rows in their cluster's most common label"),
)


@dataclass(frozen=True)
class Agreement:
    """The scores by metric id, and the contingency table: ``contingency[i, j]`` rows of cluster
    ``clusters[i]`` with label ``labels[j]``."""

    scores: dict[str, float]
    clusters: list[int]
    labels: list[str]
    contingency: np.ndarray  # (clusters, labels) int64
    compared: int


def known_pairs(assignments: pd.Series, labels: pd.Series) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The rows that have both a cluster (0 or more) and a label: their clusters (int64) and labels (as
    text), and how many rows were left out for each reason."""
    clusters = pd.to_numeric(assignments, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    has_cluster = np.isfinite(clusters)
    noise = has_cluster & (clusters < 0)
    has_label = labels.notna().to_numpy()
    keep = has_cluster & ~noise & has_label
    left_out = {
        "missing_assignment": int((~has_cluster).sum()),
        "noise": int(noise.sum()),
        "missing_label": int((has_cluster & ~noise & ~has_label).sum()),
    }
    return clusters[keep].astype(np.int64), labels[keep].astype(str).to_numpy(), left_out


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values and each value's index among them (``np.unique(return_inverse)``;
    hashed first, so a million strings are not sorted)."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques), codes.astype(np.int64)


def contingency_table(a_codes: np.ndarray, b_codes: np.ndarray, n_a: int, n_b: int) -> np.ndarray:
    """``(n_a, n_b)`` int64: how many rows have code i in ``a`` and code j in ``b``."""
    return np.bincount(a_codes * n_b + b_codes, minlength=n_a * n_b).reshape(n_a, n_b).astype(np.int64)


def adjusted_rand_from_contingency(table: np.ndarray) -> float:
    """scikit-learn's ``adjusted_rand_score``: its pair counts (``pair_confusion_matrix``) and formula,
    in Python integers (no overflow), from the contingency table."""
    n = int(table.sum())
    if n == 0:
        return 1.0
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    sum_squares = int((table.astype(np.int64) ** 2).sum())
    tp = sum_squares - n
    fp = int((table @ columns).sum()) - sum_squares
    fn = int((table.T @ rows).sum()) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(counts: np.ndarray) -> float:
    """scikit-learn's ``entropy`` of a labelling, from its label counts."""
    counts = counts[counts > 0].astype(np.float64)
    if counts.size <= 1:
        return 0.0
    total = counts.sum()
    return float(-np.sum((counts / total) * (np.log(counts) - np.log(total))))


def _information_scores(table: np.ndarray) -> dict[str, float]:
    """Normalised mutual information, homogeneity, completeness and V-measure as scikit-learn computes
    them for ``labels_true`` = the table's columns and ``labels_pred`` = its rows."""
    from sklearn.metrics import mutual_info_score  # loaded when first used: the engine imports no sklearn

    mutual = float(mutual_info_score(None, None, contingency=table.T))
    h_true, h_pred = _entropy(table.sum(axis=0)), _entropy(table.sum(axis=1))
    homogeneity = mutual / h_true if h_true else 1.0
    completeness = mutual / h_pred if h_pred else 1.0
    v_measure = (
        2.0 * homogeneity * completeness / (homogeneity + completeness) if homogeneity + completeness else 0.0
    )
    n_true, n_pred = int((table.sum(axis=0) > 0).sum()), int((table.sum(axis=1) > 0).sum())
    if n_true == n_pred == 1 or n_true == n_pred == 0:
        nmi = 1.0  # scikit-learn's special case: neither labelling splits the rows
    elif mutual == 0:
        nmi = 0.0
    else:
        nmi = mutual / max((h_true + h_pred) / 2, np.finfo("float64").eps)
    return {
        "normalized_mutual_info": float(nmi),
        "homogeneity": float(homogeneity),
        "completeness": float(completeness),
        "v_measure": float(v_measure),
    }


def agreement(clusters: Sequence[int] | np.ndarray, labels: Sequence[str | int] | np.ndarray) -> Agreement:
    """The agreement scores of two labellings of the same rows (both already without missing values);
    ``labels`` may be text or another clustering's numbers (then sorted as numbers)."""
    clusters = np.asarray(clusters)
    labels = np.asarray(labels)
    if clusters.size == 0:
        nan = float("nan")
        return Agreement({m.id: nan for m in AGREEMENT_METRICS}, [], [], np.zeros((0, 0), np.int64), 0)
    cluster_ids, cluster_codes = _codes(clusters)
    label_ids, label_codes = _codes(labels)
    table = contingency_table(cluster_codes, label_codes, len(cluster_ids), len(label_ids))
    return _from_contingency(table, cluster_ids.tolist(), [str(v) for v in label_ids])


def pair_counts(clusters: np.ndarray, labels: np.ndarray) -> dict[tuple[int, str], int]:
    """How many rows have each (cluster, label) pair (labels as text, as :func:`known_pairs` gives them):
    what :func:`agreement_from_pairs` adds up over the parts of a table."""
    if clusters.size == 0:
        return {}
    counted = pd.Series(np.ones(clusters.size, dtype=np.int64)).groupby([clusters, labels]).sum()
    return {(int(c), str(label)): int(n) for (c, label), n in counted.items()}


def agreement_from_pairs(counts: dict[tuple[int, Any], int]) -> Agreement:
    """:func:`agreement` of the rows counted by (cluster, label) pair (labels all text, or all another
    clustering's numbers: sorted as :func:`agreement` sorts them)."""
    if not counts:
        return agreement(np.empty(0, np.int64), np.empty(0, str))
    cluster_ids = sorted({c for c, _ in counts})
    label_ids = sorted({label for _, label in counts})
    cluster_at = {c: i for i, c in enumerate(cluster_ids)}
    label_at = {label: j for j, label in enumerate(label_ids)}
    table = np.zeros((len(cluster_ids), len(label_ids)), dtype=np.int64)
    for (c, label), n in counts.items():
        table[cluster_at[c], label_at[label]] += n
    return _from_contingency(table, cluster_ids, label_ids)


def _from_contingency(table: np.ndarray, cluster_ids: list[Any], label_ids: list[str]) -> Agreement:
    n = int(table.sum())
    scores = {
        "adjusted_rand": adjusted_rand_from_contingency(table),
        **_information_scores(table),
        "purity": float(table.max(axis=1).sum() / n),
    }
    ordered = {m.id: scores[m.id] for m in AGREEMENT_METRICS}
    return Agreement(ordered, cluster_ids, label_ids, table, n)
