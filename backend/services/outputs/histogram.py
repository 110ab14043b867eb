"""Equal-width histograms of already sorted values (same bins as ``numpy.histogram``)."""

from __future__ import annotations

import math

import numpy as np

MAX_BINS = 20


def equal_width_edges(low: float, high: float, bins: int) -> np.ndarray:
    """``bins + 1`` equal-width edges over [low, high]; a single value gets the unit bin around it."""
    if low == high:
        return np.array([low - 0.5, high + 0.5])
    return np.linspace(low, high, bins + 1)


def sorted_histogram(sorted_values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges and counts of sorted finite values, bins half-open except the last (like numpy)."""
    if sorted_values.size == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    low, high = float(sorted_values[0]), float(sorted_values[-1])
    edges = equal_width_edges(low, high, 1 if low == high else max(1, bins))
    inner = np.searchsorted(sorted_values, edges[1:-1], side="left")
    bounds = np.concatenate(([0], inner, [sorted_values.size]))
    return edges, np.diff(bounds)


def sorted_histogram_over(
    sorted_values: np.ndarray, bins: int, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """Edges and counts of sorted finite values in [low, high] over ``bins`` equal-width bins of that
    fixed range (a probability's [0, 1]), bins half-open except the last (like numpy)."""
    edges = np.linspace(low, high, max(1, bins) + 1)
    if sorted_values.size == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    inner = np.searchsorted(sorted_values, edges[1:-1], side="left")
    bounds = np.concatenate(([0], inner, [sorted_values.size]))
    return edges, np.diff(bounds)


def square_root_bins(count: int, max_bins: int = MAX_BINS) -> int:
    """The square-root rule for the number of bins, capped at ``max_bins``."""
    return max(1, min(max_bins, math.ceil(math.sqrt(count))))


def histogram_payload(values: np.ndarray, bins: int) -> dict[str, list[float] | list[int]]:
    """``{edges, counts}`` of the finite values (unsorted input), at most ``bins`` bins."""
    finite = np.sort(values[np.isfinite(values)])
    edges, counts = sorted_histogram(finite, bins)
    return {"edges": edges.tolist(), "counts": counts.tolist()}
