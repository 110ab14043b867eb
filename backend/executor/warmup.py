"""What a worker process does before it takes its first task, so that no task waits for a compile or a
first import: run a tiny pipeline end to end, then load every other compiled kernel a module can reach.

The kernels come from Numba's on-disk cache, filled at install (``make run``'s ``.make/kernels`` step,
the Docker build). The tiny pipeline (Iris: Dataset → K-Means → Train → Assign, in a throwaway artefact
folder) reaches what a small run needs on the way: its kernels, Parquet writing and reading, model
files, the chart precomputation.

Where the install step was skipped (an empty cache: ``python -m backend`` alone), compiling every kernel
takes a minute on 2 cores, compiling the pipeline's own a fraction of it. So the worker says "ready" once
the pipeline ran, and compiles the rest in a background thread. A task needing a kernel that thread is
compiling waits for it rather than compiling it twice: Numba compiles under one process-wide lock, and a
dispatcher looks for the finished machine code again once it holds that lock.

The warm-up runs Numba's parallel kernels on one thread: its regions are tiny, and GNU OpenMP's
spinning threads of two workers warming up at once on a busy 2-core machine made them 5-20× slower.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

from backend.core.status import RunStatus
from backend.executor.artefacts import ArtefactRef
from backend.executor.task import SAMPLE_SOURCE, NodeTask

WARM_UP_DATASET = "sample-iris"
#: The thread that compiles the kernels the tiny pipeline did not reach (an empty cache only).
BACKGROUND_COMPILE_THREAD = "studio-warm-up-compile"

log = logging.getLogger(__name__)


def warm_up_worker() -> str:
    """Run the tiny pipeline, then load every other kernel (compile them in the background if the
    pipeline found the cache empty); says what it took (the pool logs it)."""
    from modules.engine.precompile import cache_stats

    with one_numba_thread():
        pipeline_s = _run_tiny_pipeline()
        compiled = cache_stats().compiled
        if compiled:
            threading.Thread(target=_load_every_kernel, name=BACKGROUND_COMPILE_THREAD, daemon=True).start()
            return (
                f"first pipeline {pipeline_s:.2f} s ({compiled} kernels compiled: the install step's cache "
                "was incomplete); compiling the others in the background"
            )
        started = time.perf_counter()
        _load_every_kernel()
    kernels_s = time.perf_counter() - started
    stats = cache_stats()
    source = f"{stats.loaded} loaded from the cache"
    if stats.compiled:
        source += f"; {stats.compiled} compiled: the install step's cache was incomplete"
    return f"first pipeline {pipeline_s:.2f} s, kernels {kernels_s:.2f} s ({source})"


@contextlib.contextmanager
def one_numba_thread() -> Iterator[None]:
    """Numba's parallel kernels on one thread in this thread meanwhile (its thread count is per thread)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _load_every_kernel() -> None:
    from modules.algorithms import warm_up

    with one_numba_thread():
        try:
            warm_up()
        except Exception:  # warming up is an optimisation only: a task compiles what it needs
            if threading.current_thread().name != BACKGROUND_COMPILE_THREAD:
                raise
            log.warning("compiling the kernels in the background failed", exc_info=True)


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
