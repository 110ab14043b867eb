"""Peak memory of one side of an algorithm benchmark (ours: the module through Train; theirs: the bare
library call), each measured alone in a child process: the growth of its peak resident size (VmHWM,
reset through /proc/self/clear_refs) over what the process held before the call."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from bench.bench_engine import ROOT


def measure_side(
    side: str,
    df: pd.DataFrame,
    ours: Callable[[pd.DataFrame], Any],
    reference: Callable[[np.ndarray], Any],
) -> None:
    """In the child: run one side once on ``df`` (theirs on its matrix) and print
    ``{"growth", "data"}`` in bytes as JSON."""
    import resource

    from bench.machine import proc_status_bytes, reset_peak

    X = df.to_numpy() if side == "theirs" else None
    if side == "ours":
        ours(df.iloc[:1000])  # load the modules and the library before measuring
    else:
        reference(X[:1000])  # type: ignore[index]
    can_reset = reset_peak()
    before = proc_status_bytes("VmRSS")
    result = ours(df) if side == "ours" else reference(X)  # type: ignore[arg-type]
    peak = (
        proc_status_bytes("VmHWM") if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    )
    del result
    print(json.dumps({"growth": peak - before, "data": int(df.memory_usage(deep=True).sum())}))


def peak_growth(bench_module: str, side: str, n_rows: int) -> dict[str, int]:
    """In the parent: run ``python -m <bench_module> --child <side> --rows <n_rows>`` and read its JSON."""
    out = subprocess.run(
        [sys.executable, "-m", bench_module, "--child", side, "--rows", str(n_rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
