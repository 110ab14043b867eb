"""Benchmark of DBSCAN Clustering through Train Clustering Model against the bare scikit-learn call.

Run from the repository root::

    .venv/bin/python -m bench.bench_dbscan            # 10k and 100k rows
    .venv/bin/python -m bench.bench_dbscan --large    # and 1M rows

Each size: 5 Gaussian blobs (standard deviation 0.5) in 2 float64 features with 5% of the rows
uniform noise over the blobs' box; eps 0.1, minimum samples 10, Euclidean, no normalisation. Ours:
``modules.run_module("train_clustering_model", …)`` (Result Only: the Assignments column) on the
DataFrame — which also estimates the neighbourhoods' memory from a sample before the fit. Reference:
``DBSCAN(eps, min_samples).fit(X)`` on the matrix (its ``labels_`` are what Train delivers). The labels
must be identical. Time: the best of ``--repeats`` alternating runs. Peak memory: each side in a child
process, the growth of its peak resident size (VmHWM, reset through /proc/self/clear_refs) over the
data it was given. Target: time ratio ≤ 1.2; exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import pandas as pd

import modules  # (imported first: the studio's process settings, e.g. GOMP_SPINCOUNT, hold for both sides)
from bench.bench_engine import load_average, machine_summary, paired_best
from bench.side_memory import measure_side, peak_growth

N_FEATURES = 2
N_BLOBS = 5
NOISE_SHARE = 0.05
EPS = 0.1
MIN_SAMPLES = 10
SEED = 0
TARGET = 1.2


def make_frame(n_rows: int) -> pd.DataFrame:
    from sklearn.datasets import make_blobs

    n_noise = int(n_rows * NOISE_SHARE)
    X, _ = make_blobs(
        n_samples=n_rows - n_noise, centers=N_BLOBS, n_features=N_FEATURES, cluster_std=0.5, random_state=SEED
    )
    rng = np.random.default_rng(SEED)
    noise = rng.uniform(X.min(axis=0), X.max(axis=0), size=(n_noise, N_FEATURES))
    rows = np.vstack([X, noise])[rng.permutation(n_rows)]
    return pd.DataFrame(rows, columns=[f"f{j}" for j in range(N_FEATURES)])


def ours(df: pd.DataFrame) -> dict[str, Any]:

    config = modules.run_module(
        "dbscan_clustering", {"eps": EPS, "min_samples": MIN_SAMPLES, "normalize": False}, {}
    )["untrained_model"]
    return modules.run_module(
        "train_clustering_model", {"append": False}, {"untrained_model": config, "dataset": df}
    )


def reference(X: np.ndarray) -> np.ndarray:
    from sklearn.cluster import DBSCAN

    return np.asarray(DBSCAN(eps=EPS, min_samples=MIN_SAMPLES).fit(X).labels_)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--large", action="store_true", help="also 1M rows")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=("ours", "theirs"), help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_side(args.child, make_frame(args.rows), ours, reference)
        return 0
    sizes = [10_000, 100_000] + ([1_000_000] if args.large else [])
    ours(make_frame(1000))  # load everything once
    print(f"# DBSCAN Clustering vs scikit-learn — {machine_summary()}")
    print(f"# load average at start: {load_average()}")
    print("rows       ours s  sklearn fit s  ratio   clusters  noise   peak MB ours / sklearn")
    missed = False
    for n in sizes:
        df = make_frame(n)
        X = df.to_numpy()
        ours_s, out, theirs_s, labels = paired_best(
            args.repeats, lambda df=df: ours(df), lambda X=X: reference(X)
        )
        got = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
        assert np.array_equal(got, labels), "the module's labels differ from scikit-learn's"
        mine, theirs = (
            peak_growth("bench.bench_dbscan", "ours", n),
            peak_growth("bench.bench_dbscan", "theirs", n),
        )
        ratio = ours_s / theirs_s
        missed |= ratio > TARGET
        print(
            f"{n:>9,}  {ours_s:7.3f}  {theirs_s:13.3f}  {ratio:5.2f}   {labels.max() + 1:8d}  "
            f"{int((labels == -1).sum()):5d}   "
            f"{mine['growth'] / 1e6:7.1f} / {theirs['growth'] / 1e6:.1f} (data {mine['data'] / 1e6:.1f})"
        )
    print(f"# load average at end: {load_average()}; target ours / fit <= {TARGET}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
