"""The module registry: every declaration found in :mod:`modules.catalog`, one file per module.

Adding an algorithm means adding one file to ``modules/catalog/`` with one :class:`Module`
subclass; the palette, the parameter panel, validation, execution and ``GET /api/modules`` pick
it up from here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from typing import Any

from modules.contract import PARAM_TYPES, PORT_TYPES, Module

__all__ = ["all", "catalogue", "get", "port_types", "param_types", "reload"]

_lock = threading.Lock()
_modules: dict[str, Module] | None = None


def _discover() -> dict[str, Module]:
    import modules.catalog as package

    found: dict[str, Module] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if obj is Module or not issubclass(obj, Module) or obj.__module__ != mod.__name__:
                continue
            if inspect.isabstract(obj) or not hasattr(obj, "id"):
                continue
            obj.check_declaration()
            if obj.id in found:
                raise ValueError(f"module id {obj.id!r} declared twice ({mod.__name__})")
            found[obj.id] = obj()
    ordered = sorted(found.values(), key=lambda m: (m.order, m.id))
    return {m.id: m for m in ordered}


def _load() -> dict[str, Module]:
    global _modules
    if _modules is None:
        with _lock:
            if _modules is None:
                _modules = _discover()
    return _modules


def reload() -> None:
    """Forget the discovered modules (tests that add a catalogue file use it)."""
    global _modules
    with _lock:
        _modules = None


def get(module_id: str) -> Module:
    """The declaration of ``module_id``; KeyError naming it when there is none."""
    try:
        return _load()[module_id]
    except KeyError:
        raise KeyError(f"unknown module {module_id!r}") from None


def has(module_id: str) -> bool:
    return module_id in _load()


def all() -> list[Module]:  # noqa: A001 - the registry's vocabulary
    """Every declaration, in palette order."""
    return list(_load().values())


def catalogue() -> list[dict[str, Any]]:
    """The JSON of ``GET /api/modules``: one object per module, in palette order."""
    return [m.to_json() for m in _load().values()]


def port_types() -> list[dict[str, str]]:
    """The port types (``id``, ``name``, ``description``); an edge joins ports of the same type."""
    return [t.to_json() for t in PORT_TYPES.values()]


def param_types() -> dict[str, str]:
    """The parameter kinds and what each one means for the UI."""
    return dict(PARAM_TYPES)
