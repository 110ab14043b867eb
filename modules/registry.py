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
from modules.params import migrate_params as migrate_params_of

__all__ = [
    "add",
    "all",
    "catalogue",
    "dataset_refs",
    "model_refs",
    "stored_refs",
    "get",
    "migrate_params",
    "param_types",
    "port_types",
    "reload",
    "with_refs_replaced",
]

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


def add(module_class: type[Module]) -> None:
    """Register a declaration defined outside :mod:`modules.catalog` (a plugin, or a test's own
    module); :func:`reload` forgets it again."""
    module_class.check_declaration()
    found = _load()
    if module_class.id in found:
        raise ValueError(f"module id {module_class.id!r} declared twice")
    with _lock:
        found[module_class.id] = module_class()


def reload() -> None:
    """Forget the discovered and added modules (tests that add a catalogue file use it)."""
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


def migrate_params(module_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """A saved node's parameters under its module's current names (unchanged for an unknown module)."""
    found = _load().get(module_id)
    return migrate_params_of(found, params) if found is not None else params


def stored_refs(graph: dict[str, Any], param_type: str) -> list[tuple[str, str, str]]:
    """`(node id, parameter id, object id)` for every set parameter naming a stored object of
    `param_type` (``dataset`` or ``trained_model``)."""
    found: list[tuple[str, str, str]] = []
    for node in graph.get("nodes", []):
        module = _load().get(node.get("module", ""))
        if module is not None:
            found.extend(
                (node["id"], param, value)
                for param, value in module.stored_ids(node.get("params", {}), param_type)
            )
    return found


def dataset_refs(graph: dict[str, Any]) -> list[tuple[str, str, str]]:
    """`(node id, parameter id, dataset id)` for every parameter declared as a dataset that is set."""
    return stored_refs(graph, "dataset")


def model_refs(graph: dict[str, Any]) -> list[tuple[str, str, str]]:
    """`(node id, parameter id, saved model id)` for every set parameter declared as a trained model."""
    return stored_refs(graph, "trained_model")


def with_refs_replaced(
    graph: dict[str, Any], replacements: dict[str, str | None], param_type: str = "dataset"
) -> dict[str, Any]:
    """The graph with `param_type` parameters mapped through `replacements` (None empties the parameter)."""
    nodes = []
    for node in graph.get("nodes", []):
        params = dict(node.get("params", {}))
        module = _load().get(node.get("module", ""))
        for param in module.params if module is not None else ():
            if param.type == param_type and params.get(param.id) in replacements:
                params[param.id] = replacements[params[param.id]]
        nodes.append({**node, "params": params})
    return {**graph, "nodes": nodes}


def catalogue() -> list[dict[str, Any]]:
    """The JSON of ``GET /api/modules``: one object per module, in palette order."""
    return [m.to_json() for m in _load().values()]


def port_types() -> list[dict[str, str]]:
    """The port types (``id``, ``name``, ``description``); an edge joins ports of the same type."""
    return [t.to_json() for t in PORT_TYPES.values()]


def param_types() -> dict[str, str]:
    """The parameter kinds and what each one means for the UI."""
    return dict(PARAM_TYPES)
