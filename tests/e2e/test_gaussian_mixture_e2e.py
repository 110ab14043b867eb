"""A Gaussian mixture in a real browser: Sweep Clustering picks the number of components by BIC (the k
scikit-learn's own BIC prefers), and the cluster chart of the winner's results draws the mixture's
component ellipses and the probability of each row's own cluster.

The experiment is created and run through the API with the browser's session cookie; the test opens
the standalone output pages. Screenshots: tests/e2e/screenshots/gaussian-mixture-*.png.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect
from sklearn.mixture import GaussianMixture

from modules.samples import load_sample
from tests import graphs
from tests.e2e.e2e_helpers import output_url, run_new_experiment, signed_up_page, wait_rendered

pytestmark = pytest.mark.e2e

KS = range(2, 7)


GRAPH = {
    "nodes": [
        graphs.node("data", "dataset", dataset_id="sample-iris"),
        graphs.node(
            "gmm", "gaussian_mixture_clustering", trainer_mode="range", n_components_range="2-6", seed=0
        ),
        graphs.node("sweep", "sweep_clustering", sweep_mode="grid", sweep_metric="bic"),
    ],
    "edges": [
        graphs.edge("gmm", "untrained_model", "sweep", "untrained_model"),
        graphs.edge("data", "dataset", "sweep", "dataset"),
    ],
}


def best_k_by_bic() -> int:
    """scikit-learn's choice on the same (min-max normalised) Iris features and seed."""
    X = load_sample("sample-iris").select_dtypes("number").to_numpy(dtype=np.float64)
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    bic = {k: GaussianMixture(k, random_state=0).fit(X).bic(X) for k in KS}
    return min(bic, key=lambda k: bic[k])


@pytest.fixture(scope="module")
def run(browser: Browser, server_url: str) -> Iterator[dict[str, Any]]:
    with signed_up_page(browser, server_url) as page:
        run_id = run_new_experiment(page, "Iris mixture", GRAPH)
        yield {"cookies": page.context.cookies(), "run": run_id}


@pytest.fixture
def signed_in(page: Page, run: dict[str, Any]) -> Page:
    page.context.add_cookies(run["cookies"])
    return page


def test_sweep_picks_the_number_of_components_by_bic(
    signed_in: Page, run: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(run["run"], "sweep", "sweep_results"))
    wait_rendered(page, "sweep-chart")
    chart = page.get_by_test_id("sweep-chart")
    expect(chart).to_have_attribute("data-metric", "BIC")
    expect(chart).to_have_attribute("data-ks", str(len(KS)))
    expect(page.get_by_test_id("direction-note")).to_have_text("↓ Lower is better")
    expected = best_k_by_bic()
    expect(chart).to_have_attribute("data-best-k", str(expected))
    expect(page.get_by_test_id("best-note")).to_contain_text(f"k = {expected}")
    screenshot("gaussian-mixture-sweep")
    page.get_by_text("AIC", exact=True).click()
    expect(chart).to_have_attribute("data-metric", "AIC")


def test_the_cluster_chart_draws_the_mixtures_ellipses(
    signed_in: Page, run: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(run["run"], "sweep", "results_dataset"))
    wait_rendered(page, "cluster-chart")
    k = best_k_by_bic()
    chart = page.get_by_test_id("cluster-chart")
    expect(chart).to_have_attribute("data-ellipse-source", "model")
    expect(chart).to_have_attribute("data-ellipses", str(k))
    expect(chart).to_have_attribute("data-points", "150")
    expect(page.get_by_test_id("ellipse-source")).to_contain_text("the model's components")
    expect(page.get_by_role("heading", name="Probability of own cluster")).to_be_visible()
    wait_rendered(page, "distance-histograms")
    expect(page.get_by_test_id("distance-histograms")).to_have_attribute("data-panels", str(k))
    screenshot("gaussian-mixture-clusters")
