"""Cluster profiles of a results table: what each cluster *is*, feature by feature.

For each cluster (each value of the newest assignments column, :mod:`modules.results`): its size and
share of the assigned rows; for each numeric feature the mean, sample standard deviation (ddof=1),
minimum, quartiles (linear interpolation, pandas' default), maximum and a histogram over the feature's
bins for all clusters; for each text or boolean feature with at most :data:`MAX_CATEGORIES` values the
share of every value. Features are the table's columns as they are (the results of Train keep the
input's own units: the model normalises internally); result columns are not features.

What sets a cluster apart is measured against the rest of the rows, on one scale for both kinds:
Cohen's d for a number (difference of the means over the pooled standard deviation) and Cohen's h for
a category (``2·asin√p − 2·asin√q``, p and q its share in and outside the cluster). Cohen's rule of
thumb names 0.2 small, 0.5 medium, 0.8 large.

A table of more than :data:`PROFILE_ROWS` assigned rows is profiled on a deterministic sample of that
many, stratified by cluster (the payload's ``profiled_rows`` says so); sizes and shares count every row.

A table read in row parts (stored partitioned: too large to hold whole) is profiled on an even sample
of its rows with :class:`ClusterTotals` added up over every part: then the sizes and shares, and each
numeric feature's per-cluster count, mean, std and Cohen's d (and its overall mean and std) are exact,
over every row; quartiles, extremes, histograms and categorical shares are the sample's
(``profiled_rows``). A cluster with no row in the sample is counted in ``n_clusters`` but not profiled.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from backend.services.outputs.jsonsafe import JsonDict, finite_or_none
from backend.services.outputs.tables import column_type
from modules.results import find_result_columns, is_result_column

PROFILE_ROWS = 50_000
MAX_PROFILE_FEATURES = 60
MAX_PROFILE_CLUSTERS = 100
MAX_CATEGORIES = 50
HISTOGRAM_BINS = 12
TOP_DISTINGUISHING = 5
SAMPLE_SEED = 20261129
EFFECT_SIZES = ((0.8, "large"), (0.5, "medium"), (0.2, "small"))
QUANTILES = (0.25, 0.5, 0.75)


class NotAClusteringResult(ValueError):
    """The table has no assignments column to profile by."""


@dataclass(frozen=True)
class Groups:
    """The profiled rows' clusters: ``codes[i]`` is the position in ``clusters`` of row i's cluster."""

    clusters: np.ndarray  # the cluster labels profiled, ascending
    codes: np.ndarray  # (n,) int64
    counts: np.ndarray  # (G,) rows of each cluster among the profiled rows


def effect_label(effect: float | None) -> str:
    """Cohen's name for an effect of that size ("large", "medium", "small" or "negligible")."""
    size = abs(effect) if effect is not None else 0.0
    return next((name for bound, name in EFFECT_SIZES if size >= bound), "negligible")


def cohens_d(n1: float, mean1: float, ss1: float, n2: float, mean2: float, ss2: float) -> float | None:
    """Cohen's d of group 1 against group 2 from their sizes, means and sums of squared deviations."""
    if n1 < 1 or n2 < 1 or n1 + n2 <= 2:
        return None
    pooled = math.sqrt((ss1 + ss2) / (n1 + n2 - 2))
    if pooled == 0:  # every value the same on both sides: no spread to measure a difference against
        return None
    return (mean1 - mean2) / pooled


def cohens_h(p: float, q: float) -> float:
    """Cohen's h between two proportions."""
    return 2 * math.asin(math.sqrt(p)) - 2 * math.asin(math.sqrt(q))


def assignments_column(frame: pd.DataFrame) -> str:
    """The newest assignments column (NotAClusteringResult when the table has none)."""
    found = find_result_columns([str(c) for c in frame.columns])
    if found is None:
        raise NotAClusteringResult("This output has no Assignments column: it is not a clustering result")
    return found.assignments


def _labels(series: pd.Series) -> np.ndarray:
    """The assignments as int64, with missing (not scored) rows as the smallest int64 (left out)."""
    missing = np.iinfo(np.int64).min
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64, na_value=missing)
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    whole = np.isfinite(values) & (values % 1 == 0)
    labels = np.full(values.size, missing, dtype=np.int64)
    labels[whole] = values[whole].astype(np.int64)
    return labels


