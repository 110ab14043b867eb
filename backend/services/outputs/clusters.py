"""The cluster chart of a results table (``Assignments`` and score columns, see :mod:`modules.results`).

Features are the numeric (non-boolean) columns other than assignment and distance columns. Rows with a
missing assignment or a missing/non-finite feature are left out of the chart (and counted). Each feature
is min-max scaled to [0, 1] over the charted rows, then projected on the first two principal components
(PCA over all charted rows via the d×d covariance; each component's largest-|loading| is positive, as in
scikit-learn). Centroids, ellipses (2-sigma, sample covariance in the projected plane), cluster sizes and
distance histograms use all rows; only the scatter points are sampled (deterministically, by cluster).
The histograms are of each row's score against its own cluster: a distance to its centre, or for
results scored by probability (the payload's ``score_kind``) the probability of its own cluster.

A sampled chart (the default) of more than :data:`PROJECTION_ROWS` charted rows is computed from a
stratified sample of that many of them (projection, centroids, ellipses, histograms; the payload's
``projection_rows`` says how many): it looks the same and costs a fraction. Cluster sizes and the
excluded rows are still counted over every row; asking for every point computes it all from every row.

Noise rows (``Assignments`` −1, :data:`~modules.results.NOISE_LABEL`) are charted as points of cluster
−1 (the chart draws them grey) and counted in ``noise_count``; they are in no cluster's size, centroid,
ellipse or histogram. Results without score columns (a density model's) have no histograms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from backend.services.outputs.histogram import sorted_histogram, sorted_histogram_over, square_root_bins
from backend.services.outputs.jsonsafe import JsonDict, finite_or_none
from backend.services.outputs.model_ellipses import (
    ELLIPSE_SIGMA,
    covariance_ellipse,
    projected_model_ellipses,
)
from backend.services.outputs.tables import column_type
from modules.results import DISTANCE, NOISE_LABEL, PROBABILITY, find_result_columns, is_result_column

MAX_CLUSTER_INDEX = 65_535
SAMPLE_SEED = 20240601
COORDINATE_DECIMALS = 6
#: Charted rows a sampled chart is computed from, at most (see the module's docstring).
PROJECTION_ROWS = 50_000


@dataclass(frozen=True)
class ResultColumns:
    """Positions of the chosen assignments column and of its distance columns by cluster index."""

    assignments: int
    distances: dict[int, int]
    score_kind: str = DISTANCE


@dataclass(frozen=True)
class Projection:
    """A 2-D PCA of min-max-scaled features."""

    coordinates: np.ndarray  # n × 2
    components: np.ndarray  # 2 × d
    explained_variance_ratio: np.ndarray  # 2
    center: np.ndarray  # d, mean of the scaled features
    feature_min: np.ndarray  # d
    feature_max: np.ndarray  # d


def result_columns(df: pd.DataFrame) -> ResultColumns | None:
    """The newest assignments column and the score columns that belong to it (the modules' rule)."""
    names = [str(name) for name in df.columns]
    found = find_result_columns(names)
    if found is None:
        return None
    return ResultColumns(
        assignments=names.index(found.assignments),
        distances={j: names.index(name) for j, name in enumerate(found.scores)},
        score_kind=found.score_kind,
    )


def is_clustering_result(df: pd.DataFrame) -> bool:
    """Whether the table has an ``Assignments`` (or suffixed ``Assignments (n)``) column."""
    return result_columns(df) is not None


def feature_positions(df: pd.DataFrame, features: Sequence[str] | None = None) -> list[int]:
    """Positions of the feature columns: the given names, else numeric columns that are not results."""
    names = [str(name) for name in df.columns]
    if features is not None:
        missing = [name for name in features if name not in names]
        if missing:
            raise ValueError(f"feature columns not in the table: {', '.join(missing)}")
        return [names.index(name) for name in features]
    return [
        position
        for position, name in enumerate(names)
        if not is_result_column(name) and column_type(df.iloc[:, position]) == "numeric"
    ]


def float_column(series: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing values (non-numeric text becomes NaN)."""
    if series.dtype == np.float64:  # already that (NaN is its missing value): no conversion pass
        return series.to_numpy()
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def cluster_labels(series: pd.Series) -> np.ndarray:
    """Cluster indices as int64, −1 where missing or not a whole number in 0 … MAX_CLUSTER_INDEX."""
    if pd.api.types.is_integer_dtype(series.dtype):  # whole numbers already (the modules write Int64)
        labels = series.to_numpy(dtype=np.int64, na_value=-1)
        return np.where((labels >= 0) & (labels <= MAX_CLUSTER_INDEX), labels, -1)
    values = float_column(series)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(values) & (values >= 0) & (values <= MAX_CLUSTER_INDEX) & (values % 1 == 0)
    labels = np.full(values.size, -1, dtype=np.int64)
    labels[valid] = values[valid].astype(np.int64)
    return labels


def noise_rows(series: pd.Series) -> np.ndarray:
    """Whether each row's assignment is :data:`~modules.results.NOISE_LABEL` (a row in no cluster)."""
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64, na_value=0) == NOISE_LABEL
    return float_column(series) == NOISE_LABEL


def feature_matrix(df: pd.DataFrame, positions: list[int], rows: np.ndarray | None = None) -> np.ndarray:
    """The feature columns (of the given rows, else every row) as a matrix (NaN for missing)."""
    matrix = np.empty((len(df) if rows is None else rows.size, len(positions)), dtype=np.float64)
    for column, position in enumerate(positions):
        values = float_column(df.iloc[:, position])
        matrix[:, column] = values if rows is None else values[rows]
    return matrix


def complete_rows(df: pd.DataFrame, positions: list[int]) -> np.ndarray:
    """Whether each row has a finite value in every feature column (read column by column, no matrix)."""
    complete = np.ones(len(df), dtype=bool)
    for position in positions:
        values = float_column(df.iloc[:, position])
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.sum(values)):  # one fast pass proves every value finite (else: row by row)
                continue
        complete &= np.isfinite(values)
    return complete


