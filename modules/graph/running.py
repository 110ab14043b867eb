"""Running a whole graph headlessly, node after node in topological order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from modules.context import RunContext
from modules.errors import ModuleError
from modules.graph.issues import GraphError
from modules.graph.structure import ancestors, graph_edges, graph_nodes, topological_order
from modules.graph.validation import validate_graph
from modules.runner import run_module


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
    by_id = {n["id"]: n for n in graph_nodes(graph)}
    incoming: dict[str, list[dict[str, Any]]] = {}
    for e in graph_edges(graph):
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
            exc.node_id = nid
            raise
        for port_id, value in outputs.items():
            results[(nid, port_id)] = value
    return results
