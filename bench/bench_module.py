"""Benchmark of the whole clustering modules (not only the kernel) against scikit-learn, same run.

Run from the repository root::

    .venv/bin/python -m bench.bench_module            # 1M rows x 20 columns
    .venv/bin/python -m bench.bench_module --quick    # 200k rows

Cases (ratio = ours / reference; below 1.0 = we are faster):

* Train Clustering Model, headless (``modules.run_module``), on a 1M x 20 uniform DataFrame, k=20,
  First N, 20 passes, Result Only — against scikit-learn ``KMeans(init=X[:20], n_init=1,
  max_iter=20, tol=0, algorithm="lloyd").fit(X)`` + ``transform(X)``, with the module's time split
  into feature matrix, fit with scoring (the fit scores the training rows in its final pass) and result
  table;
* the feature-matrix conversion against ``np.ascontiguousarray(df[cols].to_numpy(float))``;
* Assign Data to Clusters against scikit-learn ``transform`` + ``argmin``;
* Sweep Clustering over several k against scikit-learn fitting the same k + ``transform`` of the best;
* peak memory of Train with its result, in a child process (VmHWM after resetting it through
  /proc/self/clear_refs), as (data + peak growth) / (data + result).

Exit status 1 when a target is missed. Timings on a shared 2-core machine are noisy: each is the
best of ``--repeats`` alternating runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from bench.bench_engine import ROOT, load_average, machine_summary, paired_best

N_FEATURES = 20
N_CLUSTERS = 20
ITERATIONS = 20
SWEEP_KS = (5, 10, 20)
TRAIN_TARGET = 0.6
CONVERSION_TARGET = 2.0
MEMORY_TARGET = 1.5


def make_frame(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """A uniform random table of float64 columns f0 … f19 (one block, as a Parquet read gives)."""
    X = np.random.default_rng(seed).random((n_rows, N_FEATURES))
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(N_FEATURES)])


def kmeans_config(**settings: Any) -> Any:
    import modules

    params = {"n_clusters": N_CLUSTERS, "init": "first_n", "seed": 0, "iterations": ITERATIONS}
    return modules.run_module("kmeans_clustering", {**params, **settings}, {})["untrained_model"]


def run_train(df: pd.DataFrame, config: Any) -> dict[str, Any]:
    import modules

    return modules.run_module(
        "train_clustering_model", {"append": False}, {"untrained_model": config, "dataset": df}
    )


def sklearn_fit_transform(X: np.ndarray) -> tuple[Any, np.ndarray]:
    from sklearn.cluster import KMeans

    km = KMeans(
        n_clusters=N_CLUSTERS, init=X[:N_CLUSTERS], n_init=1, max_iter=ITERATIONS, tol=0, algorithm="lloyd"
    ).fit(X)
    return km, km.transform(X)


def warm_up() -> None:
    """Load every kernel and let scikit-learn load its libraries."""
    df = make_frame(3000, seed=1)
    out = run_train(df, kmeans_config())
    import modules

    modules.run_module("assign_data_to_clusters", {}, {"trained_model": out["trained_model"], "dataset": df})
    sklearn_fit_transform(df.to_numpy())


def bench_train(df: pd.DataFrame, repeats: int) -> dict[str, Any]:
    X = df.to_numpy()
    config = kmeans_config()
    ours_s, ours, sk_s, (km, _) = paired_best(
        repeats, lambda: run_train(df, config), lambda: sklearn_fit_transform(X)
    )
    model = ours["trained_model"].model
    same = np.array_equal(ours["results_dataset"]["Assignments"].to_numpy(dtype=np.int64), km.labels_)
    return {
        "case": f"Train Clustering Model {len(df) / 1e6:g}M x {N_FEATURES}, k={N_CLUSTERS}, First N, "
        f"{ITERATIONS} passes, Result Only",
        "ours_s": ours_s,
        "reference_s": sk_s,
        "reference": "sklearn fit + transform",
        "note": f"{model.iterations_run} vs {km.n_iter_} iterations; same assignments: {same} "
        "(ours min-max normalises first, as the module does by default)",
        "target": TRAIN_TARGET,
    }


def train_profile(df: pd.DataFrame) -> dict[str, float]:
    """The module's steps timed one by one: feature matrix, fit with the scoring of the training rows
    (one call: the fit scores them in its final pass), result table."""
    from modules.algorithms.base import Candidate
    from modules.column_types import table_schema
    from modules.context import RunContext
    from modules.features import fit_features, plan_features
    from modules.scoring import results_table
    from modules.training import train_and_score

    config = kmeans_config()
    ctx = RunContext()
    steps: dict[str, float] = {}

    def timed(name: str, run: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = run()
        steps[name] = time.perf_counter() - start
        return result

    plan = plan_features(table_schema(df), None, None)
    prepared = timed("feature matrix", lambda: fit_features(df, plan, normalize=True))
    candidate = Candidate(N_CLUSTERS, "first_n", 0)
    model, scores = timed(
        "fit and scoring",
        lambda: train_and_score(prepared, config, candidate, label_column=None, init_labels=None, ctx=ctx),
    )
    timed("result table", lambda: results_table(df, scores, model, append=False, ctx=ctx))
    return steps


def bench_conversion(df: pd.DataFrame, repeats: int) -> dict[str, Any]:
    from modules.features import fit_features

    cols = list(df.columns)
    plan = [(c, "numeric") for c in cols]
    ours_s, _, ref_s, _ = paired_best(
        repeats,
        lambda: fit_features(df, plan, normalize=True),
        lambda: np.ascontiguousarray(df[cols].to_numpy(float)),
    )
    return {
        "case": f"Feature matrix {len(df) / 1e6:g}M x {N_FEATURES} (min-max normalised)",
        "ours_s": ours_s,
        "reference_s": ref_s,
        "reference": "np.ascontiguousarray(df[cols].to_numpy(float))",
        "note": "ours also finds min, max and missing values and normalises",
        "target": CONVERSION_TARGET,
    }


def bench_assign(df: pd.DataFrame, repeats: int) -> dict[str, Any]:
    import modules

    X = df.to_numpy()
    trained = run_train(df.iloc[:50_000].copy(), kmeans_config())["trained_model"]
    km, _ = sklearn_fit_transform(X[:50_000])

    def ours() -> pd.DataFrame:
        return modules.run_module(
            "assign_data_to_clusters", {"append": False}, {"trained_model": trained, "dataset": df}
        )["results_dataset"]

    ours_s, _, sk_s, _ = paired_best(repeats, ours, lambda: km.transform(X).argmin(axis=1))
    return {
        "case": f"Assign Data to Clusters {len(df) / 1e6:g}M x {N_FEATURES}, k={N_CLUSTERS}, Result Only",
        "ours_s": ours_s,
        "reference_s": sk_s,
        "reference": "sklearn transform + argmin",
        "note": "ours builds the results table too",
        "target": None,
    }


def bench_sweep(df: pd.DataFrame) -> dict[str, Any]:
    from sklearn.cluster import KMeans

    import modules

    X = df.to_numpy()
    config = kmeans_config(trainer_mode="range", n_clusters_range=list(SWEEP_KS), init_sweep=["first_n"])

    def ours() -> Any:
        return modules.run_module(
            "sweep_clustering",
            {"sweep_mode": "grid", "append": False},
            {"untrained_model": config, "dataset": df},
        )

    def sklearn() -> Any:
        fits = [
            KMeans(k, init=X[:k], n_init=1, max_iter=ITERATIONS, tol=0, algorithm="lloyd").fit(X)
            for k in SWEEP_KS
        ]
        best = min(fits, key=lambda km: km.inertia_)
        return best.transform(X)

    ours_s, _, sk_s, _ = paired_best(1, ours, sklearn)
    return {
        "case": f"Sweep Clustering k={','.join(map(str, SWEEP_KS))}, {len(df) / 1e6:g}M x {N_FEATURES}, "
        f"{ITERATIONS} passes each",
        "ours_s": ours_s,
        "reference_s": sk_s,
        "reference": "sklearn fit per k + transform of one",
        "note": "ours also computes the four sweep metrics per candidate",
        "target": None,
    }


MEMORY_CHILD = r"""
import json, resource, sys
import numpy as np
from bench.bench_module import kmeans_config, make_frame, run_train

