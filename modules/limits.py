"""Caps on what a graph may ask of the engine, declared once and shown wherever parameters are.

The declarations use them as parameter bounds, so graph validation refuses an oversized request with
the usual coded error before anything runs, and the catalogue and the docs show them. They are read
from the environment once per process, so the server and its worker processes agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from modules.errors import ModuleError


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


#: The largest number of clusters (k) a model may ask for (`STUDIO_MAX_CLUSTERS`). Each cluster adds a
#: distance column to every result table, so k also bounds the width of results.
MAX_CLUSTERS = _env_int("STUDIO_MAX_CLUSTERS", 1000, minimum=2)

#: The most candidates (values of k × initialisations × seeds) one sweep may enumerate
#: (`STUDIO_MAX_SWEEP_CANDIDATES`).
MAX_SWEEP_CANDIDATES = _env_int("STUDIO_MAX_SWEEP_CANDIDATES", 10_000, minimum=1)

#: The most memory (bytes) an algorithm may ask for the pairwise work of one fit — a matrix of the
#: distances between training rows, which grows with the square of the rows (`STUDIO_MAX_PAIRWISE_BYTES`;
#: default 2 GiB). An algorithm's ``check_matrix`` states its own cost through
#: :func:`check_pairwise_budget`, so a too-large input is refused with 0160 before anything is allocated.
MAX_PAIRWISE_BYTES = _env_int("STUDIO_MAX_PAIRWISE_BYTES", 2 * 1024**3, minimum=1)


def condensed_distance_bytes(n_rows: int) -> int:
    """The bytes of the condensed distance matrix of ``n_rows`` rows: n(n−1)/2 float64 values."""
    return n_rows * (n_rows - 1) // 2 * 8


def _bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def check_pairwise_budget(
    n_rows: int, cost: Callable[[int], int], what: str, *, budget: int | None = None
) -> None:
    """0160 when ``cost(n_rows)`` bytes (the algorithm's pairwise cost of ``n_rows`` training rows,
    increasing in the rows) exceed the budget (default :data:`MAX_PAIRWISE_BYTES`); the message names
    the limit, the input's need and the most rows that fit, and suggests sampling."""
    limit = MAX_PAIRWISE_BYTES if budget is None else budget
    need = cost(n_rows)
    if need <= limit:
        return
    low, high = 0, n_rows  # the most rows within the budget: cost(low) <= limit < cost(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if cost(middle) <= limit else (low, middle)
    raise ModuleError(
        "0160",
        f"{what} of {n_rows:,} training rows needs {_bytes(need)}, more than the memory budget of "
        f"{_bytes(limit)} (STUDIO_MAX_PAIRWISE_BYTES). At most {low:,} rows fit: train on a sample, e.g. "
        f"Split Data with a fraction of at most {low / n_rows:.4g} in front of the trainer.",
    )


def check_cluster_count(k: int, what: str) -> None:
    """0007 when a fit that decides the number of clusters (e.g. by a distance threshold) gives more
    than :data:`MAX_CLUSTERS`: checked before any per-cluster score is computed."""
    if k > MAX_CLUSTERS:
        raise ModuleError(
            "0007",
            f"{what} gives {k:,} clusters, more than the {MAX_CLUSTERS:,} a model may have "
            "(STUDIO_MAX_CLUSTERS): one score column per cluster would make the results too wide.",
        )
