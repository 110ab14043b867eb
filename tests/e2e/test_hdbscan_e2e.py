"""HDBSCAN in a real browser: a moons-shaped table with a few uniform noise rows, uploaded as a CSV →
HDBSCAN Clustering → Train, run through the API; the results' cluster chart shows two clusters and the
noise in grey, counted in the legend ("Noise (n)") — the counts scikit-learn's own HDBSCAN gives on the
same (min-max normalised) rows. Screenshot: tests/e2e/screenshots/hdbscan-moons.png.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from sklearn.cluster import HDBSCAN
from sklearn.datasets import make_moons

from tests.e2e.e2e_helpers import (
    output_url,
    run_new_experiment,
    sign_up_and_sign_in,
    trained_by,
    wait_rendered,
)

pytestmark = pytest.mark.e2e

MIN_CLUSTER_SIZE = 15


def moons_with_noise() -> pd.DataFrame:
    """300 rows on two moons and 20 drawn uniformly over (a little beyond) their bounding box."""
    moons = make_moons(n_samples=300, noise=0.06, random_state=3)[0]
    rng = np.random.default_rng(3)
    noise = rng.uniform(moons.min(axis=0) - 0.3, moons.max(axis=0) + 0.3, size=(20, 2))
    return pd.DataFrame(np.vstack([moons, noise]).round(6), columns=["x", "y"])


def expected_labels(df: pd.DataFrame) -> np.ndarray:
    X = df.to_numpy(dtype=np.float64)
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    return np.asarray(HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, copy=True).fit(X).labels_)


def upload(page: Page, df: pd.DataFrame) -> str:
    buffer = io.StringIO()
    df.to_csv(buffer, index=False)
    uploaded = page.request.post(
        "/api/datasets",
        multipart={
            "file": {"name": "moons.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}
        },
    )
    assert uploaded.status == 201, uploaded.text()
    return str(uploaded.json()["id"])


def test_hdbscan_on_moons_shows_two_clusters_and_grey_noise(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    df = moons_with_noise()
    labels = expected_labels(df)
    noise = int(np.count_nonzero(labels == -1))
    sizes = np.bincount(labels[labels >= 0]).tolist()
    assert len(sizes) == 2 and noise > 0  # the data is what the test says it is

    sign_up_and_sign_in(page)
    graph = trained_by(upload(page, df), "density", "hdbscan_clustering", min_cluster_size=MIN_CLUSTER_SIZE)
    run_id = run_new_experiment(page, "Moons by density", graph)
    model = page.request.get(f"/api/runs/{run_id}/nodes/train/outputs/trained_model").json()
    assert model["k"] == 2 and model["noise_count"] == noise and model["cluster_sizes"] == sizes

    page.goto(output_url(run_id, "train", "results_dataset"))
    wait_rendered(page, "cluster-chart")
    chart = page.get_by_test_id("cluster-chart")
    expect(chart).to_have_attribute("data-clusters", "2")
    expect(chart).to_have_attribute("data-noise", str(noise))
    expect(chart).to_have_attribute("data-points", str(len(df)))
    expect(chart).to_have_attribute(
        "aria-label",
        f"Scatter of {len(df)} points in 2 clusters and {noise} noise rows (grey) on the first two principal components, with centroids and 2 ellipses",
    )  # noqa: E501

    legend = page.get_by_test_id("legend-item")
    expect(legend).to_have_count(3)
    expect(legend.nth(0)).to_contain_text("Cluster 0")
    expect(legend.nth(1)).to_contain_text("Cluster 1")
    noise_item = page.get_by_role("button", name=f"Noise ({noise})")
    expect(noise_item).to_be_visible()
    swatches = [
        item.locator(".legend-swatch").evaluate("e => getComputedStyle(e).backgroundColor")
        for item in legend.all()
    ]
    for swatch, grey in zip(swatches, (False, False, True), strict=True):
        # grey: the three channels (nearly) equal; the cluster colours are saturated
        red, green, blue = (int(v) for v in swatch[swatch.index("(") + 1 : swatch.index(")")].split(",")[:3])
        assert (max(red, green, blue) - min(red, green, blue) <= 32) == grey, swatches
    expect(page.get_by_test_id("noise-fact")).to_contain_text(str(noise))
    chart.scroll_into_view_if_needed()
    screenshot("hdbscan-moons")
