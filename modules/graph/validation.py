"""Checking a graph without running it: one pass per concern, composed by :func:`validate_graph`.

The passes run in this order and each reports in the order it meets things: nodes (ids, modules),
edges (ends, ports, port types, one edge per input), required inputs, cycles, parameters, and last
what flows along the edges (:mod:`.inference`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from modules import registry
from modules.contract import Module, Port, check_params
from modules.graph.inference import Connections, infer_outputs
from modules.graph.issues import Report
from modules.graph.structure import order_nodes
from modules.params import migrate_params


@dataclass
class _Nodes:
    """The nodes with a usable id, in the graph's order."""

    ids: list[str] = field(default_factory=list)
    #: The parameters as given (an object; anything else is reported and read as empty).
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The declaration of each node whose module is known.
    modules: dict[str, Module] = field(default_factory=dict)


@dataclass
class _Wiring:
    connected: Connections = field(default_factory=dict)
    #: ``(source, target)`` of the edges that count for cycle detection.
    edges: list[tuple[str, str]] = field(default_factory=list)


def validate_graph(
    graph: dict[str, Any],
    dataset_columns: Callable[[str], list[tuple[str, str]] | None] | None = None,
    *,
    model_info: Callable[[str], Any] | None = None,
    partitioned_datasets: Callable[[str], bool] | None = None,
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
    ``model_info(model_id)`` gives a saved model's :class:`~modules.scoring.StaticModelInfo` (None = unknown).
    ``partitioned_datasets(dataset_id)`` says whether a run reads the dataset in parts (the Dask executor,
    a dataset stored partitioned); a module that cannot run part by part on such a table is ``0161``.
    Warnings: parameters the module does not declare (``unknown_param``) and the modules' own
    warnings (``warning``). Unless ``structure_only``, ``columns`` lists the tables each output port
    will carry where known (``{"node_id.port_id": [{name, type}]}``).
    """
    report = Report()
    if not _is_graph(graph):
        report.error("invalid_graph", "A graph is an object with 'nodes' and 'edges' lists.")
        return report.result()
    nodes = _check_nodes(graph.get("nodes", []), report)
    wiring = _check_edges(graph.get("edges", []), nodes, report)
    _check_required_inputs(nodes, wiring, report)
    ordered = _check_cycles(nodes, wiring, report)
    if structure_only:
        return report.result()
    checked = _check_params(nodes, report)
    columns = infer_outputs(
        report, ordered, checked, wiring.connected, dataset_columns, model_info, partitioned_datasets
    )
    return report.result(columns=columns)


def _is_graph(graph: Any) -> bool:
    return (
        isinstance(graph, dict)
        and isinstance(graph.get("nodes", []), list)
        and isinstance(graph.get("edges", []), list)
    )


# ---- nodes -------------------------------------------------------------------------------------------
def _check_nodes(listed: list[Any], report: Report) -> _Nodes:
    nodes = _Nodes()
    for i, node in enumerate(listed):
        _check_node(i, node, nodes, report)
    return nodes


def _check_node(i: int, node: Any, nodes: _Nodes, report: Report) -> None:
    if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node.get("id"):
        report.error("invalid_graph", f"Node #{i + 1} has no string 'id'.")
        return
    nid = node["id"]
    if nid in nodes.params:
        report.error("duplicate_node", f"Two nodes have the id {nid!r}.", node_id=nid)
        return
    nodes.ids.append(nid)
    params = node.get("params") or {}
    if not isinstance(params, dict):
        report.error("0002", f"Node {nid!r}: 'params' must be an object.", node_id=nid)
        params = {}
    nodes.params[nid] = params
    module_id = node.get("module")
    if not isinstance(module_id, str) or not registry.has(module_id):
        report.error("unknown_module", f"Node {nid!r}: unknown module {module_id!r}.", node_id=nid)
        return
    nodes.modules[nid] = registry.get(module_id)


# ---- edges -------------------------------------------------------------------------------------------
def _check_edges(listed: list[Any], nodes: _Nodes, report: Report) -> _Wiring:
    wiring = _Wiring()
    for i, edge in enumerate(listed):
        if not isinstance(edge, dict):
            report.error("invalid_graph", f"Edge #{i + 1} is not an object.")
            continue
        _check_edge(str(edge.get("id", f"#{i + 1}")), edge, nodes, wiring, report)
    return wiring


def _check_edge(eid: str, edge: dict[str, Any], nodes: _Nodes, wiring: _Wiring, report: Report) -> None:
    src, tgt = edge.get("source"), edge.get("target")
    if not _ends_exist(eid, src, tgt, nodes, report):
        return
    assert isinstance(src, str) and isinstance(tgt, str)
    ports = _edge_ports(eid, edge, nodes, report)
    if ports is None:
        return
    out_port, in_port = ports
    if out_port is None or in_port is None:
        wiring.edges.append((src, tgt))  # an unknown module: keep the edge for cycle detection
        return
    if _fits(eid, tgt, out_port, in_port, wiring, report):
        wiring.connected[(tgt, in_port.id)] = (src, out_port.id)
        wiring.edges.append((src, tgt))


def _ends_exist(eid: str, src: Any, tgt: Any, nodes: _Nodes, report: Report) -> bool:
    exist = True
    for end, nid in (("source", src), ("target", tgt)):
        if nid not in nodes.params:
            report.error("unknown_node", f"Edge {eid!r}: {end} node {nid!r} does not exist.", edge_id=eid)
            exist = False
    return exist


def _edge_ports(
    eid: str, edge: dict[str, Any], nodes: _Nodes, report: Report
) -> tuple[Port | None, Port | None] | None:
    """The edge's output and input port (None where the module is unknown); None if the edge is bad."""
    src, tgt = edge["source"], edge["target"]
    sport, tport = edge.get("source_port"), edge.get("target_port")
    out_port, bad_out = _port(nodes.modules.get(src), sport, "output")
    in_port, bad_in = _port(nodes.modules.get(tgt), tport, "input")
    for bad, nid, port in ((bad_out, src, sport), (bad_in, tgt, tport)):
        if bad:
            report.error(
                "unknown_port",
                f"Edge {eid!r}: {bad}.",
                edge_id=eid,
                node_id=nid,
                port=port if isinstance(port, str) else None,
            )
    if src == tgt:
        report.error("cycle", f"Edge {eid!r} connects node {src!r} to itself.", edge_id=eid, node_id=src)
    if bad_out or bad_in or src == tgt:
        return None
    return out_port, in_port


def _port(module: Module | None, port_id: Any, side: str) -> tuple[Port | None, str | None]:
    """``(port, problem)``: the module's ``side`` ("output"/"input") port of that id, or what is wrong."""
    if module is None:
        return None, None
    found = None
    if isinstance(port_id, str):
        found = module.output(port_id) if side == "output" else module.input(port_id)
    return found, None if found is not None else f"{module.name} has no {side} port {port_id!r}"


def _fits(eid: str, tgt: str, out_port: Port, in_port: Port, wiring: _Wiring, report: Report) -> bool:
    """The port types match and the input has no edge yet."""
    if out_port.type != in_port.type:
        report.error(
            "type_mismatch",
            f"Edge {eid!r}: output '{out_port.name}' ({out_port.type}) cannot feed input "
            f"'{in_port.name}' ({in_port.type}).",
            edge_id=eid,
            node_id=tgt,
            port=in_port.id,
        )
        return False
    if (tgt, in_port.id) in wiring.connected:
        report.error(
            "duplicate_input",
            f"Edge {eid!r}: input '{in_port.name}' of node {tgt!r} already has an edge; an input "
            "takes at most one.",
            edge_id=eid,
            node_id=tgt,
            port=in_port.id,
        )
        return False
    return True


def _check_required_inputs(nodes: _Nodes, wiring: _Wiring, report: Report) -> None:
    for nid, module in nodes.modules.items():
        for port in module.inputs:
            if not port.optional and (nid, port.id) not in wiring.connected:
                report.error(
                    "0003",
                    f"Node {nid!r} ({module.name}): input '{port.name}' is not connected.",
                    node_id=nid,
                    port=port.id,
                )


# ---- cycles ------------------------------------------------------------------------------------------
def _check_cycles(nodes: _Nodes, wiring: _Wiring, report: Report) -> list[str]:
    """The nodes in topological order; every node left in a cycle is reported."""
    ordered, in_cycles = order_nodes(nodes.ids, wiring.edges)
    for nid in in_cycles:
        report.error("cycle", f"Node {nid!r} is part of a cycle.", node_id=nid)
    return ordered


# ---- parameters --------------------------------------------------------------------------------------
def _check_params(nodes: _Nodes, report: Report) -> dict[str, tuple[Module, dict[str, Any]]]:
    """``{node id: (module, filled parameters)}`` of the nodes whose parameters are all valid."""
    checked: dict[str, tuple[Module, dict[str, Any]]] = {}
    for nid, module in nodes.modules.items():
        filled, issues = check_params(module, nodes.params[nid])
        for found in issues:
            report.error(
                found["code"], f"Node {nid!r}: {found['message']}", node_id=nid, param=found["param"]
            )
        given = migrate_params(module, nodes.params[nid])  # a renamed parameter is not unknown
        for extra in sorted(set(given) - {p.id for p in module.params}):
            report.warn(
                "unknown_param",
                f"Node {nid!r}: {module.name} has no parameter {extra!r}; it is ignored.",
                node_id=nid,
                param=extra,
            )
        if not issues:
            checked[nid] = (module, filled)
    return checked
