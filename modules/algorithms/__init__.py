"""Clustering algorithms behind one seam (:mod:`modules.algorithms.base`).

Every other file of this package is an algorithm; importing the package imports them all, and
defining their classes registers them (so a saved model of any of them loads).
"""

import importlib
import pkgutil

from modules.algorithms.base import registered_configs

for _info in pkgutil.iter_modules(__path__):
    if _info.name != "base" and not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")


def warm_up() -> None:
    """Load every compiled kernel a module can reach, so that no task waits for one (a worker does this
    before it takes its first task): each algorithm's own warm-up, then every engine kernel with the
    argument types runs use (both metrics, every initialisation, scoring, metrics). Kernels come from
    Numba's on-disk cache that the install step filled; one missing there is compiled now instead."""
    from modules.engine.precompile import exercise

    for config in registered_configs():
        config.warm_up()
    exercise()
