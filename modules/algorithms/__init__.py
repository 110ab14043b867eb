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
    """Let every algorithm load what it compiles (a worker does it before its first task)."""
    for config in registered_configs():
        config.warm_up()
