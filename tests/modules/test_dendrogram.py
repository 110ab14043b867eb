"""The dendrogram extra of a model summary (modules.dendrogram), on a tree worked out by hand.

Rows x = 0, 1, 3.5, 10, 12 under single linkage merge: rows 0 and 1 at 1 (group 5), rows 3 and 4 at 2
(group 6), row 2 with group 5 at 2.5 (group 7), groups 6 and 7 at 6.5. SciPy draws the first child of
a merge on the left and leaf i at x = 10·i + 5, so the leaves read 3, 4, 2, 0, 1.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import linkage

from modules.dendrogram import dendrogram_view

X = np.array([[0.0], [1.0], [3.5], [10.0], [12.0]])
Z = linkage(X, method="single")


def links(view: dict[str, Any]) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    return sorted((tuple(x), tuple(y)) for x, y in zip(view["icoord"], view["dcoord"], strict=True))


def test_the_whole_tree() -> None:
    view = dendrogram_view(Z, cut_height=4.0, labels=np.array([0, 0, 0, 1, 1]))
    assert links(view) == [
        ((5.0, 5.0, 15.0, 15.0), (0.0, 2.0, 2.0, 0.0)),  # rows 3, 4
        ((10.0, 10.0, 32.5, 32.5), (2.0, 6.5, 6.5, 2.5)),  # the last merge
        ((25.0, 25.0, 40.0, 40.0), (0.0, 2.5, 2.5, 1.0)),  # row 2 with rows 0, 1
        ((35.0, 35.0, 45.0, 45.0), (0.0, 1.0, 1.0, 0.0)),  # rows 0, 1
    ]
    assert view["leaves"] == [3, 4, 2, 0, 1] and view["leaf_labels"] == ["3", "4", "2", "0", "1"]
    assert view["leaf_counts"] == [1, 1, 1, 1, 1] and view["leaf_clusters"] == [1, 1, 0, 0, 0]
    assert view["truncated"] is None and view["cut_height"] == 4.0 and view["n_rows"] == 5
    json.dumps(view, allow_nan=False)  # strict JSON


def test_a_big_tree_shows_its_last_merges_and_says_so() -> None:
    view = dendrogram_view(Z, cut_height=None, labels=np.array([0, 0, 1, 2, 2]), max_leaves=3)
    assert view["leaves"] == [6, 2, 5] and view["leaf_labels"] == ["(2)", "2", "(2)"]
    assert view["leaf_counts"] == [2, 1, 2] and view["leaf_clusters"] == [2, 1, 0]
    assert view["truncated"] == {"shown": 2, "of": 4} and view["cut_height"] is None
    assert links(view) == [
        ((5.0, 5.0, 20.0, 20.0), (0.0, 6.5, 6.5, 2.5)),
        ((15.0, 15.0, 25.0, 25.0), (0.0, 2.5, 2.5, 0.0)),
    ]


def test_a_leaf_whose_rows_span_clusters_has_none() -> None:
    view = dendrogram_view(Z, cut_height=None, labels=np.array([0, 1, 2, 3, 3]), max_leaves=3)
    assert view["leaf_clusters"] == [3, 2, None]
    assert "leaf_clusters" not in dendrogram_view(Z, cut_height=None)
