"""Benchmark of HDBSCAN Clustering through Train Clustering Model against the bare scikit-learn call.

Run from the repository root::

    .venv/bin/python -m bench.bench_hdbscan            # 10k and 100k rows
    .venv/bin/python -m bench.bench_hdbscan --quick    # 10k rows only

Each size: five Gaussian blobs in 2 float64 features (HDBSCAN's Euclidean fit builds its spanning tree
by Prim's algorithm over all pairs of rows — time quadratic in the rows, memory linear — so 100k rows
take about a minute on this machine, and 1M rows, about 100 times that, is not run). Minimum cluster size
50, minimum samples as it, excess of mass, no normalisation. Ours: ``modules.run_module(
"train_clustering_model", …)`` (Result Only: the ``Assignments`` column) on the DataFrame (the
training rows' core distances, which only the prediction rule for new rows needs, are computed when the
model first assigns rows, not here). Reference: ``HDBSCAN(...).fit(X)`` on the matrix. Cases:

* the paired ratio: ours / the bare call, the best of ``--repeats`` alternating runs;
* within one Train run, its whole time over the time of its own call to ``HDBSCAN.fit`` (timed by a
  wrapper): the studio's overhead measured in the same seconds, so the machine's load cancels out;
* peak memory of each side in a child process (VmHWM reset through /proc/self/clear_refs): the growth
  over the data it was given.

Target: a Train run <= 1.2x the time of the scikit-learn call inside it. Exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

import modules  # (imported first: the studio's process settings, e.g. GOMP_SPINCOUNT, hold for both sides)
from bench.bench_engine import load_average, machine_summary, paired_best
from bench.side_memory import measure_side, peak_growth

N_FEATURES = 2
N_BLOBS = 5
MIN_CLUSTER_SIZE = 50
SEED = 0
TARGET = 1.2


def make_frame(n_rows: int) -> pd.DataFrame:
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=n_rows, centers=N_BLOBS, n_features=N_FEATURES, random_state=SEED)
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(N_FEATURES)])


def ours(df: pd.DataFrame) -> dict[str, Any]:

    config = modules.run_module(
        "hdbscan_clustering", {"min_cluster_size": MIN_CLUSTER_SIZE, "normalize": False}, {}
    )["untrained_model"]
    return modules.run_module(
        "train_clustering_model", {"append": False}, {"untrained_model": config, "dataset": df}
    )


def reference(X: np.ndarray) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    return np.asarray(HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE, copy=True).fit(X).labels_)


def inner_ratio(df: pd.DataFrame) -> tuple[float, float]:
    """One Train run's seconds and the seconds of the ``HDBSCAN.fit`` call inside it."""
    from sklearn.cluster import HDBSCAN

    inner: list[float] = []
    original = HDBSCAN.fit

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            inner.append(time.perf_counter() - t0)

    HDBSCAN.fit = timed  # type: ignore[method-assign]
    try:
        t0 = time.perf_counter()
        ours(df)
        whole = time.perf_counter() - t0
    finally:
        HDBSCAN.fit = original  # type: ignore[method-assign]
    return whole, sum(inner)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10k rows only")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=("ours", "theirs"), help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_side(args.child, make_frame(args.rows), ours, reference)
        return 0
    sizes = [10_000] + ([] if args.quick else [100_000])
    ours(make_frame(1000))  # load everything once
    print(f"# HDBSCAN Clustering vs scikit-learn — {machine_summary()}")
    print(f"# load average at start: {load_average()}")
    print(
        "rows      ours s   sklearn fit s  ratio   in-run Train s / its fit s  ratio   peak MB ours / sklearn"
    )
    missed = False
    for n in sizes:
        df = make_frame(n)
        X = df.to_numpy()
        repeats = args.repeats if n <= 10_000 else 1  # a 100k fit takes about a minute
        ours_s, out, theirs_s, labels = paired_best(
            repeats, functools.partial(ours, df), functools.partial(reference, X)
        )
        got = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
        assert got.tolist() == labels.tolist(), "the module's labels differ from scikit-learn's"
        whole, inner = inner_ratio(df)
        mine, theirs = (
            peak_growth("bench.bench_hdbscan", "ours", n),
            peak_growth("bench.bench_hdbscan", "theirs", n),
        )
        missed |= whole / inner > TARGET
        print(
            f"{n:>9,}  {ours_s:7.3f}  {theirs_s:13.3f}  {ours_s / theirs_s:5.2f}   "
            f"{whole:14.3f} / {inner:.3f}  {whole / inner:11.2f}   "
            f"{mine['growth'] / 1e6:7.1f} / {theirs['growth'] / 1e6:.1f} (data {mine['data'] / 1e6:.1f})"
        )
    print(f"# load average at end: {load_average()}; target Train / its HDBSCAN.fit <= {TARGET}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
