"""Benchmark of the k-means engine against scikit-learn, every ratio measured in the same run.

Run from the repository root::

    .venv/bin/python -m bench.bench_engine            # full size (1M rows), writes docs/benchmarks.md
    .venv/bin/python -m bench.bench_engine --quick    # 200k rows, prints only

Ratios are ours / scikit-learn's seconds (below 1.0 = we are faster). Both sides are warmed up first;
every timing is the best of ``--repeats`` runs. Peak memory is measured in a child process from
/proc/self/status (VmHWM after resetting it through /proc/self/clear_refs).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.machine import cores_and_cpu

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
LLOYD_CASES = ((20, 20), (2, 5), (100, 20))  # (features, clusters)
LLOYD_ITERATIONS = 20
CONVERGE_CASES = ((20, 20), (100, 50))  # (features, clusters = true blobs): fit to convergence
CONVERGE_MAX_ITER = 300
SWEEP_MAX_ITER = 30


def make_data(n_rows: int, n_features: int, seed: int = 0) -> np.ndarray:
    """Min-max scaled Gaussian blobs (what the studio feeds the engine): 30 blobs plus noise."""
    rng = np.random.default_rng(seed)
    centers = rng.random((30, n_features))
    X = rng.standard_normal((n_rows, n_features))
    X *= 0.12
    X += centers[rng.integers(0, 30, n_rows)]
    X -= X.min(axis=0)
    X /= X.max(axis=0)
    return X


def make_blobs_data(n_rows: int, n_features: int, n_centres: int, seed: int = 0) -> np.ndarray:
    """Min-max scaled Gaussian blobs around ``n_centres`` true centres (no noise rows)."""
    rng = np.random.default_rng(seed)
    centers = rng.random((n_centres, n_features))
    X = rng.standard_normal((n_rows, n_features))
    X *= 0.12
    X += centers[rng.integers(0, n_centres, n_rows)]
    X -= X.min(axis=0)
    X /= X.max(axis=0)
    return X


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def paired_best(
    repeats: int, ours: Callable[[], Any], theirs: Callable[[], Any]
) -> tuple[float, Any, float, Any]:
    """Best time of each side, alternating the two so that both see the same machine load."""
    ours_best = theirs_best = float("inf")
    ours_result = theirs_result = None
    for _ in range(repeats):
        seconds, ours_result = best_of(1, ours)
        ours_best = min(ours_best, seconds)
        seconds, theirs_result = best_of(1, theirs)
        theirs_best = min(theirs_best, seconds)
    return ours_best, ours_result, theirs_best, theirs_result


def warm_up() -> None:
    """Compile (or load from cache) every kernel, and let scikit-learn load its libraries."""
    from sklearn.cluster import KMeans, kmeans_plusplus

    from modules.engine import cluster_metrics, fit_kmeans, pairwise_distances

    X = make_data(5000, 4)
    for init in ("first_n", "random", "kmeans++", "kmeans++_fast", "evenly"):
        fit = fit_kmeans(X, 4, init=init, max_iter=5)
    fit_kmeans(X, 4, metric="cosine", max_iter=5)
    fit_kmeans(X, 4, max_iter=5, algorithm="hamerly")
    cluster_metrics(X, fit.centroids, fit.labels)
    pairwise_distances(X, fit.centroids)
    KMeans(4, n_init=1, max_iter=5, algorithm="lloyd").fit(X)
    kmeans_plusplus(X, 4, random_state=0)


def bench_lloyd(n_rows: int, n_features: int, n_clusters: int, repeats: int) -> dict[str, Any]:
    from sklearn.cluster import KMeans

    from modules.engine import fit_kmeans

    X = np.random.default_rng(n_features).random((n_rows, n_features))  # converges slowly: all passes run
    init = X[:n_clusters].copy()  # init="first_n" picks the same rows (they are distinct)
    ours_s, ours, sk_s, sk = paired_best(
        repeats,
        lambda: fit_kmeans(X, n_clusters, init="first_n", max_iter=LLOYD_ITERATIONS),
        lambda: KMeans(
            n_clusters, init=init, n_init=1, algorithm="lloyd", tol=0, max_iter=LLOYD_ITERATIONS
        ).fit(X),
    )
    return {
        "case": f"Lloyd {n_rows / 1e6:g}M x {n_features}, k={n_clusters}",
        "ours_s": ours_s / ours.n_iter,
        "sklearn_s": sk_s / sk.n_iter_,
        "unit": "s / iteration",
        "note": f"{ours.n_iter} vs {sk.n_iter_} iterations, "
        f"same labels: {np.array_equal(ours.labels, sk.labels_)}",
        "target": 1.0,
    }


def bench_converge(n_rows: int, n_features: int, n_clusters: int, repeats: int) -> dict[str, Any]:
    """A Train-like fit: blobs, First N, to convergence (tol=0); the bounds skip most distances."""
    from sklearn.cluster import KMeans

    from modules.engine import fit_kmeans

    X = make_blobs_data(n_rows, n_features, n_clusters, seed=n_features)
    init = X[:n_clusters].copy()
    ours_s, ours, sk_s, sk = paired_best(
        repeats,
        lambda: fit_kmeans(X, n_clusters, init="first_n", max_iter=CONVERGE_MAX_ITER),
        lambda: KMeans(
            n_clusters, init=init, n_init=1, algorithm="lloyd", tol=0, max_iter=CONVERGE_MAX_ITER
        ).fit(X),
    )
    return {
        "case": f"Fit to convergence, blobs {n_rows / 1e6:g}M x {n_features}, k={n_clusters}, First N",
        "ours_s": ours_s,
        "sklearn_s": sk_s,
        "unit": "s",
        "note": f"{ours.algorithm}, skipped {100 * ours.skipped_fraction:.1f} % of the distances; "
        f"{ours.n_iter} vs {sk.n_iter_} iterations, "
        f"same labels: {np.array_equal(ours.labels, sk.labels_)}",
        "target": 0.35,
    }


def bench_bounds_worst_case(n_rows: int, repeats: int) -> dict[str, Any]:
    """Uniform data, 20 passes: the bounds barely skip anything; "auto" must cost no more than plain."""
    from modules.engine import fit_kmeans

    X = np.random.default_rng(20).random((n_rows, 20))
    auto_s, auto, plain_s, plain = paired_best(
        repeats,
        lambda: fit_kmeans(X, 20, init="first_n", max_iter=LLOYD_ITERATIONS),
        lambda: fit_kmeans(X, 20, init="first_n", max_iter=LLOYD_ITERATIONS, algorithm="lloyd"),
    )
    return {
        "case": f"Bounds worst case, uniform {n_rows / 1e6:g}M x 20, k=20, {LLOYD_ITERATIONS} passes",
        "ours_s": auto_s,
        "sklearn_s": plain_s,
        "unit": "s",
        "note": f"reference column: our plain Lloyd (algorithm='lloyd'), not scikit-learn; auto ran "
        f"{auto.algorithm}, skipped {100 * auto.skipped_fraction:.1f} %; "
        f"same labels: {np.array_equal(auto.labels, plain.labels)}",
        "target": 1.05,
    }


def bench_kmeans_plusplus(n_rows: int, repeats: int) -> dict[str, Any]:
    from sklearn.cluster import kmeans_plusplus

    from modules.engine import initial_centroids

    X = make_data(n_rows, 20)
    ours_s, _, sk_s, _ = paired_best(
        repeats,
        lambda: initial_centroids(X, 20, "kmeans++", seed=0),
        lambda: kmeans_plusplus(X, 20, random_state=0),
    )
    return {
        "case": f"k-means++ init {n_rows / 1e6:g}M x 20, k=20",
        "ours_s": ours_s,
        "sklearn_s": sk_s,
        "unit": "s",
        "note": "greedy, 2 + log(k) trials per step on both sides",
        "target": 1.0,
    }


def numpy_simplified_silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """The simplified silhouette from a full (n, k) distance matrix, in plain NumPy."""
    rows = np.arange(labels.size)
    own = distances[rows, labels].copy()
    distances[rows, labels] = np.inf
    other = distances.min(axis=1)
    largest = np.maximum(own, other)
    scores = np.divide(other - own, largest, out=np.zeros_like(own), where=largest > 0)
    scores[np.bincount(labels)[labels] == 1] = 0.0
    return float(scores.mean())


def bench_sweep(n_rows: int) -> dict[str, Any]:
    from sklearn.cluster import KMeans

    from modules.engine import cluster_metrics, fit_kmeans

    X = make_data(n_rows, 20)

    def ours(k: int) -> int:
        fit = fit_kmeans(X, k, init="kmeans++", seed=k, max_iter=SWEEP_MAX_ITER)
        cluster_metrics(X, fit.centroids, fit.labels)
        return fit.n_iter

    def sklearn(k: int) -> int:
        km = KMeans(
            k, init="k-means++", n_init=1, algorithm="lloyd", tol=0, max_iter=SWEEP_MAX_ITER, random_state=k
        ).fit(X)
        numpy_simplified_silhouette(km.transform(X), km.labels_)
        return int(km.n_iter_)

    ours_s = sk_s = 0.0
    ours_iter = sk_iter = 0
    for k in range(2, 11):  # alternate per k so that both sides see the same machine load
        seconds, iterations, sk_seconds, sk_iterations = paired_best(
            1, functools.partial(ours, k), functools.partial(sklearn, k)
        )
        ours_s += seconds
        sk_s += sk_seconds
        ours_iter += iterations
        sk_iter += sk_iterations
    return {
        "case": f"Sweep k=2..10, {n_rows / 1e6:g}M x 20, + silhouette",
        "ours_s": ours_s,
        "sklearn_s": sk_s,
        "unit": "s",
        "note": f"{ours_iter} vs {sk_iter} Lloyd iterations in all (max {SWEEP_MAX_ITER} per k); "
        f"per iteration {ours_s / ours_iter:.4f} vs {sk_s / sk_iter:.4f} s",
        "target": None,
    }


def bench_silhouette(n_rows: int, repeats: int) -> dict[str, Any]:
    from sklearn.metrics.pairwise import euclidean_distances

    from modules.engine import cluster_metrics, fit_kmeans

    X = make_data(n_rows, 20)
    fit = fit_kmeans(X, 20, init="kmeans++", max_iter=10)
    ours_s, _, sk_s, _ = paired_best(
        repeats,
        lambda: cluster_metrics(X, fit.centroids, fit.labels),
        lambda: numpy_simplified_silhouette(euclidean_distances(X, fit.centroids), fit.labels),
    )
    return {
        "case": f"Sweep metrics (all four) {n_rows / 1e6:g}M x 20, k=20",
        "ours_s": ours_s,
        "sklearn_s": sk_s,
        "unit": "s",
        "note": "vs sklearn euclidean_distances + NumPy silhouette only; target: well under 1 s",
        "target": None,
    }


MEMORY_CHILD = r"""
import json, resource, sys
import numpy as np
from bench.bench_engine import make_data
from modules.engine import fit_kmeans, pairwise_distances

