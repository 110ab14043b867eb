"""The Dask executor on a real LocalCluster (2 worker processes): the same bytes as the local executor,
progress, cancel (cooperative and by restarting the worker), a worker killed mid-task (Dask runs the
task again), and a scheduler that goes away and comes back.

Waits are bounded far above what they take; nothing asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from backend.core.status import RunStatus
from backend.executor import Executor, ExecutorState, NodeResult, NodeTask
from backend.executor.artefacts import ArtefactStore
from backend.executor.dask import DaskExecutor
from backend.executor.local import LocalExecutor
from backend.executor.task import SAMPLE_SOURCE
from backend.executor.warmup import no_warm_up

pytestmark = pytest.mark.slow

WAIT_S = 120

Wiring = dict[str, tuple[str, str]]
#: Iris → K-Means (First N) → Train → Assign, and a K-Means range → Sweep beside it.
DATA, RANGE = ("data", "dataset"), ("range", "untrained_model")
GRAPH: tuple[tuple[str, str, dict[str, Any], Wiring], ...] = (
    ("data", "dataset", {"dataset_id": "sample-iris"}, {}),
    ("kmeans", "kmeans_clustering", {"n_clusters": 3, "init": "first_n", "seed": 7}, {}),
    (
        "train",
        "train_clustering_model",
        {},
        {"untrained_model": ("kmeans", "untrained_model"), "dataset": DATA},
    ),
    ("assign", "assign_data_to_clusters", {}, {"trained_model": ("train", "trained_model"), "dataset": DATA}),
    ("range", "kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "2-4", "seed": 11}, {}),
    ("sweep", "sweep_clustering", {"sweep_mode": "grid"}, {"untrained_model": RANGE, "dataset": DATA}),
)


def run_graph(
    executor: Executor, root: Path, progress: dict[str, list[float]] | None = None
) -> dict[str, NodeResult]:
    """Run GRAPH node by node through `executor`, artefacts in `root`; every node must succeed."""
    results: dict[str, NodeResult] = {}
    for node_id, module_id, params, wiring in GRAPH:
        inputs = {port: results[src].outputs[src_port] for port, (src, src_port) in wiring.items()}
        task = NodeTask(f"t:{node_id}", module_id, params, inputs, {"sample-iris": SAMPLE_SOURCE}, str(root))
        seen = (progress if progress is not None else {}).setdefault(node_id, [])
        results[node_id] = executor.submit(task, seen.append).future.result(timeout=WAIT_S)
        assert results[node_id].status == RunStatus.SUCCEEDED, (node_id, results[node_id].error)
    return results


def assert_same_value(left: Any, right: Any, where: str) -> None:
    if isinstance(left, pd.DataFrame):
        # "Seconds": how long a sweep candidate took to train
        pd.testing.assert_frame_equal(
            left.drop(columns=["Seconds"], errors="ignore"),
            right.drop(columns=["Seconds"], errors="ignore"),
            check_exact=True,
            obj=where,
        )
    elif hasattr(left, "model"):  # a trained model: its centroids and cluster sizes, bit for bit
        assert np.array_equal(left.model.centroids, right.model.centroids), where
        assert np.array_equal(left.cluster_sizes, right.cluster_sizes), where
    else:
        assert left == right, where


def untimed(log: str) -> list[str]:
    return [line for line in log.splitlines() if not line.startswith("Timing:") and " s." not in line]


def full_strength(executor: DaskExecutor, workers: int = 2) -> None:
    """Wait until the cluster has `workers` workers again (after a restart or a kill)."""
    assert executor.client is not None
    executor.client.wait_for_workers(workers, timeout=WAIT_S)


def dataset_task(root: Path, task_id: str = "t:data") -> NodeTask:
    return NodeTask(
        task_id, "dataset", {"dataset_id": "sample-iris"}, {}, {"sample-iris": SAMPLE_SOURCE}, str(root)
    )


def test_the_same_graph_gives_the_same_artefacts_on_the_local_and_the_dask_executor(
    dask_executor: DaskExecutor, tmp_path: Path
) -> None:
    local = LocalExecutor(workers=1, warm=False, warm_up=no_warm_up)
    local.start()
    try:
        on_local = run_graph(local, tmp_path / "local")
    finally:
        local.shutdown()
    progress: dict[str, list[float]] = {}
    on_dask = run_graph(dask_executor, tmp_path / "dask", progress)

    local_store, dask_store = ArtefactStore(tmp_path / "local"), ArtefactStore(tmp_path / "dask")
    for node_id, result in on_local.items():
        assert set(on_dask[node_id].outputs) == set(result.outputs)
        for port, ref in result.outputs.items():
            where = f"{node_id}.{port}"
            assert_same_value(local_store.read(ref), dask_store.read(on_dask[node_id].outputs[port]), where)
        # the node log's first line names the worker; the rest is the module's own log (less the timings)
        first, _, rest = on_dask[node_id].log.partition("\n")
        assert first.startswith("Ran on Dask worker tcp://127.0.0.1:") and first.endswith(".")
        assert untimed(rest) == untimed(result.log)
    # Progress came back from the workers, the last report being the finish.
    assert progress["train"] and progress["train"][-1] == 1.0
    assert progress["sweep"] and progress["sweep"][-1] == 1.0


@dataclass
class StubbornTask:
    """Never looks at should_stop: it runs until its gate file exists (or for WAIT_S)."""

    task_id: str
    gate: str

    def execute(
        self,
        progress: Callable[[float], None] | None,
        should_stop: object = None,
        map_tasks: object = None,
        cluster: object = None,
    ) -> NodeResult:
        assert progress is not None
        progress(0.5)  # "running now": the test acts once this arrives
        deadline = time.monotonic() + WAIT_S
        while not Path(self.gate).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return NodeResult(status=RunStatus.SUCCEEDED, log=f"gate passed in {os.getpid()}")


def noop(fraction: float) -> None:
    pass


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def test_a_cancelled_kmeans_stops_at_its_next_iteration(dask_executor: DaskExecutor, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = tmp_path / "big.parquet"
    pd.DataFrame(rng.random((200_000, 8)), columns=[f"x{i}" for i in range(8)]).to_parquet(data)
    root = str(tmp_path / "artefacts")
    source = {"big": str(data)}
    loaded = dask_executor.submit(NodeTask("t:big", "dataset", {"dataset_id": "big"}, {}, source, root), noop)
    long_fit = {"n_clusters": 40, "iterations": 10_000, "tol": 0, "n_init": 100}
    config = dask_executor.submit(NodeTask("t:km", "kmeans_clustering", long_fit, {}, {}, root), noop)
    inputs = {
        "untrained_model": config.future.result(WAIT_S).outputs["untrained_model"],
        "dataset": loaded.future.result(WAIT_S).outputs["dataset"],
    }
    progress: list[float] = []
    handle = dask_executor.submit(
        NodeTask("t:train", "train_clustering_model", {}, inputs, {}, root), progress.append
    )
    wait_until(lambda: bool(progress), "the training reported progress")

    handle.cancel()
    result = handle.future.result(timeout=WAIT_S)

    assert result.status == RunStatus.CANCELLED
    assert result.log.startswith("Ran on Dask worker ") and "Cancelled." in result.log
    assert "restarted" not in result.log  # it stopped by itself, long before kill_after
    after = dask_executor.submit(dataset_task(tmp_path), noop).future.result(timeout=WAIT_S)
    assert after.status == RunStatus.SUCCEEDED


def test_a_task_that_does_not_stop_gets_its_worker_restarted(dask_cluster: Any, tmp_path: Path) -> None:
    executor = DaskExecutor(dask_cluster.scheduler_address, kill_after=1, warm_up=no_warm_up)
    executor.start()
    try:
        progress: list[float] = []
        handle = executor.submit(StubbornTask("stubborn", str(tmp_path / "never")), progress.append)
        wait_until(lambda: bool(progress), "the task started")
        pids = executor.worker_pids()
        (worker,) = handle.workers

        handle.cancel()
        result = handle.future.result(timeout=WAIT_S)

        assert result.status == RunStatus.CANCELLED
        assert result.log == (
            f"Ran on Dask worker {worker}.\n"
            "Cancelled: the module did not stop within 1 s, so its worker was restarted."
        )
        full_strength(executor)
        assert pids[worker] not in executor.worker_pids().values()  # a fresh process
        # no finished task came back to life with the restart (their results were released)
        assert not any(executor.client.processing().values())
        after = executor.submit(dataset_task(tmp_path), noop).future.result(timeout=WAIT_S)
        assert after.status == RunStatus.SUCCEEDED
    finally:
        executor.shutdown()


def test_a_worker_killed_mid_task_has_dask_run_the_task_again(
    dask_executor: DaskExecutor, tmp_path: Path
) -> None:
    full_strength(dask_executor)
    gate = tmp_path / "gate"
    progress: list[float] = []
    handle = dask_executor.submit(StubbornTask("killed", str(gate)), progress.append)
    wait_until(lambda: bool(progress), "the task started")
    (victim,) = handle.workers
    victim_pid = dask_executor.worker_pids()[victim]

    os.kill(victim_pid, signal.SIGKILL)
    wait_until(lambda: len(handle.workers) == 2, "the task started again on another worker")
    gate.touch()
    result = handle.future.result(timeout=WAIT_S)

    assert result.status == RunStatus.SUCCEEDED
    first, second, rest = result.log.split("\n")
    assert first == f"Ran on Dask worker {handle.workers[1]}." and handle.workers[1] != victim
    assert second == f"Dask ran it again after losing worker {victim} in the middle of it."
    assert rest.startswith("gate passed in ") and int(rest.split()[-1]) != victim_pid
    full_strength(dask_executor)  # the nanny replaced the killed worker process
    after = dask_executor.submit(dataset_task(tmp_path), noop).future.result(timeout=WAIT_S)
    assert after.status == RunStatus.SUCCEEDED


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SchedulerProcess:
    """A `dask scheduler` and one `dask worker` in processes of their own, on a fixed port."""

    def __init__(self, port: int) -> None:
        self.address = f"tcp://127.0.0.1:{port}"
        self.port = port
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        cli = [sys.executable, "-m"]
        scheduler = ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(self.port)]
        worker = ["distributed.cli.dask_worker", self.address, "--nthreads", "1", "--no-dashboard"]
        self.processes = [
            subprocess.Popen([*cli, *scheduler, "--dashboard-address", ":0"], stderr=subprocess.DEVNULL),
            subprocess.Popen([*cli, *worker], stderr=subprocess.DEVNULL),
        ]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.kill()
            process.wait(timeout=WAIT_S)


def test_an_unreachable_scheduler_fails_the_node_with_0144_until_it_is_back(tmp_path: Path) -> None:
    cluster = SchedulerProcess(free_port())
    cluster.start()
    executor = DaskExecutor(cluster.address, warm_up=no_warm_up)
    try:
        wait_until(lambda: executor.describe().workers == 1, "the worker joined")
        executor.start()
        assert (
            executor.submit(dataset_task(tmp_path), noop).future.result(WAIT_S).status == RunStatus.SUCCEEDED
        )

        cluster.stop()
        away = executor.submit(dataset_task(tmp_path), noop).future.result(WAIT_S)
        assert away.status == RunStatus.FAILED and away.error is not None
        assert away.error["code"] == "0144"
        assert away.error["message"].startswith(f"The compute cluster (Dask scheduler {cluster.address}) ")
        assert executor.describe() == ExecutorState(executor="dask", workers=0, status="unreachable")

        cluster.start()  # the same address: no restart of the studio's side
        wait_until(lambda: executor.describe().workers == 1, "health saw the cluster back")
        back = executor.submit(dataset_task(tmp_path), noop).future.result(WAIT_S)
        assert back.status == RunStatus.SUCCEEDED, back.error
        assert executor.describe() == ExecutorState(executor="dask", workers=1, status="ok")
    finally:
        executor.shutdown()
        cluster.stop()
