"""Every node's log ends with where its time went: the module, and what the runtime did around it."""

from __future__ import annotations

import re
from pathlib import Path

from backend.core.status import RunStatus
from backend.executor.task import SAMPLE_SOURCE, NodeResult, NodeTask

LINE = re.compile(
    r"^Timing: module (?P<module>[\d.]+) s; outside the module (?P<outside>[\d.]+) s "
    r"\(inputs (?P<inputs>[\d.]+) s, outputs (?P<outputs>[\d.]+) s, charts (?P<charts>[\d.]+) s, "
    r"other (?P<other>[\d.]+) s\)( = (?P<share>[\d.]+) % of the module's time)?$"
)


def run_iris_train(root: Path) -> NodeResult:
    sources = {"sample-iris": SAMPLE_SOURCE}
    data = NodeTask("d", "dataset", {"dataset_id": "sample-iris"}, {}, sources, str(root)).execute()
    kmeans = NodeTask("k", "kmeans_clustering", {"n_clusters": 3, "seed": 1}, {}, {}, str(root)).execute()
    inputs = {"untrained_model": kmeans.outputs["untrained_model"], "dataset": data.outputs["dataset"]}
    return NodeTask("t", "train_clustering_model", {}, inputs, {}, str(root)).execute()


def test_the_timing_line_ends_the_log_and_its_parts_add_up(tmp_path: Path) -> None:
    result = run_iris_train(tmp_path)
    assert result.status == RunStatus.SUCCEEDED
    *module_log, last = result.log.splitlines()
    assert any(line.startswith("K-Means") for line in module_log)  # the module's own log comes first
    match = LINE.match(last)
    assert match is not None, last
    seconds = {name: float(value) for name, value in match.groupdict().items() if value is not None}
    rounding = 0.0005 * 5  # each figure is rounded to the millisecond
    parts = seconds["inputs"] + seconds["outputs"] + seconds["charts"] + seconds["other"]
    assert abs(parts - seconds["outside"]) <= rounding

    timings = result.timings
    assert timings is not None
    assert abs(seconds["share"] - 100 * timings["outside_ms"] / timings["module_ms"]) <= 0.05
    parts_ms = sum(timings[f"{name}_ms"] for name in ("inputs", "outputs", "charts", "other"))
    assert abs(parts_ms - timings["outside_ms"]) < 1e-6
    assert abs(timings["module_ms"] + timings["outside_ms"] - timings["total_ms"]) < 1e-6
    assert timings["total_ms"] == result.duration_ms


def test_a_failed_node_still_says_where_its_time_went(tmp_path: Path) -> None:
    result = NodeTask("d", "dataset", {"dataset_id": "sample-missing"}, {}, {}, str(tmp_path)).execute()
    assert result.status == RunStatus.FAILED and result.error is not None
    assert LINE.match(result.log.splitlines()[-1])
    assert result.timings is not None and result.timings["outputs_ms"] == 0.0
