"""The covariance ellipses of a model's components in the cluster chart's plane.

A model whose ``summary()`` carries ``covariances`` (one d × d matrix per cluster, in the model's
feature space) and ``means`` (or ``centroids``) describes each cluster as a Gaussian. The chart's plane
is a PCA of its features min-max scaled over the charted rows; the model's space is the same numeric
columns, min-max scaled over the training rows when it normalises. Both scalings are affine, so a
component N(μ, Σ) lands in the plane as N(P (A μ + b − c), P A Σ Aᵀ Pᵀ), with A, b the map from the
model's space to the chart's scaled features, P the two principal components and c their centre.

That holds only when the model's features are exactly the chart's numeric features (no one-hot,
date or boolean features, none left out of either); otherwise the chart keeps the ellipses of its
points' own covariances.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backend.services.outputs.jsonsafe import JsonDict

#: The chart's ellipses are this many standard deviations wide (of the points', or the model's).
ELLIPSE_SIGMA = 2.0


def covariance_ellipse(
    xx: float, yy: float, xy: float, sigma: float = ELLIPSE_SIGMA
) -> tuple[float, float, float]:
    """Semi-axes (major, minor) and the major axis's angle in degrees (ccw from +x) of a 2×2 covariance."""
    half_trace = (xx + yy) / 2
    radius = float(np.hypot((xx - yy) / 2, xy))
    major, minor = half_trace + radius, max(half_trace - radius, 0.0)
    angle = 0.5 * np.degrees(np.arctan2(2 * xy, xx - yy)) if radius > 0 else 0.0
    return sigma * float(np.sqrt(max(major, 0.0))), sigma * float(np.sqrt(minor)), float(angle)


def model_gaussians(model: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """``(means (k, d), covariances (k, d, d))`` from a trained model's summary, or None without them."""
    summary = model.model.summary()
    covariances, means = summary.get("covariances"), summary.get("means", summary.get("centroids"))
    if covariances is None or means is None:
        return None
    try:
        mu = np.asarray(means, dtype=np.float64)
        sigma = np.asarray(covariances, dtype=np.float64)
    except (TypeError, ValueError):  # a null (non-finite) entry
        return None
    k, d = mu.shape if mu.ndim == 2 else (0, 0)
    if k == 0 or sigma.shape != (k, d, d) or not (np.isfinite(mu).all() and np.isfinite(sigma).all()):
        return None
    return mu, sigma


def model_to_chart_map(
    model: Any, feature_names: list[str], feature_min: np.ndarray, feature_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(A (d, d), b (d,))`` with chart-scaled features = A · model features + b, or None when the
    model's features are not exactly the chart's numeric features."""
    space = model.features
    names = space.names
    if any(column.kind != "numeric" for column in space.columns) or sorted(names) != sorted(feature_names):
        return None
    d = len(names)
    norm_min = np.zeros(d) if space.norm_min is None else np.asarray(space.norm_min, dtype=np.float64)
    norm_scale = np.ones(d) if space.norm_scale is None else np.asarray(space.norm_scale, dtype=np.float64)
    # the chart's min-max scaling (a constant column: span 1, as minmax_scale does)
    spans = np.where(feature_max > feature_min, feature_max - feature_min, 1.0)
    A, b = np.zeros((d, d)), np.zeros(d)
    for i, name in enumerate(names):
        chart = feature_names.index(name)
        # raw = model value · norm_scale + norm_min; chart value = (raw − feature_min) / span
        A[chart, i] = norm_scale[i] / spans[chart]
        b[chart] = (norm_min[i] - feature_min[chart]) / spans[chart]
    return A, b


def projected_model_ellipses(
    model: Any,
    feature_names: list[str],
    feature_min: np.ndarray,
    feature_max: np.ndarray,
    components: np.ndarray,
    center: np.ndarray,
    counts: np.ndarray,
    sigma: float,
) -> list[JsonDict] | None:
    """Each component's ``sigma`` ellipse in the plane, in the chart's ellipse form, or None when the
    model has no covariances or its features are not the chart's (see the module docstring)."""
    gaussians = model_gaussians(model)
    mapping = model_to_chart_map(model, feature_names, feature_min, feature_max)
    if gaussians is None or mapping is None:
        return None
    (means, covariances), (A, b) = gaussians, mapping
    PA = components @ A  # (2, d): model space → plane
    ellipses = []
    for cluster in range(means.shape[0]):
        cx, cy = PA @ means[cluster] + components @ (b - center)
        plane = PA @ covariances[cluster] @ PA.T
        rx, ry, angle = covariance_ellipse(plane[0, 0], plane[1, 1], plane[0, 1], sigma)
        ellipses.append(
            {
                "cluster": cluster,
                "cx": float(cx),
                "cy": float(cy),
                "rx": rx,
                "ry": ry,
                "angle_deg": angle,
                "count": int(counts[cluster]) if cluster < counts.size else 0,
            }
        )
    return ellipses
