"""The experiment as a Python script, from the editor's menu: the downloaded script, run by a separate
Python, gives the assignments the studio's run gave."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests import graphs
from tests.e2e.e2e_helpers import new_experiment, node, sign_up_and_sign_in
from tests.e2e.test_models import RUN_TIMEOUT_MS, column, output_rows

pytestmark = pytest.mark.e2e


def test_the_exported_script_reruns_the_experiment_outside_the_studio(
    page: Page, tmp_path: Path, screenshot: Callable[[str], Path]
) -> None:
    sign_up_and_sign_in(page)
    experiment_id = new_experiment(page, "Iris by script", graphs.iris_graph("sample-iris"))
    page.get_by_role("button", name="Run", exact=True).click()
    # Another test may have run the same graph on the same sample: its outputs are then reused.
    finished = re.compile("^(succeeded|cached)$")
    expect(node(page, "sweep_clustering")).to_have_attribute("data-status", finished, timeout=RUN_TIMEOUT_MS)
    expect(node(page, "assign_data_to_clusters")).to_have_attribute("data-status", finished)
    run_id = page.request.get(f"/api/experiments/{experiment_id}").json()["last_run"]["id"]

    page.get_by_role("button", name="More actions").click()
    with page.expect_download() as download:
        page.get_by_role("menuitem", name="Export as Python script").click()
    assert download.value.suggested_filename == "iris_by_script.py"
    script = tmp_path / "iris_by_script.py"
    download.value.save_as(script)
    expect(page.get_by_test_id("toast").filter(has_text="Exported iris_by_script.py")).to_be_visible()
    screenshot("script-exported")

    done = subprocess.run(
        [sys.executable, str(script), "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for node_id in ("assign", "train"):
        studio = column(output_rows(page, run_id, node_id, "results_dataset"), "Assignments")
        scripted = pd.read_csv(tmp_path / "out" / f"{node_id}.results_dataset.csv")["Assignments"].tolist()
        assert len(studio) == 150 and scripted == studio