def minmax_scale(matrix: np.ndarray, in_place: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each column scaled to [0, 1] (a constant column becomes 0), with the column minima and maxima.

    ``in_place`` scales ``matrix`` itself (same values, no n × d temporaries: a large table's chart).
    """
    lows, highs = matrix.min(axis=0), matrix.max(axis=0)
    spans = np.where(highs > lows, highs - lows, 1.0)
    scaled = np.subtract(matrix, lows, out=matrix if in_place else None)
    return np.divide(scaled, spans, out=scaled), lows, highs


def flip_signs(components: np.ndarray) -> np.ndarray:
    """Components signed so that each one's largest-|loading| entry is positive (scikit-learn's rule)."""
    if components.size == 0:
        return components
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), largest])
    signs[signs == 0] = 1.0
    return components * signs[:, None]


def pca_2d(
    scaled: np.ndarray, in_place: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates, 2 × d components, explained variance ratios and centre of a 2-D PCA (eigh of cov).

    ``in_place`` centres ``scaled`` itself (same values, one n × d temporary fewer).
    """
    rows, dims = scaled.shape
    center = scaled.mean(axis=0)
    centred = np.subtract(scaled, center, out=scaled if in_place else None)
    covariance = centred.T @ centred / max(rows - 1, 1)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues, kind="stable")[::-1]
    variances = np.clip(eigenvalues[order], 0.0, None)
    kept = min(2, dims)
    components = np.zeros((2, dims))
    components[:kept] = flip_signs(eigenvectors[:, order[:kept]].T)
    total = float(variances.sum())
    ratios = np.zeros(2)
    if total > 0:
        ratios[:kept] = variances[:kept] / total
    return centred @ components.T, components, ratios, center


