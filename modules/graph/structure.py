"""Reading a graph's nodes and edges, and ordering them."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

from modules.graph.issues import GraphError, issue


def graph_nodes(graph: Any) -> list[dict[str, Any]]:
    """The graph's node objects (anything else in the list is skipped)."""
    nodes = graph.get("nodes", []) if isinstance(graph, dict) else None
    return [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []


def graph_edges(graph: Any) -> list[dict[str, Any]]:
    """The graph's edge objects (anything else in the list is skipped)."""
    edges = graph.get("edges", []) if isinstance(graph, dict) else None
    return [e for e in edges if isinstance(e, dict)] if isinstance(edges, list) else []


def order_nodes(node_ids: list[str], edges: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Kahn's algorithm, ties broken by the nodes' order in the graph: ``(ordered, left in cycles)``.

    Edges naming a node not in ``node_ids`` are ignored.
    """
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
    ids = [str(n.get("id")) for n in graph_nodes(graph)]
    ordered, rest = order_nodes(
        ids, ((str(e.get("source")), str(e.get("target"))) for e in graph_edges(graph))
    )
    if rest:
        raise GraphError([issue("cycle", f"Node {nid!r} is part of a cycle.", node_id=nid) for nid in rest])
    return ordered


def ancestors(graph: dict[str, Any], node_ids: Iterable[str]) -> set[str]:
    """The named nodes and every node they depend on ("Run selected"). KeyError for an unknown id."""
    known = {str(n.get("id")) for n in graph_nodes(graph)}
    preds: dict[str, set[str]] = {nid: set() for nid in known}
    for e in graph_edges(graph):
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
