"""What a worker process does before it takes its first task, so that no task waits for a compile or a
first import: run a tiny pipeline end to end, then load every other compiled kernel a module can reach.

The kernels come from Numba's on-disk cache, filled at install (``make run``'s ``.make/kernels`` step,
the Docker build). The tiny pipeline (Iris: Dataset → K-Means → Train → Assign, in a throwaway artefact
folder) reaches what a small run needs on the way: its kernels, Parquet writing and reading, model
files, the chart precomputation.

Where the install step was skipped (an empty cache: ``python -m backend`` alone), compiling every kernel
takes a minute on 2 cores, compiling the pipeline's own a fraction of it. So the worker says "ready" once
the pipeline ran, and one background process (``python -m modules.engine.precompile`` at a low
priority; the first worker to need it starts it, the others see its lock) fills the cache with the rest.
Not a thread: a task would wait for it, as Numba compiles under one process-wide lock that the
compiling thread takes straight back kernel after kernel. Meanwhile a task compiles a kernel it needs
that is not yet on disk, as before the install step existed; later ones load from the cache.

The warm-up runs Numba's parallel kernels on one thread: its regions are tiny, and GNU OpenMP's
spinning threads of two workers warming up at once on a busy 2-core machine made them 5-20× slower.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from backend.core.status import RunStatus
from backend.executor.artefacts import ArtefactRef
from backend.executor.task import SAMPLE_SOURCE, NodeTask

WARM_UP_DATASET = "sample-iris"
#: The thread that waits for the background compile process (an empty cache only).
BACKGROUND_COMPILE_THREAD = "studio-warm-up-compile"
#: The background compile process (argument: the worker's pid). First it asks for SIGTERM when the
#: worker ends (Linux prctl PR_SET_PDEATHSIG = 1), before any slow import, and stops if the worker has
#: already ended; then :func:`precompile_main`.
BACKGROUND_COMPILE = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
from backend.executor.warmup import precompile_main
precompile_main()
"""


def no_warm_up() -> str:
    """The warm-up of a pool told not to warm up (``STUDIO_WARM_UP=false``): a task loads its kernels."""
    return "no warm-up (STUDIO_WARM_UP is off)"


def timed_warm_up(warm_up: Callable[[], str]) -> str:
    """Run a worker's warm-up; what it reports and how long it took (or why it failed: the worker still
    serves, just slower)."""
    started = time.perf_counter()
    try:
        detail = warm_up()
    except Exception as exc:  # warming up is an optimisation only
        detail = f"warm-up failed ({type(exc).__name__}: {exc})"
    return f"ready after {time.perf_counter() - started:.2f} s: {detail}"


def warm_up_worker() -> str:
    """Run the tiny pipeline, then load every other kernel (or, if the pipeline found the cache empty,
    have a background process compile them); says what it took (the pool logs it)."""
    from modules.engine.precompile import cache_stats

    with one_numba_thread():
        pipeline_s = _run_tiny_pipeline()
        compiled = cache_stats().compiled
        if compiled:
            started_it = _precompile_in_background()
            who = "this worker's" if started_it else "another worker's"
            return (
                f"first pipeline {pipeline_s:.2f} s ({compiled} kernels compiled: the install step's cache "
                f"was incomplete); {who} background process compiles the others into the cache"
            )
        started = time.perf_counter()
        from modules.algorithms import warm_up

        warm_up()
    kernels_s = time.perf_counter() - started
    stats = cache_stats()
    source = f"{stats.loaded} loaded from the cache"
    if stats.compiled:
        source += f"; {stats.compiled} compiled: the install step's cache was incomplete"
    return f"first pipeline {pipeline_s:.2f} s, kernels {kernels_s:.2f} s ({source})"


def _precompile_in_background() -> bool:
    """Start the background compile process unless one for the same cache runs (False then). A thread
    holds the lock until the process ended; the lock goes with this worker if it is killed."""
    lock = precompile_lock_path().open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return False
    # Started from the worker's main thread: "end with the parent" follows the thread that started it.
    process = subprocess.Popen([sys.executable, "-c", BACKGROUND_COMPILE, str(os.getpid())])
    threading.Thread(
        target=_unlock_when_done, args=(process, lock), name=BACKGROUND_COMPILE_THREAD, daemon=True
    ).start()
    return True


def _unlock_when_done(process: subprocess.Popen[bytes], lock: IO[str]) -> None:
    process.wait()
    lock.close()


def precompile_lock_path() -> Path:
    """The lock of the background compile into this process's kernel cache (one per cache)."""
    import modules.engine

    cache = os.environ.get("NUMBA_CACHE_DIR") or str(Path(modules.engine.__file__).resolve().parent)
    key = hashlib.sha1(cache.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"studio-kernel-precompile-{key}.lock"


def precompile_main() -> None:
    """The background compile process, once bound to its worker (BACKGROUND_COMPILE): a low priority
    (tasks come first), Numba's parallel kernels on one thread (as the warm-up), then
    ``python -m modules.engine.precompile``."""
    import numba

    from modules.engine.precompile import main

    os.nice(10)
    numba.set_num_threads(1)
    main([])


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


def warm_up_views() -> None:
    """Load what the result views run in the web server's own process: the compiled kernels of the
    silhouettes, and the agreement scores' scikit-learn (a second to import), so the first Silhouette
    or Compare tab opened does not wait for them."""
    import numpy as np

    from modules.agreement import agreement
    from modules.silhouette import silhouettes

    silhouettes(np.array([[0.0], [1.0], [5.0], [6.0]]), np.array([0, 0, 1, 1]))
    agreement(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))
