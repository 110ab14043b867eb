"""Yinyang's bounds against Hamerly's at growing k: the figures behind ``_passes.choose_algorithm``.

Run from the repository root (``bench.bench_engine --bounds`` runs the same cases)::

    .venv/bin/python -m bench.bench_bounds            # 200k rows
    .venv/bin/python -m bench.bench_bounds --rows 1000000

Each case fits min-max scaled Gaussian blobs around k true centres (First N, to convergence, tol=0,
at most ``MAX_ITER`` passes) with ``algorithm="auto"`` (plain passes until few labels change, then
bounds) twice: its bounds forced to Hamerly's, then to Yinyang's; alternating, best of ``--repeats``.
The ratio is Yinyang's seconds / Hamerly's (below 1.0: Yinyang pays), in wall time and in process CPU
time (on a busy machine run it with ``NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1``: CPU time then
counts the work alone, not other processes' load nor idle threads spinning). Both fits must give the same
labels and iteration count (they are exact); ``auto`` as shipped is timed too (what the cost model
picks).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

BOUNDS_CASES = tuple((d, k) for d in (20, 100) for k in (20, 50, 100, 200))  # (features, clusters)
MAX_ITER = 100


def blobs(n_rows: int, n_features: int, n_centres: int, seed: int = 0) -> np.ndarray:
    """Min-max scaled Gaussian blobs around ``n_centres`` true centres (as bench_engine's fits)."""
    rng = np.random.default_rng(seed)
    centers = rng.random((n_centres, n_features))
    X = rng.standard_normal((n_rows, n_features))
    X *= 0.12
    X += centers[rng.integers(0, n_centres, n_rows)]
    X -= X.min(axis=0)
    X /= X.max(axis=0)
    return X


def _auto_fit(X: np.ndarray, n_clusters: int, bounds: str) -> Any:
    """``algorithm="auto"`` (bounds once few labels change, plain passes while they do not pay) with
    its choice of bounds forced to ``bounds``, by moving the cost model's Yinyang threshold."""
    from modules.engine import _passes, fit_kmeans

    threshold = _passes.YINYANG_MIN_CLUSTERS
    _passes.YINYANG_MIN_CLUSTERS = 0 if bounds == "yinyang" else 10**9
    try:
        return fit_kmeans(X, n_clusters, init="first_n", max_iter=MAX_ITER)
    finally:
        _passes.YINYANG_MIN_CLUSTERS = threshold


def bench_bounds_case(n_rows: int, n_features: int, n_clusters: int, repeats: int) -> dict[str, Any]:
    """Seconds of the auto fit with Hamerly's and with Yinyang's bounds, and of today's auto choice,
    best of ``repeats`` alternating."""
    from modules.engine import fit_kmeans

    X = blobs(n_rows, n_features, n_clusters, seed=n_features + n_clusters)
    runs = {
        "hamerly": lambda: _auto_fit(X, n_clusters, "hamerly"),
        "yinyang": lambda: _auto_fit(X, n_clusters, "yinyang"),
        "auto": lambda: fit_kmeans(X, n_clusters, init="first_n", max_iter=MAX_ITER),
    }
    best = dict.fromkeys(runs, np.inf)
    cpu = dict.fromkeys(runs, np.inf)
    fits: dict[str, Any] = {}
    for _ in range(repeats):
        for name, run_fit in runs.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            fits[name] = run_fit()
            best[name] = min(best[name], time.perf_counter() - started)
            cpu[name] = min(cpu[name], time.process_time() - cpu_started)
    hamerly, yinyang, auto = fits["hamerly"], fits["yinyang"], fits["auto"]
    return {
        "case": f"blobs {n_rows / 1e6:g}M x {n_features}, k={n_clusters}",
        "hamerly_s": best["hamerly"],
        "yinyang_s": best["yinyang"],
        "auto_s": best["auto"],
        "ratio": best["yinyang"] / best["hamerly"],
        "cpu_ratio": cpu["yinyang"] / cpu["hamerly"],
        "cpu_s": (cpu["hamerly"], cpu["yinyang"]),
        "iterations": hamerly.n_iter,
        "skipped": (hamerly.skipped_fraction, yinyang.skipped_fraction),
        "ran": (hamerly.algorithm, yinyang.algorithm, auto.algorithm),
        "exact": bool(
            np.array_equal(hamerly.labels, yinyang.labels)
            and hamerly.n_iter == yinyang.n_iter == auto.n_iter
            and np.array_equal(hamerly.centroids, yinyang.centroids)
        ),
    }


def format_row(row: dict[str, Any]) -> str:
    return (
        f"{row['case']}: Hamerly {row['hamerly_s']:.3f} s, Yinyang {row['yinyang_s']:.3f} s "
        f"(ratio {row['ratio']:.2f}x; CPU {row['cpu_s'][0]:.3f} / {row['cpu_s'][1]:.3f} s, "
        f"ratio {row['cpu_ratio']:.2f}x), auto {row['auto_s']:.3f} s; ran {'/'.join(row['ran'])}; "
        f"{row['iterations']} passes, skipped {100 * row['skipped'][0]:.1f} % / "
        f"{100 * row['skipped'][1]:.1f} %; identical: {row['exact']}"
    )


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def run(n_rows: int, repeats: int, cases: tuple[tuple[int, int], ...] = BOUNDS_CASES) -> int:
    from modules.engine import fit_kmeans

    warm = blobs(5000, 4, 4)
    for algorithm in ("hamerly", "yinyang", "auto"):
        fit_kmeans(warm, 4, init="first_n", max_iter=5, algorithm=algorithm)
    exact = True
    for n_features, n_clusters in cases:
        load = load_average()
        row = bench_bounds_case(n_rows, n_features, n_clusters, repeats)
        exact &= row["exact"]
        print(f"{format_row(row)}; load {load} / {load_average()}", flush=True)
    return 0 if exact else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--case", action="append", default=[], help="d,k (repeatable); default: all")
    args = parser.parse_args(argv)
    cases = tuple(tuple(int(v) for v in case.split(",")) for case in args.case) or BOUNDS_CASES
    return run(args.rows, args.repeats, cases)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