def _stratified_sample(codes: np.ndarray, size: int) -> np.ndarray:
    """Row positions of a sample of ``size`` rows, each cluster in proportion (at least one row each)."""
    rng = np.random.default_rng(SAMPLE_SEED)
    counts = np.bincount(codes)
    exact = counts * (size / codes.size)
    quota = np.floor(exact).astype(np.int64)
    # Largest remainders take the rows rounding down left over, so the sample has exactly `size` rows.
    quota[np.argsort(quota - exact, kind="stable")[: size - int(quota.sum())]] += 1
    quota = np.minimum(counts, np.maximum(1, quota))
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    picked = [
        order[start + np.sort(rng.choice(count, size=min(count, want), replace=False))]
        for start, count, want in zip(starts, counts, quota, strict=True)
        if count
    ]
    return np.sort(np.concatenate(picked))


def _features(frame: pd.DataFrame) -> tuple[list[str], list[str], int]:
    """Numeric and categorical feature names (in table order, capped) and how many columns could be."""
    numeric: list[str] = []
    categorical: list[str] = []
    candidates = [str(c) for c in frame.columns if not is_result_column(str(c))]
    for name in candidates:
        if len(numeric) + len(categorical) >= MAX_PROFILE_FEATURES:
            break
        kind = column_type(frame[name])
        if kind == "numeric":
            numeric.append(name)
        elif kind in ("string", "boolean") and frame[name].nunique(dropna=True) <= MAX_CATEGORIES:
            categorical.append(name)
    return numeric, categorical, len(candidates)


def _sorted_quantiles(part: np.ndarray) -> list[float]:
    """Min, quartiles (linear interpolation, as numpy and pandas) and max of sorted values."""
    positions = np.asarray(QUANTILES) * (part.size - 1)
    below = np.floor(positions).astype(np.int64)
    above = np.minimum(below + 1, part.size - 1)
    fraction = positions - below
    quartiles = part[below] + (part[above] - part[below]) * fraction
    return [float(part[0]), *quartiles.tolist(), float(part[-1])]


