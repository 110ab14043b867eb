"""Experiment graphs (the JSON of ``api.md``): validation, ordering and headless execution.

A graph is ``{"nodes": [{id, module, params, ...}], "edges": [{id, source, source_port, target,
target_port}]}``. :func:`validate_graph` reports every problem it can find without running
anything; :func:`run_graph` runs the modules in topological order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from modules import registry
from modules.columns import select_columns
from modules.context import RunContext
from modules.contract import InferEnv, Module, Schema, check_params
from modules.errors import ModuleError
from modules.runner import run_module

__all__ = ["GraphError", "ancestors", "run_graph", "topological_order", "validate_graph"]

#: Error codes of the graph's structure (as opposed to a node's parameters or columns).
STRUCTURAL_CODES = frozenset(
    {
        "invalid_graph",
        "duplicate_node",
        "unknown_module",
        "unknown_node",
        "unknown_port",
        "type_mismatch",
        "duplicate_input",
        "cycle",
        "0003",
    }
)


class GraphError(ValueError):
    """A graph that cannot run as drawn; ``errors`` are the validation errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        first = errors[0]["message"] if errors else "invalid graph"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


def _issue(code: str, message: str, **where: Any) -> dict[str, Any]:
    return {**{k: v for k, v in where.items() if v is not None}, "code": code, "message": message}


