"""Compile every engine kernel ahead of time, so no run waits for Numba.

``python -m modules.engine.precompile`` calls each public engine function once on tiny data, for both
metrics and every initialisation: that reaches every compiled kernel with the argument types real runs
use. The kernels are declared ``cache=True``, so Numba writes them to its on-disk cache (next to the
sources, or under ``NUMBA_CACHE_DIR``) and every later process loads them in milliseconds instead of
compiling them (several seconds at the first run otherwise). The Docker image runs it at build time,
``make run`` once per change of the engine or of the installed packages, and every worker process
of the server calls :func:`exercise` again before its first task (loading, or as a fallback compiling).

``--check`` fails (exit 1) if any kernel had to be compiled, i.e. the cache was not already complete,
or if :func:`exercise` reaches no signature of some kernel (a new kernel it must learn to call).
The process must be able to write to the cache directory: Numba ignores a cache it cannot write to.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from dataclasses import dataclass

import numpy as np

from modules.engine import (
    INIT_METHODS,
    METRICS,
    assign,
    cluster_metrics,
    fit_kmeans,
    initial_centroids,
    pairwise_distances,
)
from modules.engine._partition_tasks import exercise_partition_kernels
from modules.engine.distances import nearest_and_distances
from modules.engine.kmeans import RowScores
from modules.feature_matrix import exercise_kernels
from modules.silhouette import silhouettes


@dataclass(frozen=True)
class CacheStats:
    """How the kernels used in this process got their machine code."""

    kernels: int  # compiled kernels (Numba dispatchers) in the engine
    compiled: int  # signatures compiled in this process (cache misses)
    loaded: int  # signatures loaded from the on-disk cache (cache hits)
    cache_dirs: tuple[str, ...]  # where the cache files are


def kernel_modules() -> list[str]:
    """Every module of the engine package (its kernels may live in any of them: _kernels, _bounds, ...)."""
    import modules.engine as engine

    return sorted(f"{engine.__name__}.{info.name}" for info in pkgutil.iter_modules(engine.__path__))


def kernel_dispatchers() -> dict[str, object]:
    """The engine's compiled kernels by name: every Numba dispatcher defined in any module of the engine
    package (scanned, so a new kernel file is covered without a change here; a name two modules define
    is qualified by its module the second time)."""
    from numba.core.dispatcher import Dispatcher

    found: dict[str, object] = {}
    for name in kernel_modules():
        if name == __name__:
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            # Defined here, not imported from a sibling (a kernel counts once, under its own module).
            # Helpers inlined into their callers (inline="always") have no machine code of their own;
            # a function marked compiled_into_caller is cached inside its caller's machine code.
            if (
                isinstance(value, Dispatcher)
                and value.py_func.__module__ == name
                and value.targetoptions.get("inline") != "always"
                and not getattr(value, "compiled_into_caller", False)
            ):
                key = attr if attr not in found else f"{name.rsplit('.', 1)[-1]}.{attr}"
                found[key] = value
    return found


def unreached_kernels() -> list[str]:
    """Kernels with no compiled signature in this process (after :func:`exercise`: ones it misses)."""
    return sorted(name for name, dispatcher in kernel_dispatchers().items() if not dispatcher.signatures)  # type: ignore[attr-defined]


def cache_stats() -> CacheStats:
    """Cache hits and misses of every kernel since this process started."""
    kernels = kernel_dispatchers()
    compiled = loaded = 0
    dirs: set[str] = set()
    for dispatcher in kernels.values():
        stats = dispatcher.stats  # type: ignore[attr-defined]
        compiled += sum(stats.cache_misses.values())
        loaded += sum(stats.cache_hits.values())
        if stats.cache_misses or stats.cache_hits:
            dirs.add(str(stats.cache_path))
    return CacheStats(len(kernels), compiled, loaded, tuple(sorted(dirs)))


def tiny_data() -> tuple[np.ndarray, np.ndarray]:
    """Three small separated blobs (30 x 3, no zero row) and a label column with a missing value."""
    rng = np.random.default_rng(0)
    centres = np.array([[1.0, 1.0, 1.0], [6.0, 1.0, 2.0], [1.0, 6.0, 3.0]])
    X = np.repeat(centres, 10, axis=0) + rng.normal(scale=0.3, size=(30, 3))
    labels = np.repeat(np.arange(3, dtype=np.int64), 10)
    labels[0] = -1
    return X, labels


def exercise() -> None:
    """Call every public engine function for both metrics and every initialisation."""
    X, labels = tiny_data()
    exercise_kernels()  # the table-to-matrix conversion of the modules
    exercise_partition_kernels()  # what Dask workers run for a partitioned fit (read-only data too)
    silhouettes(X, labels)  # the result view's exact silhouette
    for metric in METRICS:
        for init in INIT_METHODS:
            init_labels = labels if init == "label_column" else None
            initial_centroids(X, 3, init, metric=metric, seed=1, init_labels=init_labels)
            fit = fit_kmeans(X, 3, init=init, metric=metric, seed=1, max_iter=5, init_labels=init_labels)
        _exercise_lloyd(X, metric == "cosine")
        _exercise_options(X, labels, metric)
        # More clusters than the data supports well: Lloyd re-seeds emptied clusters.
        fit_kmeans(np.repeat(X[:4], 3, axis=0), 4, init="random", metric=metric, seed=3, max_iter=5)
        assign(X, fit.centroids, metric=metric)
        pairwise_distances(X, fit.centroids, metric=metric)
        nearest_and_distances(X, fit.centroids, metric=metric)
        nearest_and_distances(
            X[:5], fit.centroids, metric=metric, out=np.empty((3, 9)), columns=np.arange(5) + 4
        )
        cluster_metrics(X, fit.centroids, fit.labels, metric=metric)
        # Train: the fit scores its rows in its final pass
        fit_kmeans(X, 3, init="first_n", metric=metric, max_iter=5, score=RowScores())


def _exercise_lloyd(X: np.ndarray, cosine: bool) -> None:
    """Every assignment algorithm of the Lloyd loop, weighted and not (the kernels each reaches)."""
    from modules.engine.kmeans import ALGORITHMS, _lloyd

    data = X / np.linalg.norm(X, axis=1, keepdims=True) if cosine else X
    shift = np.zeros(data.shape[1]) if cosine else data.mean(axis=0)
    weights = np.linspace(0.5, 2.0, data.shape[0])
    for algorithm in ALGORITHMS:
        for row_weights in (None, weights):
            _lloyd(data, shift, data[:3] - shift, cosine, 5, weights=row_weights, algorithm=algorithm)


def _exercise_options(X: np.ndarray, labels: np.ndarray, metric: str) -> None:
    """The fitting options that reach other kernel signatures: 32-bit data through every
    initialisation (weighted and not) and every assignment algorithm."""
    from modules.engine.kmeans import ALGORITHMS

    weights = np.linspace(0.5, 2.0, X.shape[0])
    for init in INIT_METHODS:
        init_labels = labels if init == "label_column" else None
        for row_weights in (None, weights):
            fit_kmeans(
                X,
                3,
                init=init,
                metric=metric,
                seed=1,
                max_iter=5,
                init_labels=init_labels,
                sample_weight=row_weights,
                dtype=np.float32,
            )
    for algorithm in ALGORITHMS:
        for row_weights in (None, weights):
            fit_kmeans(
                X,
                3,
                init="first_n",
                metric=metric,
                max_iter=5,
                sample_weight=row_weights,
                dtype=np.float32,
                algorithm=algorithm,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modules.engine.precompile", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if any kernel had to be compiled (cache incomplete)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    exercise()
    seconds = time.perf_counter() - started
    stats = cache_stats()
    where = ", ".join(stats.cache_dirs) or "nowhere (caching disabled?)"
    print(
        f"precompile: {stats.kernels} kernels, {stats.compiled} signatures compiled, "
        f"{stats.loaded} loaded from the cache, {seconds:.1f} s; cache in {where}",
        flush=True,
    )
    missed = unreached_kernels()
    if missed:
        print(f"precompile: exercise() reaches no signature of {', '.join(missed)}", file=sys.stderr)
    if args.check and stats.compiled:
        print("precompile --check: the cache was incomplete (kernels were compiled)", file=sys.stderr)
    if args.check and (stats.compiled or missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
