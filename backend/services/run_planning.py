"""Planning a run: which nodes, in what order, each node's signature (what the cache matches) and the
uploaded datasets each node's output is computed from."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

import modules
from backend.models import Dataset
from backend.services.datasets import SAMPLE_IDS
from modules.contract import validate_params

#: How an upload's fingerprint starts (a sample's starts with "sample:").
UPLOAD = "upload:"


class NothingToRun(Exception):
    pass


def graph_maps(graph: dict[str, Any]) -> tuple[dict[str, dict], dict[str, dict[str, tuple[str, str]]]]:
    """Nodes by id, and each node's inputs: `{port: (source node, source port)}`."""
    nodes = {node["id"]: node for node in graph.get("nodes", [])}
    inputs: dict[str, dict[str, tuple[str, str]]] = {node_id: {} for node_id in nodes}
    for edge in graph.get("edges", []):
        inputs[edge["target"]][edge["target_port"]] = (edge["source"], edge["source_port"])
    return nodes, inputs


def plan_nodes(graph: dict[str, Any], selected: list[str] | None) -> list[str]:
    """The nodes to run, in topological order: all of them, or the selected ones and what they need."""
    order = modules.topological_order(graph)
    if not selected:
        return order
    unknown = sorted(set(selected) - set(order))
    if unknown:
        raise NothingToRun(f"Unknown node ids: {', '.join(unknown)}")
    needed = set(modules.ancestors(graph, selected)) | set(selected)
    return [node_id for node_id in order if node_id in needed]


def uploaded(fingerprints: dict[str, str]) -> set[str]:
    """The uploaded datasets among those fingerprinted."""
    return {dataset_id for dataset_id, mark in fingerprints.items() if mark.startswith(UPLOAD)}


def dataset_fingerprints(session: Session, graph: dict[str, Any]) -> dict[str, str]:
    """What identifies each dataset's content: uploads are immutable, samples change with the code."""
    from backend.services.experiments import dataset_ids_in

    prints: dict[str, str] = {}
    for dataset_id in dataset_ids_in(graph):
        if dataset_id in SAMPLE_IDS:
            prints[dataset_id] = f"sample:{dataset_id}"
        elif (row := session.get(Dataset, dataset_id)) is not None:
            prints[dataset_id] = f"{UPLOAD}{row.id}:{row.storage_key}"
    return prints


def node_signatures(graph: dict[str, Any], order: list[str], fingerprints: dict[str, str]) -> dict[str, str]:
    """A hash per node over its module, version, filled parameters and its inputs' signatures."""
    nodes, inputs = graph_maps(graph)
    signatures: dict[str, str] = {}
    for node_id in order:
        node = nodes[node_id]
        declaration = modules.registry.get(node["module"])
        params = validate_params(declaration, node.get("params", {}))
        used = sorted(v for v in _strings(params) if v in fingerprints)
        payload = {
            "module": declaration.id,
            "version": str(declaration.version),
            "params": params,
            "datasets": {d: fingerprints[d] for d in used},
            "inputs": {
                port: [signatures[src], src_port] for port, (src, src_port) in sorted(inputs[node_id].items())
            },
        }
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        signatures[node_id] = hashlib.sha256(encoded).hexdigest()
    return signatures


def upload_lineage(graph: dict[str, Any], order: list[str], uploads: set[str]) -> dict[str, set[str]]:
    """For each node, the uploaded datasets its output is computed from (its own and its ancestry's)."""
    nodes, inputs = graph_maps(graph)
    lineage: dict[str, set[str]] = {}
    for node_id in order:
        own = {value for value in _strings(nodes[node_id].get("params", {})) if value in uploads}
        lineage[node_id] = own.union(*(lineage[src] for src, _ in inputs[node_id].values()))
    return lineage


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