def _nodes(graph: Any) -> list[dict[str, Any]]:
    nodes = graph.get("nodes", []) if isinstance(graph, dict) else None
    return [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []


def _edges(graph: Any) -> list[dict[str, Any]]:
    edges = graph.get("edges", []) if isinstance(graph, dict) else None
    return [e for e in edges if isinstance(e, dict)] if isinstance(edges, list) else []


def _order(node_ids: list[str], edges: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Kahn's algorithm, ties broken by the nodes' order in the graph: ``(ordered, left in cycles)``."""
    position = {nid: i for i, nid in enumerate(node_ids)}
    indegree = dict.fromkeys(node_ids, 0)
    succ: dict[str, list[str]] = {nid: [] for nid in node_ids}
    for src, tgt in edges:
        if src in position and tgt in position:
            succ[src].append(tgt)
            indegree[tgt] += 1
    ready = [(position[n], n) for n in node_ids if indegree[n] == 0]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        _, nid = heapq.heappop(ready)
        ordered.append(nid)
        for nxt in succ[nid]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (position[nxt], nxt))
    done = set(ordered)
    return ordered, [n for n in node_ids if n not in done]


def topological_order(graph: dict[str, Any]) -> list[str]:
    """Node ids so that every edge goes forwards (ties: the graph's node order); GraphError on a cycle."""
    ids = [str(n.get("id")) for n in _nodes(graph)]
    ordered, rest = _order(ids, ((str(e.get("source")), str(e.get("target"))) for e in _edges(graph)))
    if rest:
        raise GraphError([_issue("cycle", f"Node {nid!r} is part of a cycle.", node_id=nid) for nid in rest])
    return ordered


def ancestors(graph: dict[str, Any], node_ids: Iterable[str]) -> set[str]:
    """The named nodes and every node they depend on ("Run selected"). KeyError for an unknown id."""
    known = {str(n.get("id")) for n in _nodes(graph)}
    preds: dict[str, set[str]] = {nid: set() for nid in known}
    for e in _edges(graph):
        src, tgt = str(e.get("source")), str(e.get("target"))
        if src in known and tgt in known:
            preds[tgt].add(src)
    out: set[str] = set()
    stack = list(node_ids)
    for nid in stack:
        if nid not in known:
            raise KeyError(f"unknown node {nid!r}")
    while stack:
        nid = stack.pop()
        if nid in out:
            continue
        out.add(nid)
        stack.extend(preds[nid] - out)
    return out


def _sample_columns(dataset_id: str) -> Schema | None:
    from modules.samples import sample_columns

    return sample_columns(dataset_id)


def validate_graph(
    graph: dict[str, Any],
    dataset_columns: Callable[[str], list[tuple[str, str]] | None] | None = None,
    *,
    structure_only: bool = False,
) -> dict[str, Any]:
    """Check a graph without running it.

    Returns ``{"valid": bool, "errors": [...], "warnings": [...]}``; each entry is ``{node_id?,
    edge_id?, port?, param?, code, message}``. Codes: ``invalid_graph``, ``duplicate_node``,
    ``unknown_module``, ``unknown_node`` (an edge names a node that does not exist), ``unknown_port``,
    ``type_mismatch``, ``duplicate_input`` (a second edge into one input), ``cycle``, ``0003`` (a
    required input is not connected), parameter codes (``0002``, ``0004``–``0008``) and, where an
    upstream table's columns are known, column codes (``0001``, ``0011``, ``0017``, ``0024``,
    ``0025`` …) as the modules themselves would raise them. ``dataset_columns(dataset_id)`` gives an
    uploaded dataset's ``[(name, type)]`` (None = unknown); sample datasets are known without it.
    Warnings: parameters the module does not declare (``unknown_param``) and the modules' own
    warnings (``warning``).
    """
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    if (
        not isinstance(graph, dict)
        or not isinstance(graph.get("nodes", []), list)
        or not isinstance(graph.get("edges", []), list)
    ):
        errors.append(_issue("invalid_graph", "A graph is an object with 'nodes' and 'edges' lists."))
        return {"valid": False, "errors": errors, "warnings": warnings}

    # -- nodes ----------------------------------------------------------------------------------------
    modules: dict[str, Module] = {}
    params_of: dict[str, dict[str, Any]] = {}
    node_ids: list[str] = []
    for i, node in enumerate(graph.get("nodes", [])):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node.get("id"):
            errors.append(_issue("invalid_graph", f"Node #{i + 1} has no string 'id'."))
            continue
        nid = node["id"]
        if nid in params_of:
            errors.append(_issue("duplicate_node", f"Two nodes have the id {nid!r}.", node_id=nid))
            continue
        node_ids.append(nid)
        params = node.get("params") or {}
        if not isinstance(params, dict):
            errors.append(_issue("0002", f"Node {nid!r}: 'params' must be an object.", node_id=nid))
            params = {}
        params_of[nid] = params
        module_id = node.get("module")
        if not isinstance(module_id, str) or not registry.has(module_id):
            errors.append(
                _issue("unknown_module", f"Node {nid!r}: unknown module {module_id!r}.", node_id=nid)
            )
            continue
        modules[nid] = registry.get(module_id)

    # -- edges ----------------------------------------------------------------------------------------
    connected: dict[tuple[str, str], tuple[str, str]] = {}  # (target, port) -> (source, port)
    good_edges: list[tuple[str, str]] = []
    for i, edge in enumerate(graph.get("edges", [])):
        if not isinstance(edge, dict):
            errors.append(_issue("invalid_graph", f"Edge #{i + 1} is not an object."))
            continue
        eid = str(edge.get("id", f"#{i + 1}"))
        src, tgt = edge.get("source"), edge.get("target")
        sport, tport = edge.get("source_port"), edge.get("target_port")
        bad = False
        for end, nid in (("source", src), ("target", tgt)):
            if nid not in params_of:
                errors.append(
                    _issue("unknown_node", f"Edge {eid!r}: {end} node {nid!r} does not exist.", edge_id=eid)
                )
                bad = True
        if bad:
            continue
        assert isinstance(src, str) and isinstance(tgt, str)
        smod, tmod = modules.get(src), modules.get(tgt)
        out_port = smod.output(sport) if smod is not None and isinstance(sport, str) else None
        in_port = tmod.input(tport) if tmod is not None and isinstance(tport, str) else None
        if smod is not None and out_port is None:
            errors.append(
                _issue(
                    "unknown_port",
                    f"Edge {eid!r}: {smod.name} has no output port {sport!r}.",
                    edge_id=eid,
                    node_id=src,
                    port=sport if isinstance(sport, str) else None,
                )
            )
            bad = True
        if tmod is not None and in_port is None:
            errors.append(
                _issue(
                    "unknown_port",
                    f"Edge {eid!r}: {tmod.name} has no input port {tport!r}.",
                    edge_id=eid,
                    node_id=tgt,
                    port=tport if isinstance(tport, str) else None,
                )
            )
            bad = True
        if src == tgt:
            errors.append(
                _issue("cycle", f"Edge {eid!r} connects node {src!r} to itself.", edge_id=eid, node_id=src)
            )
            bad = True
        if bad or out_port is None or in_port is None:
            if not bad:
                good_edges.append((src, tgt))  # an unknown module: keep the edge for cycle detection
            continue
        if out_port.type != in_port.type:
            errors.append(
                _issue(
                    "type_mismatch",
                    f"Edge {eid!r}: output '{out_port.name}' ({out_port.type}) cannot feed input "
                    f"'{in_port.name}' ({in_port.type}).",
                    edge_id=eid,
                    node_id=tgt,
                    port=in_port.id,
                )
            )
            continue
        if (tgt, in_port.id) in connected:
            errors.append(
                _issue(
                    "duplicate_input",
                    f"Edge {eid!r}: input '{in_port.name}' of node {tgt!r} already has an edge; an input "
                    "takes at most one.",
                    edge_id=eid,
                    node_id=tgt,
                    port=in_port.id,
                )
            )
            continue
        connected[(tgt, in_port.id)] = (src, out_port.id)
        good_edges.append((src, tgt))

    for nid, module in modules.items():
        for port in module.inputs:
            if not port.optional and (nid, port.id) not in connected:
                errors.append(
                    _issue(
                        "0003",
                        f"Node {nid!r} ({module.name}): input '{port.name}' is not connected.",
                        node_id=nid,
                        port=port.id,
                    )
                )

    ordered, in_cycles = _order(node_ids, good_edges)
    for nid in in_cycles:
        errors.append(_issue("cycle", f"Node {nid!r} is part of a cycle.", node_id=nid))

    if structure_only:
        return {"valid": not errors, "errors": errors, "warnings": warnings}

    # -- parameters -----------------------------------------------------------------------------------
    filled_of: dict[str, dict[str, Any]] = {}
    param_failed: set[str] = set()
    for nid, module in modules.items():
        filled, issues = check_params(module, params_of[nid])
        filled_of[nid] = filled
        for issue in issues:
            errors.append(
                _issue(issue["code"], f"Node {nid!r}: {issue['message']}", node_id=nid, param=issue["param"])
            )
            param_failed.add(nid)
        declared = {p.id for p in module.params}
        for extra in sorted(set(params_of[nid]) - declared):
            warnings.append(
                _issue(
                    "unknown_param",
                    f"Node {nid!r}: {module.name} has no parameter {extra!r}; it is ignored.",
                    node_id=nid,
                    param=extra,
                )
            )

    # -- what flows along the edges (columns, configurations) ------------------------------------------
    def lookup(dataset_id: str) -> Schema | None:
        found = dataset_columns(dataset_id) if dataset_columns is not None else None
        return found if found is not None else _sample_columns(dataset_id)

    env = InferEnv(dataset_columns=lookup)
    static: dict[tuple[str, str], Any] = {}
    seen_errors = {(e.get("node_id"), e.get("param"), e["code"], e["message"]) for e in errors}

    def add_error(nid: str, exc: ModuleError) -> None:
        param = getattr(exc, "param", None)
        message = f"Node {nid!r}: {exc.message}"
        key = (nid, param, exc.code, message)
        if key not in seen_errors:
            seen_errors.add(key)
            errors.append(_issue(exc.code, message, node_id=nid, param=param))

    for nid in ordered:
        found = modules.get(nid)
        if found is None or nid in param_failed:
            continue
        module = found
        filled = filled_of[nid]
        infos = {
            port.id: static.get(connected[(nid, port.id)]) if (nid, port.id) in connected else None
            for port in module.inputs
        }
        for p in module.params:
            value = filled.get(p.id)
            schema = infos.get(p.columns_from) if p.columns_from else None
            if value is None or schema is None or not p.is_visible(filled):
                continue
            try:
                if p.type == "column":
                    if value not in {n for n, _ in schema}:
                        raise ModuleError(
                            "0001", f"Parameter {p.label}: column {value!r} not found in the input."
                        )
                else:
                    select_columns(schema, value, param=p)
            except ModuleError as exc:
                exc.param = p.id  # type: ignore[attr-defined]
                add_error(nid, exc)
        try:
            inferred = module.infer(filled, infos, env)
        except Exception as exc:  # inference is best effort; the run will report the real failure
            warnings.append(
                _issue("warning", f"Node {nid!r}: could not check ahead of the run ({exc}).", node_id=nid)
            )
            continue
        for problem in inferred.errors:
            add_error(nid, problem)
        for message in inferred.warnings:
            warnings.append(_issue("warning", f"Node {nid!r}: {message}", node_id=nid))
        for port_id, info in inferred.outputs.items():
            static[(nid, port_id)] = info

    # The tables each output port will carry, where known: column pickers downstream offer these.
    columns = {
        f"{nid}.{port_id}": [{"name": name, "type": kind} for name, kind in info]
        for (nid, port_id), info in static.items()
        if isinstance(info, list)
    }
    return {"valid": not errors, "errors": errors, "warnings": warnings, "columns": columns}


def run_graph(
    graph: dict[str, Any],
    load_dataset: Callable[[str], pd.DataFrame] | None = None,
    *,
    nodes: Iterable[str] | None = None,
    context: Callable[[str], RunContext] | None = None,
) -> dict[tuple[str, str], Any]:
    """Run a graph in topological order; ``{(node_id, port_id): value}`` for every output computed.

    ``nodes`` runs only those nodes and what they need. ``context(node_id)`` gives each node its
    :class:`RunContext` (default: one with ``load_dataset``). A graph whose structure is invalid
    raises :class:`GraphError`; a node's failure raises its :class:`ModuleError` with ``node_id``
    set on it.
    """
    report = validate_graph(graph, structure_only=True)
    if not report["valid"]:
        raise GraphError(report["errors"])
    order = topological_order(graph)
    if nodes is not None:
        wanted = ancestors(graph, nodes)
        order = [n for n in order if n in wanted]
    by_id = {n["id"]: n for n in _nodes(graph)}
    incoming: dict[str, list[dict[str, Any]]] = {}
    for e in _edges(graph):
        incoming.setdefault(e["target"], []).append(e)
    results: dict[tuple[str, str], Any] = {}
    for nid in order:
        node = by_id[nid]
        ctx = context(nid) if context is not None else RunContext(load_dataset=load_dataset)
        if ctx.load_dataset is None:
            ctx.load_dataset = load_dataset
        inputs = {e["target_port"]: results[(e["source"], e["source_port"])] for e in incoming.get(nid, [])}
        try:
            outputs = run_module(node["module"], node.get("params") or {}, inputs, ctx)
        except ModuleError as exc:
            exc.node_id = nid  # type: ignore[attr-defined]
            raise
        for port_id, value in outputs.items():
            results[(nid, port_id)] = value
    return results
