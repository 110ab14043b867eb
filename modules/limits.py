"""Caps on what a graph may ask of the engine, declared once and shown wherever parameters are.

The declarations use them as parameter bounds, so graph validation refuses an oversized request with
the usual coded error before anything runs, and the catalogue and the docs show them. They are read
from the environment once per process, so the server and its worker processes agree.
"""

from __future__ import annotations

import os


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
