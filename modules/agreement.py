"""How well a clustering agrees with other labels of the same rows: labels a user already has (external
validation) or another clustering's assignments (comparing two runs).

The scores are scikit-learn's (the field's reference implementations, wrapped, not rewritten): adjusted
Rand index, normalised mutual information (arithmetic mean, scikit-learn's default), homogeneity,
completeness and V-measure; purity (each cluster counted as its most common label) comes from the same
contingency table. Rows without a cluster or without a label are left out, and so are noise rows
(:data:`modules.results.NOISE_LABEL` and any other negative cluster): they belong to no cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import metrics as sk_metrics

__all__ = ["AGREEMENT_METRICS", "Agreement", "AgreementMetric", "agreement", "known_pairs"]


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


def agreement(clusters: Sequence[int] | np.ndarray, labels: Sequence[str | int] | np.ndarray) -> Agreement:
    """The agreement scores of two labellings of the same rows (both already without missing values);
    ``labels`` may be text or another clustering's numbers (then sorted as numbers)."""
    clusters = np.asarray(clusters)
    labels = np.asarray(labels)
    if clusters.size == 0:
        nan = float("nan")
        return Agreement({m.id: nan for m in AGREEMENT_METRICS}, [], [], np.zeros((0, 0), np.int64), 0)
    cluster_ids, cluster_codes = np.unique(clusters, return_inverse=True)
    label_ids, label_codes = np.unique(labels, return_inverse=True)
    table = sk_metrics.cluster.contingency_matrix(label_codes, cluster_codes).T.astype(np.int64)
    homogeneity, completeness, v_measure = sk_metrics.homogeneity_completeness_v_measure(
        label_codes, cluster_codes
    )
    scores = {
        "adjusted_rand": float(sk_metrics.adjusted_rand_score(label_codes, cluster_codes)),
        "normalized_mutual_info": float(sk_metrics.normalized_mutual_info_score(label_codes, cluster_codes)),
        "homogeneity": float(homogeneity),
        "completeness": float(completeness),
        "v_measure": float(v_measure),
        "purity": float(table.max(axis=1).sum() / clusters.size),
    }
    return Agreement(scores, cluster_ids.tolist(), [str(v) for v in label_ids], table, int(clusters.size))
