"""Planning a run: which nodes, in what order, each node's signature (what the cache matches), the
uploaded datasets each node's output is computed from, and where the run reads each dataset and saved
model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

import modules
from backend.core.config import Settings
from backend.executor.task import SAMPLE_SOURCE
from backend.models import Dataset, SavedModel
from backend.services.datasets import SAMPLE_IDS, dataset_path
from backend.services.experiments import dataset_ids_in, model_ids_in
from backend.services.saved_models import model_path
from modules.registry import dataset_refs

#: How an upload's fingerprint starts (a sample's starts with "sample:").
UPLOAD = "upload:"


class NothingToRun(Exception):
    pass


@dataclass(frozen=True)
class RunPlan:
    graph: dict[str, Any]
    #: The nodes to run, in topological order.
    order: list[str]
    #: node id → its signature (:func:`modules.graph_signatures`); a node without one is never reused.
    signatures: dict[str, str]
    #: node id → the uploaded datasets its output is computed from (its own and its ancestry's).
    lineage: dict[str, set[str]]
    #: dataset id → where the run reads it: a Parquet file, or SAMPLE_SOURCE.
    dataset_sources: dict[str, str]
    #: The nodes the run was asked for (None: all of them).
    requested: list[str] | None = None
    #: saved model id → its .npz file.
    model_sources: dict[str, str] = field(default_factory=dict)


def plan_run(
    session: Session, settings: Settings, graph: dict[str, Any], selected: list[str] | None
) -> RunPlan:
    """Everything a run of `graph` (or of the `selected` nodes and what they need) is decided by."""
    order = plan_nodes(graph, selected)
    fingerprints = dataset_fingerprints(session, graph)
    return RunPlan(
        graph=graph,
        order=order,
        signatures=modules.graph_signatures(graph, fingerprints, order),
        lineage=upload_lineage(graph, order, uploaded(fingerprints)),
        dataset_sources=dataset_sources(session, settings, graph),
        requested=selected or None,
        model_sources=model_sources(session, settings, graph),
    )


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
    """What identifies each dataset's and saved model's content: uploads and saved models are immutable,
    samples change with the code.

    Every dataset and saved model the graph names and that exists; who may read it is the caller's to
    check.
    """
    prints: dict[str, str] = {}
    for model_id in model_ids_in(graph):
        if (model := session.get(SavedModel, model_id)) is not None:
            prints[model_id] = f"model:{model.id}:{model.storage_key}"
    for dataset_id in dataset_ids_in(graph):
        if dataset_id in SAMPLE_IDS:
            prints[dataset_id] = f"sample:{dataset_id}"
        elif (row := session.get(Dataset, dataset_id)) is not None:
            prints[dataset_id] = f"{UPLOAD}{row.id}:{row.storage_key}"
    return prints


def dataset_sources(session: Session, settings: Settings, graph: dict[str, Any]) -> dict[str, str]:
    """Where a run reads each dataset the graph names: the sample library or the upload's Parquet file."""
    sources: dict[str, str] = {}
    for dataset_id in dataset_ids_in(graph):
        if dataset_id in SAMPLE_IDS:
            sources[dataset_id] = SAMPLE_SOURCE
        elif (row := session.get(Dataset, dataset_id)) is not None:
            sources[dataset_id] = str(dataset_path(settings, row.storage_key))
    return sources


def model_sources(session: Session, settings: Settings, graph: dict[str, Any]) -> dict[str, str]:
    """Where a run reads each saved model the graph names."""
    return {
        model_id: str(model_path(settings, row.storage_key))
        for model_id in model_ids_in(graph)
        if (row := session.get(SavedModel, model_id)) is not None
    }


def upload_lineage(graph: dict[str, Any], order: list[str], uploads: set[str]) -> dict[str, set[str]]:
    """For each node, the uploaded datasets its output is computed from (its own and its ancestry's)."""
    _, inputs = graph_maps(graph)
    named: dict[str, set[str]] = {}
    for node_id, _, dataset_id in dataset_refs(graph):
        named.setdefault(node_id, set()).add(dataset_id)
    lineage: dict[str, set[str]] = {}
    for node_id in order:
        own = named.get(node_id, set()) & uploads
        lineage[node_id] = own.union(*(lineage[src] for src, _ in inputs[node_id].values()))
    return lineage
