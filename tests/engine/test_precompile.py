"""`python -m modules.engine.precompile` fills Numba's cache with everything the modules reach.

Each step is a fresh process on one throwaway cache directory: the first compiles (and, with
``--check``, says the cache was incomplete), the second finds every kernel on disk, and a third runs
real module graphs - both metrics, every initialisation, train, assign, sweep, evaluate - and must
not compile a single kernel.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from modules.engine.precompile import kernel_dispatchers

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Kernels that Iris-sized module runs do not reach: the bounds need a few 256-row chunks, the weighted
# M-step a weight column.
LARGE_OR_WEIGHTED_FIT_KERNELS = ("hamerly_pass", "block_sums_pass", "yinyang_pass")

# Every module that reaches the engine, on Iris, for one metric; prints the kernels' cache stats.
MODULE_WORKLOAD = """
import json, sys
import modules
from modules.engine.precompile import cache_stats, kernel_dispatchers
from modules.samples import load_sample

def node(node_id, module, **params):
    return {"id": node_id, "module": module, "params": params, "position": {"x": 0, "y": 0}}

def edge(source, source_port, target, target_port):
    return {"id": f"{source}-{target}-{target_port}", "source": source, "source_port": source_port,
            "target": target, "target_port": target_port}

metric = sys.argv[1]
inits = ["first_n", "random", "kmeans++", "kmeans++_fast", "evenly", "label_column"]
nodes = [node("data", "dataset", dataset_id="sample-iris"),
         node("range", "kmeans_clustering", trainer_mode="range", n_clusters_range="2-4",
              init_sweep=inits, metric=metric, seed=5),
         node("sweep", "sweep_clustering", sweep_mode="grid", label_column="species"),
         node("eval", "evaluate_clustering")]
edges = [edge("range", "untrained_model", "sweep", "untrained_model"),
         edge("data", "dataset", "sweep", "dataset"),
         edge("sweep", "results_dataset", "eval", "scored_dataset")]
for init in inits:
    nodes += [node(f"k-{init}", "kmeans_clustering", n_clusters=3, init=init, metric=metric, seed=7,
                   assign_label_mode="fill_missing"),
              node(f"t-{init}", "train_clustering_model", label_column="species"),
              node(f"a-{init}", "assign_data_to_clusters")]
    edges += [edge(f"k-{init}", "untrained_model", f"t-{init}", "untrained_model"),
              edge("data", "dataset", f"t-{init}", "dataset"),
              edge(f"t-{init}", "trained_model", f"a-{init}", "trained_model"),
              edge("data", "dataset", f"a-{init}", "dataset")]
outputs = modules.run_graph({"nodes": nodes, "edges": edges}, load_dataset=load_sample)
assert len(outputs[("sweep", "sweep_results")]) > 0
stats = cache_stats()
unused = sorted(name for name, kernel in kernel_dispatchers().items() if not kernel.stats.cache_hits)
print(json.dumps({"compiled": stats.compiled, "loaded": stats.loaded, "kernels": stats.kernels,
                  "unused": unused}))
"""


def _run(args: list[str], cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )


# A guard against a hung compile, not a time limit: compiling every kernel from an empty cache takes
# minutes on two cores.
@pytest.mark.timeout(1800)
def test_precompile_fills_the_cache_that_module_runs_then_load(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"

    first = _run(["-m", "modules.engine.precompile", "--check"], cache)
    assert first.returncode == 1, first.stdout + first.stderr  # an empty cache: everything compiled
    assert "0 loaded from the cache" in first.stdout and "incomplete" in first.stderr
    assert list(cache.rglob("*.nbi")), "nothing was written to NUMBA_CACHE_DIR"

    second = _run(["-m", "modules.engine.precompile", "--check"], cache)
    assert second.returncode == 0, second.stdout + second.stderr
    assert " 0 signatures compiled" in second.stdout
    counts = re.search(r"(\d+) kernels, 0 signatures compiled, (\d+) loaded", second.stdout)
    assert counts is not None and int(counts[2]) >= int(counts[1]), second.stdout  # it reaches them all
    assert "reaches no signature" not in second.stderr  # exercise() calls every kernel

    for metric in ("euclidean", "cosine"):
        workload = _run(["-c", MODULE_WORKLOAD, metric], cache)
        assert workload.returncode == 0, workload.stderr
        stats = json.loads(workload.stdout.strip().splitlines()[-1])
        assert stats["compiled"] == 0, f"{metric}: modules reached kernels the precompile missed: {stats}"
        # Every kernel is loaded but those only fits on more than a few chunks of rows or with weights
        # reach, `source_min_max` (the exact min and max, for a feature with a zero or
        # a missing value; Iris has neither), an always-inlined helper and, under cosine, the column
        # sums that centre Euclidean data and the Euclidean fit's final pass that scores its rows.
        expected = {*LARGE_OR_WEIGHTED_FIT_KERNELS, "source_min_max", "_row_distance"}
        euclidean_only = {"column_sums", "fit_labels_and_scores"}
        assert set(stats["unused"]) <= expected | (euclidean_only if metric == "cosine" else set()), stats


def test_every_compiled_function_is_a_cached_engine_kernel() -> None:
    """Precompiling helps only kernels with cache=True that live where the precompile looks: any module
    of modules/engine (the precompile scans the package)."""
    kernels = kernel_dispatchers()
    assert {"lloyd_pass", "nearest_and_distances", "silhouette_terms", "candidate_potentials"} <= set(kernels)
    assert set(LARGE_OR_WEIGHTED_FIT_KERNELS) <= set(kernels)
    for name, dispatcher in kernels.items():
        assert type(dispatcher._cache).__name__ == "FunctionCache", f"{name} lacks cache=True"  # type: ignore[attr-defined]
    jit = re.compile(r"^\s*@(numba\.)?n?jit\b", re.M)
    inlined = re.compile(r"^\s*@(numba\.)?n?jit\b.*inline=\"always\"", re.M)
    jitted_elsewhere = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "modules").rglob("*.py")
        if path.parent != ROOT / "modules" / "engine" and jit.search(path.read_text())
    ]
    assert jitted_elsewhere == [], "compiled functions outside modules/engine"
    defined = sum(
        len(jit.findall(text)) - len(inlined.findall(text)) - text.count(".compiled_into_caller = True")
        for text in (path.read_text() for path in (ROOT / "modules" / "engine").glob("*.py"))
    )
    assert len(kernels) == defined, "a compiled function of modules/engine that the precompile does not list"