def project(features: np.ndarray, in_place: bool = False) -> Projection:
    """Min-max scale the features, then project them on their first two principal components.

    ``in_place`` uses ``features`` as the scratch space (its values are then overwritten).
    """
    scaled, lows, highs = minmax_scale(features, in_place)
    coordinates, components, ratios, center = pca_2d(scaled, in_place=True)
    return Projection(coordinates, components, ratios, center, lows, highs)


def cluster_means(labels: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The mean of ``values`` within each cluster (NaN for empty clusters)."""
    sums = np.bincount(labels, weights=values, minlength=counts.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def cluster_ellipses(labels: np.ndarray, coordinates: np.ndarray, counts: np.ndarray) -> list[JsonDict]:
    """The 2-sigma covariance ellipse (sample covariance) of every non-empty cluster in the plane."""
    x, y = coordinates[:, 0], coordinates[:, 1]
    mean_x, mean_y = cluster_means(labels, x, counts), cluster_means(labels, y, counts)
    dx, dy = x - mean_x[labels], y - mean_y[labels]
    sxx = np.bincount(labels, weights=dx * dx, minlength=counts.size)
    syy = np.bincount(labels, weights=dy * dy, minlength=counts.size)
    sxy = np.bincount(labels, weights=dx * dy, minlength=counts.size)
    ellipses = []
    for cluster in np.flatnonzero(counts).tolist():
        denominator = counts[cluster] - 1
        rx, ry, angle = (
            covariance_ellipse(
                sxx[cluster] / denominator, syy[cluster] / denominator, sxy[cluster] / denominator
            )
            if denominator > 0
            else (0.0, 0.0, 0.0)
        )
        ellipses.append(
            {
                "cluster": cluster,
                "cx": float(mean_x[cluster]),
                "cy": float(mean_y[cluster]),
                "rx": rx,
                "ry": ry,
                "angle_deg": angle,
                "count": int(counts[cluster]),
            }
        )
    return ellipses


def cluster_centroids(labels: np.ndarray, coordinates: np.ndarray, counts: np.ndarray) -> list[JsonDict]:
    """The projected centroid (mean of projected rows) of every non-empty cluster."""
    mean_x = cluster_means(labels, coordinates[:, 0], counts)
    mean_y = cluster_means(labels, coordinates[:, 1], counts)
    return [
        {"cluster": cluster, "x": float(mean_x[cluster]), "y": float(mean_y[cluster])}
        for cluster in np.flatnonzero(counts).tolist()
    ]


def sample_quotas(sizes: np.ndarray, budget: int) -> np.ndarray:
    """Points to draw per cluster: proportional to size, but each non-empty cluster gets a floor."""
    if int(sizes.sum()) <= budget:
        return sizes.copy()
    quotas = np.zeros_like(sizes)
    nonempty = np.flatnonzero(sizes)
    if budget < nonempty.size:
        quotas[nonempty[np.argsort(-sizes[nonempty], kind="stable")[:budget]]] = 1
        return quotas
    floors = np.minimum(sizes, max(1, budget // (4 * nonempty.size)))
    rest = sizes - floors
    shares = rest * ((budget - int(floors.sum())) / int(rest.sum()))
    quotas = floors + np.floor(shares).astype(sizes.dtype)
    fractions = shares - np.floor(shares)
    by_fraction = np.lexsort((np.arange(sizes.size), -fractions))
    open_clusters = by_fraction[quotas[by_fraction] < sizes[by_fraction]]
    quotas[open_clusters[: max(0, budget - int(quotas.sum()))]] += 1
    return quotas


def sample_rows(labels: np.ndarray, max_points: int | None, k: int) -> np.ndarray:
    """Sorted positions of at most ``max_points`` rows, stratified by cluster, with a fixed seed."""
    if max_points is None or labels.size <= max_points:
        return np.arange(labels.size)
    sizes = np.bincount(labels, minlength=k)
    quotas = sample_quotas(sizes, max_points)
    # 16-bit labels sort by radix, in one pass (cluster indices never exceed MAX_CLUSTER_INDEX)
    by_cluster = np.argsort(labels.astype(np.uint16) if k <= 1 << 16 else labels, kind="stable")
    starts = np.concatenate(([0], np.cumsum(sizes)))
    chosen = []
    for cluster in np.flatnonzero(quotas).tolist():
        members = by_cluster[starts[cluster] : starts[cluster + 1]]
        generator = np.random.default_rng([SAMPLE_SEED, cluster])
        chosen.append(generator.choice(members, size=int(quotas[cluster]), replace=False))
    return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)


def own_distances(
    df: pd.DataFrame, labels: np.ndarray, columns: ResultColumns, rows: np.ndarray | None = None
) -> dict[int, np.ndarray]:
    """For each cluster with a distance column, the finite distances of its rows (of the given rows,
    else of every row) to its own centre."""
    if rows is not None:
        labels = labels[rows]
    order = np.argsort(labels, kind="stable")
    if rows is not None:
        order = rows[order]  # positions in the table
    sizes = np.bincount(labels[labels >= 0], minlength=max(columns.distances, default=-1) + 1)
    starts = np.concatenate(([0], np.cumsum(sizes))) + int(np.count_nonzero(labels < 0))
    result = {}
    for cluster, position in columns.distances.items():
        members = order[starts[cluster] : starts[cluster + 1]] if cluster < sizes.size else order[:0]
        values = float_column(df.iloc[:, position])[members]
        result[cluster] = values[np.isfinite(values)]
    return result


def distance_histograms(distances: dict[int, np.ndarray], score_kind: str = DISTANCE) -> list[JsonDict]:
    """``{cluster, count, edges, counts}`` of each cluster's scores against its own cluster (≤ 20 bins):
    distances over their own range, probabilities over [0, 1]."""
    histograms = []
    for cluster, values in distances.items():
        bins = square_root_bins(values.size)
        if score_kind == PROBABILITY:
            edges, counts = sorted_histogram_over(np.sort(values), bins, 0.0, 1.0)
        else:
            edges, counts = sorted_histogram(np.sort(values), bins)
        histograms.append(
            {
                "cluster": cluster,
                "count": int(values.size),
                "edges": edges.tolist(),
                "counts": counts.tolist(),
            }
        )
    return histograms


def projection_payload(projection: Projection, feature_names: list[str]) -> JsonDict:
    """How the plane was built: method, scaling, features, ratios, components, scaling ranges, centre."""
    return {
        "method": "pca",
        "scaling": "minmax",
        "features": feature_names,
        "explained_variance_ratio": projection.explained_variance_ratio.tolist(),
        "components": projection.components.tolist(),
        "feature_min": [finite_or_none(value) for value in projection.feature_min.tolist()],
        "feature_max": [finite_or_none(value) for value in projection.feature_max.tolist()],
        "center": projection.center.tolist(),
    }


def points_payload(coordinates: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> JsonDict:
    """Column-wise scatter points: x, y (rounded), cluster and original row position."""
    rounded = np.round(coordinates, COORDINATE_DECIMALS) + 0.0
    return {
        "x": rounded[:, 0].tolist(),
        "y": rounded[:, 1].tolist(),
        "cluster": labels.tolist(),
        "row": rows.tolist(),
    }


def cluster_visualization(
    df: pd.DataFrame,
    max_points: int | None = 5000,
    features: Sequence[str] | None = None,
    model: Any = None,
) -> JsonDict:
    """The cluster chart payload of a results table; ``max_points=None`` returns every point.

    ``model``: the trained model the same node output beside the table, if any. When its summary
    carries covariances (see :mod:`~backend.services.outputs.model_ellipses`) the ellipses are its
    components' (``ellipse_source: "model"``), else those of the points (``"points"``).
    """
    if max_points is not None and max_points < 1:
        raise ValueError("max_points must be at least 1 (or None for every point)")
    columns = result_columns(df)
    if columns is None:
        raise ValueError("the table has no Assignments column")
    labels = cluster_labels(df.iloc[:, columns.assignments])
    noise = noise_rows(df.iloc[:, columns.assignments])
    positions = feature_positions(df, features)
    feature_names = [str(df.columns[position]) for position in positions]
    assigned = labels >= 0
    complete = complete_rows(df, positions)
    k = int(max(labels.max(initial=-1), max(columns.distances, default=-1)) + 1)
    # noise rows take slot k while the chart is built (sampled like a cluster), −1 in the points
    slots = np.where(noise, k, labels)
    used_rows = np.flatnonzero((assigned | noise) & complete)
    sizes = np.bincount(labels[assigned], minlength=k)
    # the rows the chart is computed from: every charted row, or a stratified sample of a large table's
    charted = used_rows
    if max_points is not None and used_rows.size > PROJECTION_ROWS:
        charted = used_rows[sample_rows(slots[used_rows], PROJECTION_ROWS, k + 1)]
    payload: JsonDict = {
        "type": "cluster_visualization",
        "k": k,
        "n_rows": len(df),
        "n_points_total": int(used_rows.size),
        "n_excluded": len(df) - int(used_rows.size),
        "excluded": {
            "missing_assignment": int(np.count_nonzero(~(assigned | noise))),
            "missing_features": int(np.count_nonzero((assigned | noise) & ~complete)),
        },
        "noise_count": int(np.count_nonzero(noise)),
        "assignments_column": str(df.columns[columns.assignments]),
        "distance_columns": [str(df.columns[position]) for position in columns.distances.values()],
        "score_kind": columns.score_kind,
        "cluster_sizes": [
            {"cluster": cluster, "count": int(count)} for cluster, count in enumerate(sizes.tolist())
        ],
        "distance_histograms": distance_histograms(
            own_distances(df, labels, columns, None if charted is used_rows else charted),
            columns.score_kind,
        ),
        "ellipse_sigma": ELLIPSE_SIGMA,
        "max_points": max_points,
        "projection_rows": int(charted.size),
        "message": None,
    }
    if not positions or used_rows.size == 0:
        payload.update(
            projection=None,
            points={"x": [], "y": [], "cluster": [], "row": []},
            sampled=False,
            centroids=[],
            ellipses=[],
            ellipse_source="points",
            message="no numeric feature columns to chart"
            if not positions
            else "no row has both an assignment and every feature",
        )
        return payload
    used_slots = slots[charted]
    # the matrix is this function's own: scaled in place
    matrix = feature_matrix(df, positions, None if charted.size == len(df) else charted)
    projection = project(matrix, in_place=True)
    sample = sample_rows(used_slots, max_points, k + 1)
    in_cluster = used_slots < k  # noise is in no centroid or ellipse
    used_labels, clustered = used_slots[in_cluster], projection.coordinates[in_cluster]
    used_counts = np.bincount(used_labels, minlength=k)
    point_labels = np.where(used_slots[sample] == k, NOISE_LABEL, used_slots[sample])
    payload.update(
        projection=projection_payload(projection, feature_names),
        points=points_payload(projection.coordinates[sample], point_labels, charted[sample]),
        sampled=bool(sample.size < used_rows.size),
        centroids=cluster_centroids(used_labels, clustered, used_counts),
        ellipses=cluster_ellipses(used_labels, clustered, used_counts),
        ellipse_source="points",
    )
    if model is not None:
        ellipses = projected_model_ellipses(
            model,
            feature_names,
            projection.feature_min,
            projection.feature_max,
            projection.components,
            projection.center,
            sizes,
            ELLIPSE_SIGMA,
        )
        if ellipses is not None:
            payload.update(ellipses=ellipses, ellipse_source="model")
    return payload