from bench.machine import proc_status_bytes as status, reset_peak

n_rows, what = int(sys.argv[1]), sys.argv[2]
small = make_data(2000, 20)
fit_kmeans(small, 20, max_iter=3)
pairwise_distances(small, small[:20])
if what == "sklearn":
    from sklearn.cluster import KMeans
    KMeans(20, n_init=1, max_iter=3).fit(small)
X = np.random.default_rng(0).random((n_rows, 20))
can_reset = reset_peak()
baseline = status("VmRSS")
if what == "fit":
    fit = fit_kmeans(X, 20, init="kmeans++", max_iter=20)
elif what == "fit+distances":
    fit = fit_kmeans(X, 20, init="kmeans++", max_iter=20)
    distances = pairwise_distances(X, fit.centroids)
else:
    KMeans(20, init="k-means++", n_init=1, algorithm="lloyd", max_iter=20).fit(X)
peak = status("VmHWM") if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"data": X.nbytes, "extra": peak - baseline, "reset": can_reset}))
"""


def bench_memory(n_rows: int) -> list[dict[str, Any]]:
    rows = []
    for what in ("fit", "fit+distances", "sklearn"):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(n_rows), what],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        label = {
            "fit": "fit_kmeans",
            "fit+distances": "fit_kmeans + pairwise_distances (n x k result)",
            "sklearn": "sklearn KMeans.fit (for reference)",
        }[what]
        rows.append(
            {
                "case": f"Peak memory {n_rows / 1e6:g}M x 20 ({result['data'] / 1e6:.0f} MB), {label}",
                "extra_mb": result["extra"] / 1e6,
                "multiple": 1.0 + result["extra"] / result["data"],
                "reset": result["reset"],
            }
        )
    return rows


COMPILE_CHILD = r"""
import time
start = time.perf_counter()
import numpy as np
from modules.engine import cluster_metrics, fit_kmeans, pairwise_distances
X = np.random.default_rng(0).random((3000, 4))
for init in ("first_n", "random", "kmeans++", "kmeans++_fast", "evenly"):
    fit = fit_kmeans(X, 4, init=init, max_iter=5)