def _quantiles(values: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``(G, 5)``: min, quartiles and max of each group's values (NaN for an empty group); the values
    come grouped (``codes`` ascending), so each group is one slice sorted on its own."""
    out = np.full((counts.size, 5), np.nan)
    start = 0
    for g, count in enumerate(counts):
        if count:
            out[g] = _sorted_quantiles(np.sort(values[start : start + count]))
        start += count
    return out


def _feature_values(raw: pd.Series) -> np.ndarray:
    """A numeric feature as float64, NaN where missing or not a finite number (left out)."""
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isfinite(values), values, np.nan)


def _numeric_profile(
    name: str, raw: pd.Series, groups: Groups, exact: FeatureTotals | None = None
) -> tuple[JsonDict, list[float | None]]:
    """One numeric feature's statistics per cluster and each cluster's Cohen's d against the rest
    (counts, means and squared deviations from ``exact``, of every row, when given)."""
    values = _feature_values(raw)
    present = np.isfinite(values)
    v, codes = values[present], groups.codes[present]
    G = groups.clusters.size
    n = np.bincount(codes, minlength=G).astype(np.float64)
    quantiles = _quantiles(v, codes, n.astype(np.int64))
    if exact is not None:
        n, means, ss = exact.of(groups.clusters)
        sums = np.where(n > 0, n * np.nan_to_num(means), 0.0)
    else:
        sums = np.bincount(codes, weights=v, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / n
        ss = np.bincount(codes, weights=(v - means[codes]) ** 2, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        stds = np.sqrt(ss / (n - 1))
    low, high = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1) if high > low else np.array([low - 0.5, low + 0.5])
    bins = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, edges.size - 2)
    histograms = np.bincount(codes * (edges.size - 1) + bins, minlength=G * (edges.size - 1))
    histograms = histograms.reshape(G, edges.size - 1)
    total_n, total_sum = n.sum(), sums.sum()
    effects: list[float | None] = []
    for g in range(G):
        rest_n = total_n - n[g]
        rest_mean = (total_sum - sums[g]) / rest_n if rest_n else math.nan
        # The rest's squared deviations about its own mean: each other group's plus its mean's offset.
        others = np.arange(G) != g
        filled = others & (n > 0)
        rest_ss = float(np.sum(ss[filled] + n[filled] * (means[filled] - rest_mean) ** 2))
        effects.append(cohens_d(n[g], means[g], ss[g], rest_n, rest_mean, rest_ss) if n[g] else None)
    overall_mean = total_sum / total_n if total_n else math.nan
    per_cluster = [
        {
            "count": int(n[g]),
            "mean": finite_or_none(means[g]),
            "std": finite_or_none(stds[g]),
            "min": finite_or_none(quantiles[g, 0]),
            "q25": finite_or_none(quantiles[g, 1]),
            "median": finite_or_none(quantiles[g, 2]),
            "q75": finite_or_none(quantiles[g, 3]),
            "max": finite_or_none(quantiles[g, 4]),
            "histogram": histograms[g].tolist(),
            "effect": finite_or_none(effects[g]),
        }
        for g in range(G)
    ]
    if exact is not None:  # the squared deviations of all rows about the overall mean, from the groups'
        filled = n > 0
        overall_ss = float(np.sum(ss[filled] + n[filled] * (means[filled] - overall_mean) ** 2))
        overall_std = math.sqrt(overall_ss / (total_n - 1)) if total_n > 1 else None
    else:
        overall_std = float(np.std(v, ddof=1)) if v.size > 1 else None
    overall = {
        "mean": finite_or_none(overall_mean),
        "std": finite_or_none(overall_std),
        "median": finite_or_none(float(np.median(v)) if v.size else None),
        "histogram": histograms.sum(axis=0).tolist(),
    }
    payload = {
        "feature": name,
        "kind": "numeric",
        "edges": edges.tolist(),
        "overall": overall,
        "clusters": per_cluster,
    }
    return payload, effects


def _categorical_profile(name: str, raw: pd.Series, groups: Groups) -> tuple[JsonDict, list[JsonDict | None]]:
    """One text/boolean feature's value shares per cluster, and each cluster's most over-represented
    value by Cohen's h against the rest."""
    present = raw.notna().to_numpy()
    values = raw[present].astype(str).to_numpy()
    codes = groups.codes[present]
    categories, value_codes = np.unique(values, return_inverse=True)
    G, C = groups.clusters.size, categories.size
    table = np.bincount(codes * C + value_codes, minlength=G * C).reshape(G, C).astype(np.float64)
    in_cluster = table.sum(axis=1)
    total = table.sum(axis=0)
    overall_share = total / total.sum() if total.sum() else np.zeros(C)
    per_cluster = []
    best: list[JsonDict | None] = []
    for g in range(G):
        rest = total - table[g]
        rest_n = rest.sum()
        shares = table[g] / in_cluster[g] if in_cluster[g] else np.zeros(C)
        rest_shares = rest / rest_n if rest_n else np.zeros(C)
        comparable = bool(in_cluster[g] and rest_n)
        h = [cohens_h(float(shares[c]), float(rest_shares[c])) if comparable else None for c in range(C)]
        top = [c for c in np.argsort(-shares, kind="stable")[:5] if table[g, c]]
        per_cluster.append(
            {
                "count": int(in_cluster[g]),
                "top": [
                    {"value": str(categories[c]), "share": float(shares[c]), "effect": h[c]} for c in top
                ],
            }
        )
        if not comparable:
            best.append(None)
            continue
        c = int(np.argmax([value if value is not None else -math.inf for value in h]))
        best.append(
            {
                "value": str(categories[c]),
                "share": float(shares[c]),
                "rest_share": float(rest_shares[c]),
                "effect": h[c],
            }
        )
    overall = [
        {"value": str(categories[c]), "share": float(overall_share[c])}
        for c in np.argsort(-overall_share, kind="stable")[:5]
    ]
    return {"feature": name, "kind": "categorical", "overall": overall, "clusters": per_cluster}, best


def _groups(labels: np.ndarray, rows: np.ndarray) -> tuple[Groups, np.ndarray]:
    """The clusters of the assigned rows (the :data:`MAX_PROFILE_CLUSTERS` largest) and their rows."""
    clusters, codes, counts = np.unique(labels[rows], return_inverse=True, return_counts=True)
    if clusters.size > MAX_PROFILE_CLUSTERS:
        keep = np.sort(np.argsort(-counts, kind="stable")[:MAX_PROFILE_CLUSTERS])
        kept = np.isin(codes, keep)
        rows = rows[kept]
        clusters, codes, counts = np.unique(labels[rows], return_inverse=True, return_counts=True)
    return Groups(clusters, codes.astype(np.int64), counts), rows


@dataclass(frozen=True)
class FeatureTotals:
    """One numeric feature's count, mean and sum of squared deviations per cluster over every row."""

    clusters: np.ndarray  # ascending
    n: np.ndarray
    means: np.ndarray
    ss: np.ndarray

    def of(self, clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(n, means, ss)`` of the given clusters (0, NaN, 0 for one without a value)."""
        at = np.searchsorted(self.clusters, clusters)
        found = (at < self.clusters.size) & (
            self.clusters[np.minimum(at, self.clusters.size - 1)] == clusters
        )
        at = np.where(found, at, 0)
        if self.clusters.size == 0:
            return np.zeros(clusters.size), np.full(clusters.size, np.nan), np.zeros(clusters.size)
        return (
            np.where(found, self.n[at], 0.0),
            np.where(found, self.means[at], np.nan),
            np.where(found, self.ss[at], 0.0),
        )


def _grouped_moments(labels: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(clusters, n, means, ss)`` of values grouped by label (no missing value among them)."""
    clusters, codes = np.unique(labels, return_inverse=True)
    n = np.bincount(codes, minlength=clusters.size).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(codes, weights=values, minlength=clusters.size) / n
    ss = np.bincount(codes, weights=(values - means[codes]) ** 2, minlength=clusters.size)
    return clusters, n, means, ss


class ClusterTotals:
    """What a profile counts exactly over a table read in row parts (:meth:`add` each part in turn):
    the rows, each cluster's size, and per numeric feature each cluster's moments
    (:class:`FeatureTotals`; parts merged as groups are: means weighted, squared deviations plus each
    part's offset from the merged mean)."""

    def __init__(self, assignments: str) -> None:
        self.assignments = assignments
        self.n_rows = 0
        self.features: list[str] | None = None
        self._sizes: list[tuple[np.ndarray, np.ndarray]] = []
        self._moments: dict[str, list[tuple[np.ndarray, ...]]] = {}

    def add(self, part: pd.DataFrame) -> None:
        if self.features is None:
            self.features = [
                str(c)
                for c in part.columns
                if not is_result_column(str(c)) and column_type(part[c]) == "numeric"
            ][:MAX_PROFILE_FEATURES]
        self.n_rows += len(part)
        labels = _labels(part[self.assignments])
        assigned = labels != np.iinfo(np.int64).min
        self._sizes.append(np.unique(labels[assigned], return_counts=True))
        for name in self.features:
            values = _feature_values(part[name])
            keep = assigned & np.isfinite(values)
            self._moments.setdefault(name, []).append(_grouped_moments(labels[keep], values[keep]))

    def sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every cluster (ascending) and its rows."""
        if not self._sizes:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        labels = np.concatenate([clusters for clusters, _ in self._sizes])
        counts = np.concatenate([counts for _, counts in self._sizes])
        clusters, codes = np.unique(labels, return_inverse=True)
        return clusters, np.bincount(codes, weights=counts, minlength=clusters.size).astype(np.int64)

    def feature(self, name: str) -> FeatureTotals | None:
        found = self._moments.get(name)
        if found is None:
            return None
        labels, n, means, ss = (np.concatenate(column) for column in zip(*found, strict=True))
        clusters, codes = np.unique(labels, return_inverse=True)
        total = np.bincount(codes, weights=n, minlength=clusters.size)
        mean = np.bincount(codes, weights=n * means, minlength=clusters.size) / np.maximum(total, 1)
        squares = np.bincount(codes, weights=ss + n * (means - mean[codes]) ** 2, minlength=clusters.size)
        return FeatureTotals(clusters, total, mean, squares)


def _profiled(labels: np.ndarray, totals: ClusterTotals | None) -> tuple[Groups, Groups, np.ndarray, int]:
    """The clusters shown with their sizes (``totals``' when given), the clusters and rows profiled, and
    how many rows have a cluster."""
    assigned = np.flatnonzero(labels != np.iinfo(np.int64).min)
    all_groups, _ = _groups(labels, assigned)
    groups, rows = all_groups, assigned
    if totals is not None:
        clusters, sizes = totals.sizes()
        all_groups = Groups(clusters, np.empty(0, np.int64), sizes)
        return all_groups, groups, rows, int(sizes.sum())
    if rows.size > PROFILE_ROWS:
        rows = rows[_stratified_sample(groups.codes, PROFILE_ROWS)]
        groups, rows = _groups(labels, rows)
    return all_groups, groups, rows, int(assigned.size)


def cluster_profiles(frame: pd.DataFrame, totals: ClusterTotals | None = None) -> JsonDict:
    """The profile payload (see the module's docstring for what each part is). ``totals``: ``frame`` is
    a sample of a table read in parts and these its exact totals."""
    assignments = assignments_column(frame)
    all_groups, groups, rows, assigned_rows = _profiled(_labels(frame[assignments]), totals)
    by_cluster = np.argsort(groups.codes, kind="stable")  # each cluster's rows together (see _quantiles)
    rows = rows[by_cluster]
    groups = Groups(groups.clusters, groups.codes[by_cluster], groups.counts)
    sample = frame.iloc[rows]
    numeric, categorical, n_candidates = _features(frame)
    features: list[JsonDict] = []
    distinguishing: list[list[JsonDict]] = [[] for _ in groups.clusters]
    for name in numeric:
        exact = totals.feature(name) if totals is not None else None
        payload, effects = _numeric_profile(name, sample[name], groups, exact)
        features.append(payload)
        for g, effect in enumerate(effects):
            if effect is not None and math.isfinite(effect):
                stats = payload["clusters"][g]
                distinguishing[g].append(
                    {
                        "feature": name,
                        "kind": "numeric",
                        "effect": effect,
                        "direction": "higher" if effect > 0 else "lower",
                        "mean": stats["mean"],
                        "overall_mean": payload["overall"]["mean"],
                    }
                )
    for name in categorical:
        payload, best = _categorical_profile(name, sample[name], groups)
        features.append(payload)
        for g, found in enumerate(best):
            if found is not None and found["effect"] > 0:
                distinguishing[g].append({"feature": name, "kind": "categorical", **found})
    for ranked in distinguishing:
        ranked.sort(key=lambda item: -abs(item["effect"]))
        del ranked[TOP_DISTINGUISHING:]
        for item in ranked:
            item["magnitude"] = effect_label(item["effect"])
    sizes = all_groups.counts
    kept = np.isin(all_groups.clusters, groups.clusters)
    return {
        "assignments": assignments,
        "n_rows": totals.n_rows if totals is not None else len(frame),
        "assigned_rows": assigned_rows,
        "profiled_rows": int(rows.size),
        # sizes, counts, means, stds and effects of every row; the rest of an even sample (ClusterTotals)
        "moments_of_all_rows": totals is not None,
        "n_clusters": int(all_groups.clusters.size),
        "features_shown": len(numeric) + len(categorical),
        "features_total": n_candidates,
        "clusters": [
            {
                "cluster": int(c),
                "size": int(s),
                "share": float(s / assigned_rows),
                "distinguishing": distinguishing[g],
            }
            for g, (c, s) in enumerate(zip(all_groups.clusters[kept], sizes[kept], strict=True))
        ],
        "features": features,
    }


CSV_COLUMNS = [
    "Cluster",
    "Size",
    "Share",
    "Feature",
    "Value",
    "Mean",
    "Std",
    "Min",
    "Q1",
    "Median",
    "Q3",
    "Max",
    "Share in cluster",
    "Effect size",
]


def profile_rows(profile: JsonDict) -> Iterator[list[Any]]:
    """The profile as table rows (:data:`CSV_COLUMNS`): one per cluster and numeric feature, one per
    cluster, categorical feature and value."""
    for g, cluster in enumerate(profile["clusters"]):
        head = [cluster["cluster"], cluster["size"], cluster["share"]]
        for feature in profile["features"]:
            stats = feature["clusters"][g]
            if feature["kind"] == "numeric":
                yield [
                    *head,
                    feature["feature"],
                    "",
                    *(stats[k] for k in ("mean", "std", "min", "q25", "median", "q75", "max")),
                    "",
                    stats["effect"],
                ]
            else:
                for top in stats["top"]:
                    yield [*head, feature["feature"], top["value"], *([""] * 7), top["share"], top["effect"]]


def profile_frame(profile: JsonDict) -> pd.DataFrame:
    """The profile as a table (what the CSV download holds)."""
    return pd.DataFrame(list(profile_rows(profile)), columns=CSV_COLUMNS)
