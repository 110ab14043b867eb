"""What a worker process does before it takes its first task, so that no task waits for a compile or a
first import: load every compiled kernel a module can reach, then run a tiny pipeline end to end.

The kernels come from Numba's on-disk cache, filled at install (``make run``'s ``.make/kernels`` step,
the Docker build); a kernel missing there is compiled here instead, once per worker, before any task.
The tiny pipeline (Iris: Dataset → K-Means → Train → Assign, in a throwaway artefact folder) reaches
what a first run would otherwise load on the way: Parquet writing and reading, model files, the
chart precomputation.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

from backend.core.status import RunStatus
from backend.executor.artefacts import ArtefactRef
from backend.executor.task import SAMPLE_SOURCE, NodeTask

WARM_UP_DATASET = "sample-iris"


def warm_up_worker() -> str:
    """Load every kernel and run the tiny pipeline; says what it took (the pool logs it)."""
    from modules.algorithms import warm_up
    from modules.engine.precompile import cache_stats

    started = time.perf_counter()
    warm_up()
    kernels_s = time.perf_counter() - started
    stats = cache_stats()
    pipeline_s = _run_tiny_pipeline()
    source = f"{stats.loaded} loaded from the cache"
    if stats.compiled:
        source += f"; {stats.compiled} compiled: the install step's cache was incomplete"
    return f"kernels {kernels_s:.2f} s ({source}), first pipeline {pipeline_s:.2f} s"


def _run_tiny_pipeline() -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="studio-warm-up-") as root:
        outputs: dict[str, dict[str, ArtefactRef]] = {}
        steps: tuple[tuple[str, str, dict[str, Any], dict[str, tuple[str, str]]], ...] = (
            ("data", "dataset", {"dataset_id": WARM_UP_DATASET}, {}),
            ("kmeans", "kmeans_clustering", {"n_clusters": 3, "seed": 1}, {}),
            (
                "train",
                "train_clustering_model",
                {},
                {"untrained_model": ("kmeans", "untrained_model"), "dataset": ("data", "dataset")},
            ),
            (
                "assign",
                "assign_data_to_clusters",
                {},
                {"trained_model": ("train", "trained_model"), "dataset": ("data", "dataset")},
            ),
        )
        for node_id, module_id, params, wiring in steps:
            inputs = {port: outputs[source][source_port] for port, (source, source_port) in wiring.items()}
            task = NodeTask(
                f"warm-up:{node_id}", module_id, params, inputs, {WARM_UP_DATASET: SAMPLE_SOURCE}, root
            )
            result = task.execute()
            if result.status != RunStatus.SUCCEEDED:
                raise RuntimeError(f"warm-up node {node_id} {result.status}: {result.error}")
            outputs[node_id] = result.outputs
    return time.perf_counter() - started
