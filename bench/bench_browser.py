"""Browser timings, gated: runs the browser tests that measure, then checks their numbers.

    .venv/bin/python -m bench.bench_browser

The tests (tests/e2e/test_performance.py and the chart tests of test_visualize.py) only record what
they measure in tests/e2e/screenshots/perf.json — a loaded machine must never fail a test. This
script runs them against the production build in Debian Chromium and exits with status 1 when a
target is missed:
- 200-node graph: pan and zoom frame time p95 < 33 ms (30 frames a second);
- editor first load from a cold cache: graph drawn < 2 s;
- cluster chart first paint from navigation: 150 rows < 1 s, 100,000 rows (median of warm loads) < 1 s;
- each view of a 1,000,000-row result (clusters, table, silhouette, profiles, compare runs), median of
  warm loads < 1 s (the first, cold opening is reported beside it: the server computes the view then).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.e2e_helpers import PERF_RESULTS

TESTS = [
    "tests/e2e/test_performance.py",
    "tests/e2e/test_visualize.py::test_cluster_chart_of_100k_rows",
    "tests/e2e/test_visualize.py::test_cluster_chart_of_iris",
    "tests/e2e/test_views_1m_e2e.py",
]

TARGETS = [
    ("pan_zoom_200_nodes", ("pan", "p95_ms"), 33.0, "ms"),
    ("pan_zoom_200_nodes", ("zoom", "p95_ms"), 33.0, "ms"),
    ("editor_first_load", ("graph_drawn_s",), 2.0, "s"),
    ("cluster_chart_150_rows", ("first_paint_ms",), 1000.0, "ms"),
    ("cluster_chart_100k_rows", ("first_paint_warm_median_ms",), 1000.0, "ms"),
    *(
        ("views_1m_rows", (view, opening), 1000.0, "ms")
        for view in ("clusters", "table", "silhouette", "profiles", "compare_runs")
        for opening in ("cold_ms", "warm_median_ms")
    ),
]


def main() -> None:
    PERF_RESULTS.unlink(missing_ok=True)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-m", "e2e", "-q", *TESTS], check=False)
    if tests.returncode != 0:
        print("The measuring browser tests failed; no timings to gate.")
        raise SystemExit(1)
    results = json.loads(PERF_RESULTS.read_text())
    missed = []
    for name, path, target, unit in TARGETS:
        value = results.get(name)
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        label = f"{name} {'.'.join(path)}"
        if value is None:
            missed.append(f"{label} (not measured)")
            continue
        ok = value < target
        print(f"{label:58} {value:8.1f} {unit}  (target < {target:g} {unit})  {'ok' if ok else 'MISSED'}")
        if not ok:
            missed.append(label)
    if missed:
        print(f"MISSED: {', '.join(missed)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
