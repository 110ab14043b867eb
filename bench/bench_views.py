"""Benchmark of the server-side views: table summaries and cluster chart payloads, against pandas.

    .venv/bin/python -m bench.bench_views

Prints each timing with its ratio to the pandas reference measured in the same run, and exits with
status 1 when a target is missed (the tests check the results; only this gates their speed):
- `table_summary` (statistics + histograms + preview) of 200k × 20 and 1M × 20 numbers, against
  `DataFrame.describe()` (which computes less), target ≤ 3× describe;
- the cluster chart of a 100,000-row result: sampled (5,000 points) target < 1 s, all points < 3 s;
- the exact silhouette of 5,000 rows (what the silhouette view computes at most): our kernel against
  scikit-learn's `silhouette_samples`, target ≤ 0.8× (we wrote our own only to be faster);
- the profile and silhouette payloads of a 1,000,000-row result (they sample; the first request
  computes them, later ones read them back): target < 1 s each.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_samples

from backend.services.outputs import cluster_visualization, table_summary
from backend.services.outputs.profiles import cluster_profiles
from backend.services.outputs.silhouette import silhouette_plot
from modules.results import ASSIGNMENTS, score_column
from modules.scoring import score_prefix
from modules.silhouette import EXACT_ROWS, exact_silhouette


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return min(timings)


def clustering_result(rows: int, k: int = 8, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=8, size=(k, 4))
    labels = rng.integers(0, k, rows)
    X = centres[labels] + rng.normal(size=(rows, 4))
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(4)])
    frame[ASSIGNMENTS] = labels
    for j in range(k):
        frame[score_column(score_prefix("kmeans"), j)] = np.linalg.norm(X - centres[j], axis=1)
    return frame


def main() -> None:
    missed: list[str] = []
    rng = np.random.default_rng(0)
    for rows in (200_000, 1_000_000):
        frame = pd.DataFrame(rng.normal(size=(rows, 20)), columns=[f"c{i}" for i in range(20)])
        ours = best_of(partial(table_summary, frame))
        pandas = best_of(frame.describe)
        ratio = ours / pandas
        print(
            f"table_summary {rows:>9,} x 20: {ours * 1000:7.0f} ms, describe() {pandas * 1000:6.0f} ms, "
            f"{ratio:.2f}x  (target <= 3x)"
        )
        if ratio > 3:
            missed.append(f"table_summary {rows}")
    result = clustering_result(100_000)
    for label, max_points, target_s in (("sampled", 5000, 1.0), ("all points", None, 3.0)):
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            json.dumps(cluster_visualization(result, max_points=max_points), allow_nan=False)
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        print(f"cluster chart 100,000 rows, {label:10}: {median * 1000:6.0f} ms  (target < {target_s:g} s)")
        if median >= target_s:
            missed.append(f"cluster chart {label}")
    missed += result_views()
    if missed:
        print(f"MISSED: {', '.join(missed)}")
        raise SystemExit(1)


def result_views() -> list[str]:
    """The silhouette kernel against scikit-learn, and the result views of a 1M-row table."""
    missed = []
    result = clustering_result(EXACT_ROWS)
    X = result[[f"f{i}" for i in range(4)]].to_numpy()
    labels = result[ASSIGNMENTS].to_numpy()
    ours, theirs = [], []
    for _ in range(3):  # alternating, so both sides see the same load
        ours.append(best_of(partial(exact_silhouette, X, labels), repeats=1))
        theirs.append(best_of(partial(silhouette_samples, X, labels), repeats=1))
    ratio = min(ours) / min(theirs)
    print(
        f"exact silhouette {EXACT_ROWS:,} rows: ours {min(ours) * 1000:5.0f} ms, silhouette_samples "
        f"{min(theirs) * 1000:5.0f} ms, {ratio:.2f}x  (target <= 0.8x)"
    )
    if ratio > 0.8:
        missed.append("exact silhouette")
    big = clustering_result(1_000_000)
    for name, view in (("profiles", cluster_profiles), ("silhouette", silhouette_plot)):
        seconds = best_of(lambda view=view: json.dumps(view(big), allow_nan=False))
        print(f"{name} payload 1,000,000 rows: {seconds * 1000:6.0f} ms  (target < 1 s)")
        if seconds >= 1.0:
            missed.append(f"{name} 1M")
    return missed


if __name__ == "__main__":
    main()
