"""The pairwise kernel of the exact silhouette (modules/silhouette.py): every row's summed Euclidean
distance to the rows of each cluster, computed directly (no ‖x‖² + ‖y‖² − 2x·y expansion, so no
cancellation), rows in parallel. X is small (at most a few thousand rows): it stays in cache."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def cluster_distance_sums(X, codes, out):
    """``out[i, g]`` = the sum of the distances from row i to the rows j with ``codes[j] == g``."""
    n, d = X.shape
    groups = out.shape[1]
    for i in prange(n):
        for g in range(groups):
            out[i, g] = 0.0
        for j in range(n):
            total = 0.0
            for f in range(d):
                diff = X[i, f] - X[j, f]
                total += diff * diff
            out[i, codes[j]] += np.sqrt(total)


@njit(parallel=True, cache=True)
def simplified_silhouette_rows(X, codes, centroids, out):
    """``out[i]`` = (b − a) / max(a, b): a = row i's distance to its centroid, b = to the nearest other
    (0 when both are 0)."""
    n, d = X.shape
    groups = centroids.shape[0]
    for i in prange(n):
        own = codes[i]
        a = 0.0
        b = np.inf
        for g in range(groups):
            total = 0.0
            for f in range(d):
                diff = X[i, f] - centroids[g, f]
                total += diff * diff
            distance = np.sqrt(total)
            if g == own:
                a = distance
            elif distance < b:
                b = distance
        top = max(a, b)
        out[i] = (b - a) / top if top > 0 else 0.0
