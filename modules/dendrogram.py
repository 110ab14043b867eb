"""The dendrogram a model view may show: a model's ``summary()`` carries ``dendrogram`` (built here from
a SciPy linkage matrix) and the trained-model view draws it with the cut line, whatever the algorithm.

The payload is SciPy's ``dendrogram(no_plot=True)`` geometry (leaf i at x = 10·i + 5, heights as merge
distances) with, for big trees, only the last merges (``truncate_mode="lastp"``) and a note saying so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["MAX_DENDROGRAM_LEAVES", "dendrogram_view"]

#: The most leaves a dendrogram shows; a bigger tree shows its last merges above that many groups.
MAX_DENDROGRAM_LEAVES = 50


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def dendrogram_view(
    linkage: np.ndarray,
    *,
    cut_height: float | None,
    labels: np.ndarray | None = None,
    max_leaves: int = MAX_DENDROGRAM_LEAVES,
) -> dict[str, Any]:
    """The ``dendrogram`` extra of a model summary (strict JSON) for a SciPy linkage matrix of n rows.

    ``{icoord, dcoord}``: one U-shaped link per merge shown (4 x and 4 y values each, SciPy's order);
    ``leaves``: each shown leaf's id (< n: a row, else the group formed by merge id − n);
    ``leaf_labels``: SciPy's (the row's index, or "(count)" for a group); ``leaf_counts``: rows under
    each leaf; ``leaf_clusters``: with ``labels`` (each row's cluster), the cluster of each leaf's rows
    (None when they span more than one); ``truncated``: ``{shown, of}`` merges when the tree has more
    than ``max_leaves`` leaves, else None; ``cut_height``: where the tree is cut into clusters.
    """
    from scipy.cluster.hierarchy import dendrogram

    Z = np.asarray(linkage, dtype=np.float64)
    n = Z.shape[0] + 1
    truncate = n > max_leaves
    tree = dendrogram(
        Z,
        no_plot=True,
        truncate_mode="lastp" if truncate else None,
        p=max_leaves if truncate else 30,
        count_sort=False,
        distance_sort=False,
    )
    leaves = [int(leaf) for leaf in tree["leaves"]]
    counts = [1 if leaf < n else int(Z[leaf - n, 3]) for leaf in leaves]
    out: dict[str, Any] = {
        "icoord": [[float(x) for x in link] for link in tree["icoord"]],
        "dcoord": [[_finite(y) for y in link] for link in tree["dcoord"]],
        "leaves": leaves,
        "leaf_labels": [str(label) for label in tree["ivl"]],
        "leaf_counts": counts,
        "n_rows": n,
        "truncated": {"shown": len(leaves) - 1, "of": n - 1} if truncate else None,
        "cut_height": None if cut_height is None else _finite(cut_height),
    }
    if labels is not None:
        out["leaf_clusters"] = _leaf_clusters(Z, np.asarray(labels), leaves)
    return out


def _leaf_clusters(Z: np.ndarray, labels: np.ndarray, leaves: list[int]) -> list[int | None]:
    """The cluster of every row under each leaf, or None when the rows under it are in several."""
    n = len(labels)
    node = np.empty(2 * n - 1, dtype=np.int64)
    node[:n] = labels
    for i, (a, b) in enumerate(Z[:, :2].astype(np.int64)):  # children always come before their parent
        node[n + i] = node[a] if node[a] == node[b] else -1
    return [None if node[leaf] < 0 else int(node[leaf]) for leaf in leaves]