from bench.machine import proc_status_bytes as status, reset_peak

n_rows = int(sys.argv[1])
config = kmeans_config()
run_train(make_frame(3000, seed=1), config)
df = make_frame(n_rows)
data = int(df.memory_usage(deep=True).sum())
can_reset = reset_peak()
baseline = status("VmRSS")
out = run_train(df, config)
peak = status("VmHWM") if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
result = int(out["results_dataset"].memory_usage(deep=True).sum())
print(json.dumps({"data": data, "result": result, "growth": peak - baseline, "reset": can_reset}))
"""


def bench_memory(n_rows: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(n_rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    m = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "case": f"Peak memory, Train {n_rows / 1e6:g}M x {N_FEATURES} with its result (Result Only)",
        "data_mb": m["data"] / 1e6,
        "result_mb": m["result"] / 1e6,
        "growth_mb": m["growth"] / 1e6,
        "multiple": (m["data"] + m["growth"]) / (m["data"] + m["result"]),
        "reset": m["reset"],
        "target": MEMORY_TARGET,
    }


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"<= {target:g}x " + ("holds" if value <= target else "MISSED")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200k rows instead of 1M")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n_rows = 200_000 if args.quick else 1_000_000

    print(machine_summary(), flush=True)
    load_start = load_average()
    warm_up()
    df = make_frame(n_rows)
    rows = [bench_train(df, args.repeats)]
    print(rows[-1], flush=True)
    profile = train_profile(df)
    print("Train profile: " + ", ".join(f"{k} {v:.3f} s" for k, v in profile.items()), flush=True)
    rows.append(bench_conversion(df, args.repeats))
    print(rows[-1], flush=True)
    rows.append(bench_assign(df, args.repeats))
    print(rows[-1], flush=True)
    rows.append(bench_sweep(df))
    print(rows[-1], flush=True)
    del df
    memory = bench_memory(n_rows)
    print(memory, flush=True)

    print()
    print("| case | ours | reference | ratio | target |")
    print("|---|---:|---:|---:|---|")
    missed = False
    for row in rows:
        ratio = row["ours_s"] / row["reference_s"]
        missed |= row["target"] is not None and ratio > row["target"]
        print(
            f"| {row['case']} | {row['ours_s']:.3f} s | {row['reference_s']:.3f} s ({row['reference']}) "
            f"| {ratio:.2f}x | {verdict(ratio, row['target'])} |"
        )
    missed |= memory["multiple"] > memory["target"]
    print(
        f"| {memory['case']} | +{memory['growth_mb']:.0f} MB peak over {memory['data_mb']:.0f} MB data | "
        f"result {memory['result_mb']:.0f} MB | {memory['multiple']:.2f}x (data + growth) / (data + result) "
        f"| {verdict(memory['multiple'], memory['target'])} |"
    )
    print()
    print("Train profile: " + ", ".join(f"{k} {v:.3f} s" for k, v in profile.items()))
    for row in rows:
        print(f"- {row['case']}: {row['note']}")
    print(f"Load average (1 min) at the start and end: {load_start} / {load_average()}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
