"""The default cluster chart of a large table is computed from a stratified sample of its rows."""

from __future__ import annotations

import numpy as np

from backend.services.outputs import cluster_visualization
from backend.services.outputs.clusters import PROJECTION_ROWS
from tests.services.test_outputs import blobs, results_table


def test_a_large_tables_chart_is_computed_from_a_stratified_sample_and_says_so() -> None:
    features, labels = blobs(120_000, 5, seed=13)
    labels = labels.copy()
    labels[[5000, 7000]] = 5  # a tiny cluster keeps its place in the sample
    df = results_table(features, labels)
    df.iloc[:1000, 0] = np.nan  # excluded rows are counted over every row
    sampled = cluster_visualization(df, max_points=5000)
    every = cluster_visualization(df, max_points=None)
    assert sampled["projection_rows"] == PROJECTION_ROWS and sampled["n_points_total"] == 119_000
    assert every["projection_rows"] == every["n_points_total"] == 119_000
    for key in ("cluster_sizes", "excluded", "n_excluded", "k"):
        assert sampled[key] == every[key]
    assert sum(h["count"] for h in sampled["distance_histograms"]) == PROJECTION_ROWS
    assert {h["cluster"] for h in sampled["distance_histograms"] if h["count"]} == set(range(6))
    # the sample draws the same picture: the same plane, the centroids within 2 % of the chart's width
    same = np.abs(
        np.sum(np.array(sampled["projection"]["components"]) * every["projection"]["components"], 1)
    )
    assert same.min() > 0.995
    width = np.ptp(every["points"]["x"]), np.ptp(every["points"]["y"])
    for ours, full in zip(sampled["centroids"], every["centroids"], strict=True):
        assert ours["cluster"] == full["cluster"]
        assert abs(ours["x"] - full["x"]) < 0.02 * width[0] and abs(ours["y"] - full["y"]) < 0.02 * width[1]
    rows = np.array(sampled["points"]["row"])
    assert len(rows) == 5000 and (np.diff(rows) > 0).all()
    np.testing.assert_array_equal(labels[rows], sampled["points"]["cluster"])
