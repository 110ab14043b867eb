"""A Gaussian mixture in a real browser: Sweep Clustering picks the number of components by BIC (the k
scikit-learn's own BIC prefers), and the cluster chart of the winner's results draws the mixture's
component ellipses and the probability of each row's own cluster.

The experiment is created and run through the API with the browser's session cookie; the test opens
the standalone output pages. Screenshots: tests/e2e/screenshots/gaussian-mixture-*.png.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect
from sklearn.mixture import GaussianMixture

from modules.samples import load_sample
from tests.e2e.conftest import VIEWPORT
from tests.e2e.e2e_helpers import sign_up_and_sign_in

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_S = 120.0
KS = range(2, 7)


def node(node_id: str, module: str, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "module": module, "params": params, "position": {"x": 0, "y": 0}}


def edge(source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": f"{source}-{target}-{target_port}",
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


GRAPH = {
    "nodes": [
        node("data", "dataset", dataset_id="sample-iris"),
        node("gmm", "gaussian_mixture_clustering", trainer_mode="range", n_components_range="2-6", seed=0),
        node("sweep", "sweep_clustering", sweep_mode="grid", sweep_metric="bic"),
    ],
    "edges": [
        edge("gmm", "untrained_model", "sweep", "untrained_model"),
        edge("data", "dataset", "sweep", "dataset"),
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
    context = browser.new_context(base_url=server_url, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_up_and_sign_in(page)
        created = page.request.post("/api/experiments", data={"name": "Iris mixture", "graph": GRAPH})
        assert created.status == 201, created.text()
        started = page.request.post(f"/api/experiments/{created.json()['id']}/runs")
        assert started.status == 202, started.text()
        run_id = int(started.json()["id"])
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while time.monotonic() < deadline:
            status = page.request.get(f"/api/runs/{run_id}").json()["status"]
            if status not in ("queued", "running"):
                assert status == "succeeded"
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"run {run_id} did not finish within {RUN_TIMEOUT_S:.0f} s")
        yield {"cookies": context.cookies(), "run": run_id}
    finally:
        context.close()


@pytest.fixture
def signed_in(page: Page, run: dict[str, Any]) -> Page:
    page.context.add_cookies(run["cookies"])
    return page


def output_url(run_id: int, node_id: str, port: str) -> str:
    return f"/runs/{run_id}/nodes/{node_id}/outputs/{port}"


def wait_rendered(page: Page, test_id: str) -> None:
    page.wait_for_selector(f"[data-testid='{test_id}'][data-rendered='true']", timeout=15_000)


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