fit_kmeans(X, 4, metric="cosine", max_iter=5)
cluster_metrics(X, fit.centroids, fit.labels)
pairwise_distances(X, fit.centroids)
print(time.perf_counter() - start)
"""


def bench_compile() -> dict[str, float]:
    """Seconds to import the engine and run every kernel once: empty Numba cache, then warm cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        times = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", COMPILE_CHILD],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(float(out.stdout.strip().splitlines()[-1]))
    return {"cold": times[0], "cached": times[1]}


def machine_summary() -> str:
    import numba
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    blas = {info.get("internal_api"): info.get("architecture") for info in threadpool_info()}
    return (
        f"{cores_and_cpu()}; Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, Numba {numba.__version__}, scikit-learn {sklearn.__version__}; "
        f"OpenBLAS kernel {blas.get('openblas')}; "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}"
    )


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def verdict(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return "holds" if ratio <= target else "MISSED"


def render(
    timing_rows: list[dict[str, Any]],
    memory_rows: list[dict[str, Any]],
    compile_s: dict[str, float],
    command: str,
) -> str:
    lines = [
        "| case | ours | scikit-learn | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    for row in timing_rows:
        ratio = row["ours_s"] / row["sklearn_s"]
        target = f"<= {row['target']:g}x {verdict(ratio, row['target'])}" if row["target"] else ""
        lines.append(
            f"| {row['case']} | {row['ours_s']:.4f} {row['unit']} | {row['sklearn_s']:.4f} {row['unit']} "
            f"| {ratio:.2f}x | {target} |"
        )
    lines.append("")
    lines.append("| memory case | peak extra over the loaded data | peak incl. data, x data | target |")
    lines.append("|---|---:|---:|---|")
    for row in memory_rows:
        target = "" if "sklearn" in row["case"] else f"<= 2.5x {verdict(row['multiple'], 2.5)}"
        lines.append(f"| {row['case']} | {row['extra_mb']:.0f} MB | {row['multiple']:.2f}x | {target} |")
    lines.append("")
    lines.append("Notes:")
    for row in timing_rows:
        lines.append(f"- {row['case']}: {row['note']}")
    lines.append(
        "- Numba compile: importing the engine and running every kernel once takes "
        f"{compile_s['cold']:.1f} s "
        f"with an empty cache (first run on a fresh checkout), {compile_s['cached']:.1f} s once the on-disk "
        f"cache (`cache=True`, `__pycache__`) is filled."
    )
    return "\n".join(lines)


def write_doc(table: str, command: str, quick: bool, load: str) -> None:
    today = datetime.date.today().isoformat()
    text = f"""# Engine benchmarks

Measured on {today} with `{command}` ({"quick, 200k rows" if quick else "1M rows"}).
Machine: {machine_summary()}.

Our engine (Numba kernels: per chunk of 256 rows a BLAS GEMM `X_chunk @ C.T`, then a compiled argmin
and accumulation of sums and counts; row blocks spread over the cores with BLAS pinned to one thread)
against scikit-learn on the same data in the same run. Ratio = ours / scikit-learn (below 1.0 = we are
faster). Lloyd cases start both from the same centroids (the first k rows) with a fixed iteration
budget ({LLOYD_ITERATIONS}, `tol=0`) on uniform random data (so every pass runs) and report whole-fit
seconds divided by the iterations run. The fits to convergence (min-max scaled Gaussian blobs around k
true centres, First N, `tol=0`, whole-fit seconds) let the engine's automatic choice use Hamerly's
bounds; the bounds' worst case compares that choice against our own plain Lloyd passes (uniform
data, {LLOYD_ITERATIONS} passes). The other cases use min-max scaled Gaussian blobs. Peak
memory is the child process's peak RSS growth (VmHWM, reset via /proc/self/clear_refs) while it
trains on data it already holds, reported as (data + growth) / data.

{table}

Reproduce: `{command}` (add `--quick` for a 200k-row smoke run; `--no-write` leaves this file alone).
Timings on a 2-core machine vary by 10-20% between runs; each is the best of 5 alternating runs
(the sweep: one run per k, alternating). Load average (1 min) at the start and end: {load}.
"""
    # Sections other benchmarks write ("## Dask" from bench_dask) follow this one: keep them.
    previous = DOC.read_text() if DOC.exists() else ""
    later = previous.find("\n## ")
    if later >= 0:
        text += previous[later:]
    DOC.write_text(text)


def accelerated_rows(n_rows: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for n_features, n_clusters in CONVERGE_CASES:
        rows.append(bench_converge(n_rows, n_features, n_clusters, repeats))
        print(rows[-1], flush=True)
    rows.append(bench_bounds_worst_case(n_rows, repeats))
    print(rows[-1], flush=True)
    return rows


def run_accelerated(n_rows: int, repeats: int) -> int:
    """The accelerated cases alone, printed (never written to the doc)."""
    print(machine_summary(), flush=True)
    warm_up()
    rows = accelerated_rows(n_rows, repeats)
    for row in rows:
        print(f"{row['case']}: ratio {row['ours_s'] / row['sklearn_s']:.2f}x (target {row['target']}x)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="200k rows instead of 1M; does not write the doc"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--only-accelerated",
        action="store_true",
        help="only the fits to convergence and the bounds' worst case",
    )
    parser.add_argument(
        "--bounds",
        action="store_true",
        help="only Yinyang's bounds against Hamerly's, k = 20..200 at d = 20 and 100 (bench_bounds)",
    )
    args = parser.parse_args(argv)
    if args.bounds:
        from bench.bench_bounds import run

        return run(200_000 if args.quick else 1_000_000, args.repeats)
    if args.only_accelerated:
        return run_accelerated(200_000 if args.quick else 1_000_000, args.repeats)
    n_rows = 200_000 if args.quick else 1_000_000
    command = ".venv/bin/python -m bench.bench_engine" + (" --quick" if args.quick else "")

    print(machine_summary(), flush=True)
    load_start = load_average()
    compile_s = bench_compile()
    print(f"compile: cold {compile_s['cold']:.1f} s, cached {compile_s['cached']:.1f} s", flush=True)
    warm_up()
    timing_rows = []
    for n_features, n_clusters in LLOYD_CASES:
        timing_rows.append(bench_lloyd(n_rows, n_features, n_clusters, args.repeats))
        print(timing_rows[-1], flush=True)
    timing_rows += accelerated_rows(n_rows, args.repeats)
    timing_rows.append(bench_kmeans_plusplus(n_rows, args.repeats))
    print(timing_rows[-1], flush=True)
    timing_rows.append(bench_sweep(n_rows))
    print(timing_rows[-1], flush=True)
    timing_rows.append(bench_silhouette(n_rows, args.repeats))
    print(timing_rows[-1], flush=True)
    memory_rows = bench_memory(n_rows)
    table = render(timing_rows, memory_rows, compile_s, command)
    print()
    print(table)
    if not args.quick and not args.no_write:
        write_doc(table, command, args.quick, f"{load_start} / {load_average()}")
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
