"""One node task: read the input artefacts, run the module, write the output artefacts."""

from __future__ import annotations

import contextlib
import json
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import modules
from backend.core.disk import is_disk_full
from backend.core.status import RunStatus
from backend.executor.artefacts import ArtefactRef, ArtefactStore
from backend.executor.remote_artefacts import local_root
from backend.executor.timing import NodeTimer
from modules.context import MapTasks
from modules.engine import blas_threads
from modules.errors import Cancelled, ModuleError
from modules.partitioned import PartitionedTable
from modules.storage import is_partitioned, parquet_parts

#: The derived payload holding an output's default (sampled) chart data.
VISUALIZATION = "visualization"

#: How a task finds a dataset: a sample id (loaded from the sample library) or a Parquet file.
SAMPLE_SOURCE = "sample"


@dataclass
class NodeTask:
    task_id: str
    module_id: str
    params: dict[str, Any]
    inputs: dict[str, ArtefactRef]
    dataset_sources: dict[str, str] = field(default_factory=dict)
    artefact_root: str = ""
    #: saved model id → its .npz file.
    model_sources: dict[str, str] = field(default_factory=dict)
    #: The shared artefact location (``STUDIO_ARTEFACTS_URL``), if any: the task's store is then a cache
    #: of it, in `artefact_root` where this machine has that folder, else in its own temp folder.
    artefacts_url: str = ""

    def execute(
        self,
        progress: Callable[[float], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        map_tasks: MapTasks | None = None,
        cluster: Callable[[], Any] | None = None,
    ) -> NodeResult:
        return execute_node_task(self, progress, should_stop, map_tasks, cluster)


@dataclass
class NodeResult:
    status: RunStatus  # succeeded | failed | cancelled
    outputs: dict[str, ArtefactRef] = field(default_factory=dict)
    log: str = ""
    warnings: list[str] = field(default_factory=list)
    error: dict[str, str] | None = None
    duration_ms: float = 0.0
    #: Milliseconds by stretch (module, inputs, outputs, charts, other, outside, total): see
    #: :mod:`backend.executor.timing`; None for a result no node task measured.
    timings: dict[str, float] | None = None


def _dataset_loader(sources: dict[str, str]) -> Callable[[str], pd.DataFrame]:
    from modules.samples import load_sample

    def load(dataset_id: str) -> pd.DataFrame:
        source = sources.get(dataset_id)
        if source is None:
            raise ModuleError("0003", f"Dataset {dataset_id!r} is not available to this run.")
        if source == SAMPLE_SOURCE:
            return load_sample(dataset_id)
        return pd.read_parquet(Path(source))

    return load


def _dataset_parts(sources: dict[str, str]) -> Callable[[str], list[Path] | None]:
    def parts(dataset_id: str) -> list[Path] | None:
        source = sources.get(dataset_id)
        if source is None or source == SAMPLE_SOURCE or not is_partitioned(Path(source)):
            return None
        return parquet_parts(Path(source))

    return parts


def _model_loader(sources: dict[str, str]) -> Callable[[str], Any]:
    from modules.trained_model import load_model

    def load(model_id: str) -> Any:
        source = sources.get(model_id)
        if source is None:
            raise ModuleError("0003", f"Saved model {model_id!r} is not available to this run.")
        return load_model(Path(source))

    return load


#: Views whose chart data is worth computing with the run (the first chart then opens at once).
PRECOMPUTED_VIEWS = ("clusters", "sweep")
#: Rows of a partitioned output its precomputed chart is drawn from (spread evenly over the table:
#: :func:`modules.partitioned.sample_positions`).
CHART_SAMPLE_ROWS = 5000


def _chart_payloads(value: Any, view: str, model: Any = None) -> dict[str, bytes]:
    """Chart data of an output its port shows as a chart (the JSON the output's chart endpoint sends),
    and, for a clustering result, the data of its other result views
    (:data:`backend.services.outputs.derived.RESULT_PAYLOADS`): ``{derived payload name: JSON}``.

    BLAS gets one thread: the other core writes the outputs meanwhile (and two BLAS threads fighting
    over a busy core made the chart's small products several times slower; the payload is the same).
    """
    from backend.services.outputs import is_clustering_result, visualize
    from backend.services.outputs.derived import RESULT_PAYLOADS

    sampled = isinstance(value, PartitionedTable)
    if sampled:  # a table too large to gather: its chart is drawn from an even sample of its rows
        total = value.n_rows
        value = value.sample(CHART_SAMPLE_ROWS)
    with blas_threads(1):
        chart = visualize(value, view, model=model)
        if sampled:
            chart["sampled_from_rows"] = total
        payloads = {VISUALIZATION: json.dumps(chart, allow_nan=False).encode()}
        # the other result views of a partitioned table are computed on request, part by part
        # (backend.services.node_outputs: exact where the statistics add up)
        if view == "clusters" and not sampled and is_clustering_result(value):
            for name, compute in RESULT_PAYLOADS.items():
                # a view that cannot be drawn (say, no numeric feature) says why when it is opened
                with contextlib.suppress(Exception):
                    payloads[name] = json.dumps(compute(value), allow_nan=False).encode()
    return payloads


def _write_outputs(
    store: ArtefactStore,
    values: dict[str, Any],
    output_types: dict[str, str],
    output_views: dict[str, str],
    outputs: dict[str, ArtefactRef],
    ctx: modules.RunContext,
    timer: NodeTimer,
    task_inputs: list[ArtefactRef],
) -> None:
    """Store every output (into `outputs`), and the chart data of those shown as a chart beside them.
    A table appended to an input table stores only its own columns (:meth:`ArtefactStore.write`).

    The charts are computed in a second thread while the outputs are written (both mostly outside the
    GIL: Arrow's writer, NumPy), so "charts" times only the chart work left after the writing.
    """
    charted = [port for port in values if output_views[port] in PRECOMPUTED_VIEWS]
    if not charted:
        with timer.stretch("outputs"):
            for port, value in values.items():
                outputs[port] = store.write(value, output_types[port], task_inputs)
        return
    # the node's trained model, if it output one: the cluster chart of its results draws the model's ellipses
    model = next((values[p] for p in values if output_types[p] == "trained_cluster_model"), None)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart") as charts:
        payloads = {
            port: charts.submit(_chart_payloads, values[port], output_views[port], model) for port in charted
        }
        with timer.stretch("outputs"):
            for port, value in values.items():
                outputs[port] = store.write(value, output_types[port], task_inputs)
        with timer.stretch("charts"):
            for port, computing in payloads.items():
                try:
                    for name, payload in computing.result().items():
                        store.write_derived(outputs[port], name, payload)
                except Exception as exc:  # the views' data is then computed on request instead
                    ctx.log(f"Chart data was not precomputed: {exc}")


def execute_node_task(
    task: NodeTask,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    map_tasks: MapTasks | None = None,
    cluster: Callable[[], Any] | None = None,
) -> NodeResult:
    """Run one node; every failure becomes a coded error in the result, never an exception.

    ``map_tasks`` is the executor's fan-out for :meth:`modules.RunContext.map` (None: its tasks run
    here, one after another). ``cluster``: the Dask client of the cluster the task runs on
    (:attr:`modules.RunContext.cluster`; None: not on Dask): tables stored partitioned are then read and
    passed on part by part. Its log ends with where the time went (the module, and reading, writing,
    charts around it).
    """
    timer = NodeTimer()
    store = ArtefactStore(local_root(task.artefact_root, task.artefacts_url), task.artefacts_url)
    ctx = modules.RunContext(
        load_dataset=_dataset_loader(task.dataset_sources),
        load_model=_model_loader(task.model_sources),
        on_progress=progress,
        stop_requested=should_stop,
        map_tasks=map_tasks,
        dataset_parts=_dataset_parts(task.dataset_sources),
        cluster=cluster,
    )
    declaration = modules.registry.get(task.module_id)
    output_types = {port.id: port.type for port in declaration.outputs}
    output_views = {port.id: port.shown_as for port in declaration.outputs}
    outputs: dict[str, ArtefactRef] = {}
    error: dict[str, str] | None = None
    try:
        with timer.stretch("inputs"):
            inputs = {port: store.read_input(ref, cluster) for port, ref in task.inputs.items()}
        with timer.stretch("module"):
            values = modules.run_module(task.module_id, task.params, inputs, ctx)
        _write_outputs(
            store, values, output_types, output_views, outputs, ctx, timer, list(task.inputs.values())
        )
        status = RunStatus.SUCCEEDED
    except Cancelled:
        status = RunStatus.CANCELLED
        ctx.log("Cancelled.")
    except ModuleError as exc:
        status, error = RunStatus.FAILED, exc.to_dict()
        ctx.log(f"Error {exc.code}: {exc.message}")
    except MemoryError:
        status, error = RunStatus.FAILED, {"code": "0138", "message": "The module ran out of memory."}
    except Exception as exc:  # reading or writing artefacts
        status, error = RunStatus.FAILED, _unexpected(exc)
        ctx.log(traceback.format_exc())
    if status != RunStatus.SUCCEEDED:
        for ref in outputs.values():  # a node that failed part-way keeps none of what it wrote
            store.delete_key(ref.key)
        outputs = {}
    timings = timer.finish()
    ctx.log(timings.log_line())
    return NodeResult(
        status=status,
        outputs=outputs,
        log="\n".join(ctx.logs),
        warnings=list(ctx.warnings),
        error=error,
        duration_ms=timings.total_s * 1000,
        timings=timings.to_json(),
    )


def _unexpected(exc: Exception) -> dict[str, str]:
    if is_disk_full(exc):
        return {
            "code": "0140",
            "message": "The server's disk is full: the output could not be stored. Free space (or ask the "
            "administrator to) and run again.",
        }
    return {"code": "0039", "message": f"{type(exc).__name__}: {exc}"}
