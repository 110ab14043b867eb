"""Sweep Clustering spread over the workers of a real Dask LocalCluster (2 worker processes): one task
per candidate, and the outcome exactly the serial sweep's (its table but the timing column, the best
model, the results), also with skipped candidates and several seeds; a cancel stops every candidate.

Waits are bounded far above what they take; nothing asserts how long anything took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from distributed import Client, get_task_stream

import modules
from backend.core.status import RunStatus
from backend.executor import NodeResult, NodeTask
from backend.executor.artefacts import ArtefactStore
from backend.executor.dask import DaskExecutor
from modules.errors import Cancelled
from modules.sweep_table import METRIC_SPREAD, SEED_AGREEMENT

pytestmark = pytest.mark.slow

WAIT_S = 120
#: The function each candidate's task runs (its Dask keys start with it).
ITEM_TASK = "_run_item"


def blobs(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(4, 3))
    X = centres[rng.integers(0, 4, n_rows)] + rng.normal(size=(n_rows, 3))
    return pd.DataFrame(X, columns=["a", "b", "c"])


#: case → (dataset, K-Means parameters, the numbers of centroids the sweep table must have, candidates).
CASES: dict[str, tuple[pd.DataFrame, dict[str, Any], set[int], int]] = {
    # 4 k x 3 seeds, k-means++: the seed spread and agreement columns are filled
    "several seeds": (
        blobs(3000, 0),
        {"trainer_mode": "range", "n_clusters_range": "2-5", "n_seeds": 3, "seed": 5},
        {2, 3, 4, 5},
        4 * 3,
    ),
    # 6 distinct rows: k = 7 and 8 cannot be trained (0021), so 4 of the 14 runs are skipped
    "skipped candidates": (
        blobs(6, 1),
        {"trainer_mode": "range", "n_clusters_range": "2-8", "n_seeds": 2, "seed": 3},
        {2, 3, 4, 5, 6},
        7 * 2,
    ),
    # one seed per k: no candidate sends its training labels back (nothing needs them)
    "one seed each": (
        blobs(3000, 3),
        {"trainer_mode": "range", "n_clusters_range": "2-9", "seed": 5},
        set(range(2, 10)),
        8,
    ),
}


def noop(fraction: float) -> None:
    pass


def run(executor: DaskExecutor, task: NodeTask, progress: Callable[[float], None] = noop) -> NodeResult:
    result = executor.submit(task, progress).future.result(timeout=WAIT_S)
    assert result.status == RunStatus.SUCCEEDED, (task.module_id, result.error)
    return result


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


@pytest.mark.parametrize("case", CASES)
def test_a_sweep_on_two_workers_equals_the_serial_sweep(
    case: str, dask_executor: DaskExecutor, dask_cluster: Any, tmp_path: Path
) -> None:
    df, model_params, ks, n_candidates = CASES[case]
    data = tmp_path / "data.parquet"
    df.to_parquet(data)
    root = tmp_path / "artefacts"
    loaded = run(
        dask_executor, NodeTask("t:data", "dataset", {"dataset_id": "d"}, {}, {"d": str(data)}, str(root))
    )
    config = run(dask_executor, NodeTask("t:km", "kmeans_clustering", model_params, {}, {}, str(root)))
    inputs = {"untrained_model": config.outputs["untrained_model"], "dataset": loaded.outputs["dataset"]}
    progress: list[float] = []
    with Client(dask_cluster, set_as_default=False) as client, get_task_stream(client) as stream:
        swept = run(
            dask_executor,
            NodeTask("t:sweep", "sweep_clustering", {"sweep_mode": "grid"}, inputs, {}, str(root)),
            progress.append,
        )
    items = [task for task in stream.data if str(task["key"]).startswith(ITEM_TASK)]

    store = ArtefactStore(root)
    assert len(items) == n_candidates  # one task per candidate ...
    assert len({task["worker"] for task in items}) == 2  # ... spread over both workers
    assert progress and progress[-1] == 1.0
    # the same sweep, serially in this process (no fan-out hook: RunContext.map runs the tasks here)
    ctx = modules.RunContext()
    serial = modules.run_module(
        "sweep_clustering",
        {"sweep_mode": "grid"},
        {name: store.read(ref) for name, ref in inputs.items()},
        ctx,
    )
    table = store.read(swept.outputs["sweep_results"])
    assert set(table["Number of centroids"]) == ks
    pd.testing.assert_frame_equal(
        table.drop(columns=["Seconds"]), serial["sweep_results"].drop(columns=["Seconds"]), check_exact=True
    )
    best = store.read(swept.outputs["best_model"])
    assert np.array_equal(best.model.centroids, serial["best_model"].model.centroids)
    assert np.array_equal(best.cluster_sizes, serial["best_model"].cluster_sizes)
    pd.testing.assert_frame_equal(
        store.read(swept.outputs["results_dataset"]), serial["results_dataset"], check_exact=True
    )
    assert swept.warnings == ctx.warnings
    if case == "skipped candidates":
        assert sum("skipped" in warning for warning in swept.warnings) == 4
    elif case == "one seed each":  # a configuration with one run has no spread or agreement
        assert table[METRIC_SPREAD].isna().all() and table[SEED_AGREEMENT].isna().all()
    else:  # three seeds per configuration: a spread and an agreement for each
        assert table[METRIC_SPREAD].notna().all() and table[SEED_AGREEMENT].between(-1, 1).all()


def test_a_cancelled_parallel_sweep_stops_every_candidate(
    dask_executor: DaskExecutor, dask_cluster: Any, tmp_path: Path
) -> None:
    data = tmp_path / "big.parquet"
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.random((200_000, 8)), columns=[f"x{i}" for i in range(8)]).to_parquet(data)
    root = str(tmp_path / "artefacts")
    loaded = run(
        dask_executor, NodeTask("t:big", "dataset", {"dataset_id": "big"}, {}, {"big": str(data)}, root)
    )
    long_fits = {"trainer_mode": "range", "n_clusters_range": "30-37", "iterations": 10_000, "tol": 0}
    config = run(dask_executor, NodeTask("t:km", "kmeans_clustering", long_fits, {}, {}, root))
    inputs = {"untrained_model": config.outputs["untrained_model"], "dataset": loaded.outputs["dataset"]}
    with Client(dask_cluster, set_as_default=False) as client:

        def running_items() -> list[str]:
            return [
                str(key) for keys in client.processing().values() for key in keys if ITEM_TASK in str(key)
            ]

        handle = dask_executor.submit(
            NodeTask("t:sweep", "sweep_clustering", {"sweep_mode": "grid"}, inputs, {}, root), noop
        )
        wait_until(lambda: len(running_items()) >= 2, "candidates trained on both workers")

        handle.cancel()
        result = handle.future.result(timeout=WAIT_S)

        assert result.status == RunStatus.CANCELLED
        assert "Cancelled." in result.log
        assert "restarted" not in result.log  # it stopped by itself, long before kill_after
        wait_until(lambda: not running_items(), "every candidate task stopped")


def test_a_candidate_error_other_than_too_few_rows_fails_the_node_with_its_code(
    dask_executor: DaskExecutor, dask_cluster: Any, tmp_path: Path
) -> None:
    df = blobs(300, 2).assign(w=1.0)
    data = tmp_path / "data.parquet"
    df.to_parquet(data)
    root = str(tmp_path / "artefacts")
    loaded = run(
        dask_executor, NodeTask("t:data", "dataset", {"dataset_id": "d"}, {}, {"d": str(data)}, root)
    )
    # Gaussian Mixture takes no row weights: each candidate's fit refuses them (0013)
    mixture = {"trainer_mode": "range", "n_components_range": "2-5"}
    config = run(dask_executor, NodeTask("t:gm", "gaussian_mixture_clustering", mixture, {}, {}, root))
    inputs = {"untrained_model": config.outputs["untrained_model"], "dataset": loaded.outputs["dataset"]}
    params = {"sweep_mode": "grid", "weight_column": "w"}
    with Client(dask_cluster, set_as_default=False) as client, get_task_stream(client) as stream:
        result = dask_executor.submit(
            NodeTask("t:sweep", "sweep_clustering", params, inputs, {}, root), noop
        ).future.result(timeout=WAIT_S)

    assert any(str(task["key"]).startswith(ITEM_TASK) for task in stream.data)  # it did fan out
    assert result.status == RunStatus.FAILED
    assert result.error is not None and result.error["code"] == "0013"
    assert "Gaussian Mixture cannot use row weights" in result.error["message"]
    assert not result.outputs


def test_the_costliest_items_start_first_ties_in_item_order() -> None:
    from backend.executor.dask import start_order

    # a sweep's k = 2, 3, 3, 5: k = 5 first, then the two k = 3 in item order, k = 2 last
    assert start_order(4, [2.0, 3.0, 3.0, 5.0]) == [3, 1, 2, 0]
    assert start_order(3, None) == [0, 1, 2]


def _item(delay_s: float, value: str) -> str:
    time.sleep(delay_s)
    if value.startswith("error"):
        raise ValueError(value)
    return value


def test_results_come_in_item_order_and_an_error_in_its_turn(dask_client: Any) -> None:
    from backend.executor.dask import _in_item_order

    def never() -> bool:
        return False

    with dask_client.as_current():
        # item 0 ends last: the results are still in item order
        futures = [dask_client.submit(_item, d, v, pure=False) for d, v in [(1.0, "a"), (0, "b"), (0, "c")]]
        assert list(_in_item_order(futures, never)) == ["a", "b", "c"]

        # item 2 fails first, item 0 fails later: item 0's error is the one raised, as one after another
        futures = [
            dask_client.submit(_item, d, v, pure=False)
            for d, v in [(1.0, "error of item 0"), (0, "b"), (0, "error of item 2")]
        ]
        with pytest.raises(ValueError, match="error of item 0"):
            list(_in_item_order(futures, never))

        # a stop request ends the wait
        futures = [dask_client.submit(_item, 3.0, "slow", pure=False) for _ in range(2)]
        with pytest.raises(Cancelled):
            next(_in_item_order(futures, lambda: True))
        dask_client.cancel(futures)
