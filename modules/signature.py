"""Node signatures: what identifies the output a node will compute, so an identical earlier one is reused.

A signature is a SHA-256 over the module and its version, the filled parameters (an omitted parameter
and its default sign alike; a parameter hidden by the mode signs as its default, whatever the graph
keeps in it), the fingerprint of each dataset and saved model the parameters name (what identifies its
content; ``dataset_fingerprints`` holds both kinds, by id), and
each input's upstream signature and port. The run planner signs the nodes it runs and graph
validation the nodes it finds valid, both through :func:`graph_signatures`, so the editor can tell
which nodes a run would reuse.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from modules import registry
from modules.contract import Module, check_params, validate_params
from modules.graph.structure import graph_edges, graph_nodes, order_nodes

__all__ = ["graph_signatures", "node_signature"]

#: ``{input port: (upstream node, upstream port)}``
Inputs = dict[str, tuple[str, str]]


def node_signature(
    module_id: str,
    params: Mapping[str, Any] | None,
    inputs: Mapping[str, tuple[str, str]],
    dataset_fingerprints: Mapping[str, str],
) -> str:
    """The signature of one node: ``inputs`` are ``{port: (upstream signature, upstream port)}``.

    ``dataset_fingerprints`` maps dataset ids to what identifies their content; a parameter value
    found there signs as that fingerprint. KeyError for an unknown module, ModuleError for invalid
    parameters.
    """
    module = registry.get(module_id)
    return _digest(module, validate_params(module, params), inputs, dataset_fingerprints)


def graph_signatures(
    graph: dict[str, Any], dataset_fingerprints: Mapping[str, str], nodes: Iterable[str] | None = None
) -> dict[str, str]:
    """``{node id: signature}`` for every node of ``nodes`` (default: all) that can be signed.

    A node is signed when its module is known, its parameters are valid, every dataset it names has a
    fingerprint (one the caller may not read has none) and every input comes from a signed node.
    Validation passes the nodes it found valid; the planner the nodes it runs.
    """
    by_id = _unique_nodes(graph)
    inputs, doubled = _inputs(graph)
    signable = (set(by_id) if nodes is None else set(nodes) & set(by_id)) - doubled
    ordered, _ = order_nodes(
        list(by_id), [(src, tgt) for tgt, wired in inputs.items() for src, _ in wired.values()]
    )
    signatures: dict[str, str] = {}
    for nid in (nid for nid in ordered if nid in signable):
        upstream = {
            port: (signatures.get(src), src_port) for port, (src, src_port) in inputs.get(nid, {}).items()
        }
        signature = _sign(by_id[nid], upstream, dataset_fingerprints)
        if signature is not None:
            signatures[nid] = signature
    return signatures


def _sign(
    node: dict[str, Any], upstream: dict[str, tuple[str | None, str]], dataset_fingerprints: Mapping[str, str]
) -> str | None:
    """The node's signature, or None if it cannot be signed."""
    module_id, params = node.get("module"), node.get("params") or {}
    if not isinstance(module_id, str) or not registry.has(module_id) or not isinstance(params, dict):
        return None
    module = registry.get(module_id)
    filled, issues = check_params(module, params)
    signed_inputs = {port: (sig, src_port) for port, (sig, src_port) in upstream.items() if sig is not None}
    if (
        issues
        or len(signed_inputs) < len(upstream)
        or _unknown_datasets(module, filled, dataset_fingerprints)
    ):
        return None
    return _digest(module, filled, signed_inputs, dataset_fingerprints)


def _unknown_datasets(
    module: Module, filled: dict[str, Any], dataset_fingerprints: Mapping[str, str]
) -> bool:
    """Whether a dataset or saved-model parameter in use names one without a fingerprint."""
    named = module.dataset_ids(filled) + module.model_ids(filled)
    return any(d not in dataset_fingerprints for _, d in named)


def _digest(
    module: Module,
    filled: dict[str, Any],
    inputs: Mapping[str, tuple[str, str]],
    dataset_fingerprints: Mapping[str, str],
) -> str:
    # The payload's shape is what earlier runs stored: changing it would stop them being reused.
    used = sorted(d for _, d in module.dataset_ids(filled) if d in dataset_fingerprints)
    payload = {
        "module": module.id,
        "version": str(module.version),
        "params": filled,
        "datasets": {dataset_id: dataset_fingerprints[dataset_id] for dataset_id in used},
        "inputs": {port: [signature, src_port] for port, (signature, src_port) in sorted(inputs.items())},
    }
    models = sorted(m for _, m in module.model_ids(filled) if m in dataset_fingerprints)
    if models:  # only then: the payloads of nodes naming no saved model stay as they were
        payload["models"] = {model_id: dataset_fingerprints[model_id] for model_id in models}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _unique_nodes(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The nodes by id; an id given to two nodes names neither."""
    listed = [n for n in graph_nodes(graph) if isinstance(n.get("id"), str)]
    counts = Counter(node["id"] for node in listed)
    return {node["id"]: node for node in listed if counts[node["id"]] == 1}


def _inputs(graph: dict[str, Any]) -> tuple[dict[str, Inputs], set[str]]:
    """Each node's inputs, and the nodes with an input fed by two edges (which cannot be signed)."""
    inputs: dict[str, Inputs] = {}
    doubled: set[str] = set()
    for e in graph_edges(graph):
        ends = [e.get(k) for k in ("source", "source_port", "target", "target_port")]
        if not all(isinstance(end, str) for end in ends):
            continue
        src, sport, tgt, tport = (str(end) for end in ends)
        wired = inputs.setdefault(tgt, {})
        if tport in wired:
            doubled.add(tgt)
        wired[tport] = (src, sport)
    return inputs, doubled
