"""The views of a clustering result in the browser: profiles (what sets each Iris cluster apart, the
feature table, the CSV, agreement with the species) and the silhouette plot; how long each view takes on a
100,000-row result is reported, never asserted; two runs of one experiment compare with their ARI."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from sklearn.preprocessing import MinMaxScaler

from tests.e2e import test_visualize
from tests.e2e.e2e_helpers import (
    clustering_graph,
    create_experiment,
    open_tab,
    output_url,
    record,
    run_to_success,
)

pytestmark = pytest.mark.e2e

# The Iris and 100k-row runs of the visualize tests (module fixtures: run once for this module too).
runs = test_visualize.runs
signed_in = test_visualize.signed_in


def test_iris_profiles_say_what_sets_each_cluster_apart(
    signed_in: Page,
    runs: dict[str, Any],
    screenshot: Callable[[str], Path],
) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "assign", "results_dataset"))
    expect(page.get_by_role("tab", name="Clusters", selected=True)).to_be_visible()
    shown_ms = open_tab(page, "Profiles", "profile-view")
    record("profile_view_150_rows", {"shown_ms": round(shown_ms)})

    cards = page.get_by_test_id("profile-card")
    expect(cards).to_have_count(3)
    # Species is the label K-Means never saw: on Iris one cluster is exactly the setosas.
    expect(page.get_by_test_id("profile-distinctions")).to_contain_text("species = setosa")
    expect(page.get_by_test_id("profile-distinctions")).to_contain_text("100% of the cluster vs 0% elsewhere")
    expect(page.get_by_test_id("profile-distinctions")).to_contain_text("petal_length is lower")
    table = page.get_by_test_id("profile-table")
    expect(table.locator("tbody tr")).to_have_count(5)  # four measurements and the species
    expect(table.locator("thead th")).to_have_count(2 + 3)
    expect(table.get_by_role("img", name="petal_length, Cluster 0")).to_be_visible()

    # Agreement with the species column: the scores are scikit-learn's on the same table.
    page.get_by_test_id("agreement-label").select_option("species")
    scores = page.get_by_test_id("agreement-metrics")
    expect(scores).to_contain_text("Adjusted Rand index")
    results = page.request.get(
        f"/api/runs/{runs['iris']}/nodes/assign/outputs/results_dataset/download?format=csv"
    ).text()
    table = list(csv.DictReader(io.StringIO(results)))
    ari = adjusted_rand_score([r["species"] for r in table], [r["Assignments"] for r in table])
    expect(scores.locator(".agreement-metric").first).to_contain_text(f"{ari:.3g}")
    expect(page.get_by_test_id("contingency-table").locator("tbody td")).to_have_count(9)
    screenshot("profiles-iris")

    with page.expect_download() as download:
        page.get_by_test_id("profile-download").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith("-profiles.csv")
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text())))
    assert {row["Cluster"] for row in rows} == {"0", "1", "2"}
    setosa = [row for row in rows if row["Feature"] == "species" and row["Value"] == "setosa"]
    assert sorted(float(row["Share in cluster"]) for row in setosa)[-1] == 1.0


def test_profiles_of_a_100k_row_result_say_they_are_sampled(
    signed_in: Page,
    runs: dict[str, Any],
    screenshot: Callable[[str], Path],
) -> None:
    page = signed_in
    page.goto(output_url(runs["big"], "assign", "results_dataset"))
    expect(page.get_by_role("tab", name="Clusters", selected=True)).to_be_visible()
    shown_ms = open_tab(page, "Profiles", "profile-view")
    record("profile_view_100k_rows", {"shown_ms": round(shown_ms)})
    expect(page.get_by_test_id("profile-card")).to_have_count(5)
    expect(page.get_by_test_id("profile-notes")).to_contain_text("statistics from a sample of 50,000 rows")
    screenshot("profiles-100k")


def test_iris_silhouette_plot_and_worst_rows(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(runs["iris"], "assign", "results_dataset"))
    expect(page.get_by_role("tab", name="Clusters", selected=True)).to_be_visible()
    record("silhouette_view_150_rows", {"shown_ms": round(open_tab(page, "Silhouette", "silhouette-view"))})
    results = page.request.get(
        f"/api/runs/{runs['iris']}/nodes/assign/outputs/results_dataset/download?format=csv"
    ).text()
    table = pd.read_csv(io.StringIO(results))
    features = table[["sepal_length", "sepal_width", "petal_length", "petal_width"]]
    mean = silhouette_samples(MinMaxScaler().fit_transform(features), table["Assignments"]).mean()
    chart = page.get_by_test_id("silhouette-chart")
    expect(chart).to_have_attribute("data-bands", "3")
    expect(chart).to_have_attribute("data-rows", "150")
    expect(page.get_by_test_id("silhouette-mean")).to_have_text(f"mean {mean:.3g}")
    expect(page.get_by_test_id("silhouette-note")).to_contain_text("exact on all 150 rows")
    page.get_by_role("button", name=re.compile(r"^Cluster 2 · mean")).click()
    worst = page.get_by_test_id("worst-rows")
    expect(worst.locator("tbody tr")).to_have_count(10)
    expect(worst).to_contain_text("Cluster 2")
    screenshot("silhouette-iris")


def test_silhouette_of_a_100k_row_result_is_exact_on_a_sample(
    signed_in: Page, runs: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    page = signed_in
    page.goto(output_url(runs["big"], "assign", "results_dataset"))
    expect(page.get_by_role("tab", name="Clusters", selected=True)).to_be_visible()
    record("silhouette_view_100k_rows", {"shown_ms": round(open_tab(page, "Silhouette", "silhouette-view"))})
    expect(page.get_by_test_id("silhouette-chart")).to_have_attribute("data-rows", "5000")
    expect(page.get_by_test_id("silhouette-note")).to_contain_text(
        "exact on a sample of 5,000 of 100,000 rows, drawn by cluster"
    )
    screenshot("silhouette-100k")


def test_two_runs_compare_with_their_ari(signed_in: Page, screenshot: Callable[[str], Path]) -> None:
    page = signed_in
    graph = clustering_graph("sample-iris", 3, sweep=False)
    experiment_id = create_experiment(page, "Compare k", graph)
    first = run_to_success(page, experiment_id)
    graph["nodes"][1]["params"]["n_clusters"] = 4
    saved = page.request.put(f"/api/experiments/{experiment_id}", data={"graph": graph, "version": 1})
    assert saved.ok, saved.text()
    second = run_to_success(page, experiment_id)

    page.goto(output_url(second, "train", "results_dataset"))
    expect(page.get_by_role("tab", name="Clusters", selected=True)).to_be_visible()
    record("compare_view_150_rows", {"shown_ms": round(open_tab(page, "Compare runs", "compare-result"))})
    expect(page.get_by_test_id("compare-run")).to_have_value(str(first))
    expect(page.get_by_test_id("compare-parameters").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("compare-parameters")).to_contain_text("n_clusters")

    def assignments(run_id: int) -> list[int]:
        url = f"/api/runs/{run_id}/nodes/train/outputs/results_dataset/download?format=csv"
        return pd.read_csv(io.StringIO(page.request.get(url).text()))["Assignments"].tolist()

    ari = adjusted_rand_score(assignments(first), assignments(second))
    tiles = page.get_by_test_id("agreement-metrics")
    expect(tiles.locator(".agreement-metric").first).to_contain_text(f"{ari:.3g}")
    expect(page.get_by_test_id("contingency-table").locator("tbody tr")).to_have_count(4)  # k = 4 in this run
    expect(page.get_by_test_id("contingency-table").locator("thead th")).to_have_count(
        1 + 3
    )  # k = 3 in the other
    screenshot("compare-runs")
