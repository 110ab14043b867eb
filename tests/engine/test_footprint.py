"""The engine's memory and import footprint."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np

from modules.engine import assign, cluster_metrics, fit_kmeans, initial_centroids


def traced_peak(run) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_training_allocates_no_copy_of_the_data_and_no_n_by_k_by_d_temporary() -> None:
    X = np.random.default_rng(0).random((100_000, 10))  # 8 MB; an n*k*d temporary would be 400 MB
    for init in ("kmeans++", "kmeans++_fast", "random", "evenly", "first_n"):
        fit_kmeans(X[:2000], 50, init=init, max_iter=2)  # compile / load the kernels outside the measurement
        peak = traced_peak(lambda init=init: fit_kmeans(X, 50, init=init, max_iter=5))
        # labels, distances, the k-means++ D^2 buffers: a fraction of the data, never a copy of it.
        assert peak < 0.75 * X.nbytes, (init, peak)


def test_assign_and_metrics_stay_small() -> None:
    X = np.random.default_rng(1).random((100_000, 10))
    centroids = X[:50].copy()
    labels, _ = assign(X, centroids)
    cluster_metrics(X[:1000], centroids, labels[:1000])  # compile / load outside the measurement
    assert traced_peak(lambda: assign(X, centroids)) < 0.3 * X.nbytes
    assert traced_peak(lambda: cluster_metrics(X, centroids, labels)) < 0.3 * X.nbytes


def test_rng_is_accepted_instead_of_seed() -> None:
    X = np.random.default_rng(2).random((500, 3))
    a = initial_centroids(X, 4, "kmeans++", rng=np.random.default_rng(8))
    b = initial_centroids(X, 4, "kmeans++", seed=8)
    np.testing.assert_array_equal(a, b)


def test_engine_imports_no_web_framework_backend_or_sklearn() -> None:
    code = (
        "import sys, modules.engine; "
        "bad = {m.split('.')[0] for m in sys.modules} & "
        "{'fastapi', 'starlette', 'uvicorn', 'backend', 'sklearn', 'pydantic'}; "
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
