"""Graph validation for a caller: the module contract's checks, which datasets and saved models the caller
may use, and the signature a run would record for each node (so the editor can tell what a run would
reuse)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

import modules
from backend.core.config import Settings
from backend.models import User
from backend.services import datasets, saved_models
from backend.services.runs.planning import dataset_fingerprints
from modules.scoring import StaticModelInfo


def validate_graph(
    session: Session,
    user: User,
    graph: dict[str, Any],
    max_columns: int = 100_000,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """`{valid, errors, warnings, columns, columns_truncated, signatures}`.

    Column checks use the schemas of datasets the caller can see. The columns listed for all output
    ports together are capped at `max_columns` (STUDIO_MAX_VALIDATION_COLUMNS); ports cut short are
    named in `columns_truncated`. `signatures` are those a run of this graph would record, for the
    nodes without errors whose datasets the caller may read. With `settings` naming the Dask executor,
    modules that cannot run part by part on a dataset stored partitioned are 0161.
    """
    visible: dict[str, list[tuple[str, str]] | None] = {}

    def dataset_columns(dataset_id: str) -> list[tuple[str, str]] | None:
        if dataset_id not in visible:
            try:
                info = datasets.get_dataset(session, dataset_id, user)
                visible[dataset_id] = [(c["name"], c["type"]) for c in info.columns]
            except datasets.DatasetNotFound:
                visible[dataset_id] = None
        return visible[dataset_id]

    models: dict[str, StaticModelInfo | None] = {}

    def model_info(model_id: str) -> StaticModelInfo | None:
        if model_id not in models:
            try:
                models[model_id] = saved_models.static_info(
                    saved_models.get_model_row(session, model_id, user)
                )
            except saved_models.ModelNotFound:
                models[model_id] = None
        return models[model_id]

    result = modules.validate_graph(
        graph,
        dataset_columns,
        model_info=model_info,
        partitioned_datasets=_partitioned(session, user, settings),
    )
    errors = (
        list(result["errors"])
        + _unreadable(graph, "dataset", "Dataset", dataset_columns)
        + _unreadable(graph, "trained_model", "Saved model", model_info)
    )
    columns, truncated = _capped_columns(result.get("columns", {}), max_columns)
    warnings = list(result.get("warnings", []))
    if truncated:
        warnings.append(_truncation_warning(truncated, max_columns))
    readable = {object_id for object_id, found in (visible | models).items() if found is not None}
    return {
        "valid": not errors,
        "errors": errors,
        "warnings": warnings,
        "columns": columns,
        "columns_truncated": truncated,
        "signatures": _signatures(session, graph, errors, readable),
    }


def _partitioned(session: Session, user: User, settings: Settings | None) -> Callable[[str], bool] | None:
    """Whether a run reads a dataset in parts: on the Dask executor, an upload stored partitioned (None:
    the executor reads every dataset whole)."""
    if settings is None or settings.executor != "dask":
        return None

    def partitioned(dataset_id: str) -> bool:
        if dataset_id in datasets.SAMPLE_IDS:
            return False
        try:
            return datasets.dataset_partitioned(settings, datasets.get_dataset_row(session, dataset_id, user))
        except datasets.DatasetNotFound:
            return False

    return partitioned


def _unreadable(
    graph: dict[str, Any], param_type: str, label: str, lookup: Callable[[str], Any]
) -> list[dict[str, Any]]:
    """A 0003 error for every `param_type` parameter naming a dataset or model the caller cannot read."""
    module_of = {node.get("id"): node.get("module") for node in graph.get("nodes", [])}
    return [
        {
            "node_id": node_id,
            "param": param,
            "code": "0003",
            "message": f"{label} {object_id!r} does not exist or is not yours; choose another in "
            f"{modules.registry.get(module_of[node_id]).param(param).name!r}.",
        }
        for node_id, param, object_id in modules.registry.stored_refs(graph, param_type)
        if lookup(object_id) is None
    ]


def _signatures(
    session: Session, graph: dict[str, Any], errors: list[dict[str, Any]], readable: set[str]
) -> dict[str, str]:
    """What a run would record as each node's signature: the same function over the same fingerprints
    (only of datasets and models the caller may read), for the nodes no error names."""
    fingerprints = {d: mark for d, mark in dataset_fingerprints(session, graph).items() if d in readable}
    failing = {error["node_id"] for error in errors if "node_id" in error}
    valid = [node["id"] for node in graph.get("nodes", []) if node["id"] not in failing]
    return modules.graph_signatures(graph, fingerprints, valid)


def _truncation_warning(truncated: list[str], max_columns: int) -> dict[str, str]:
    return {
        "code": "columns_truncated",
        "message": f"Column lists are cut short after {max_columns} columns in all "
        f"(STUDIO_MAX_VALIDATION_COLUMNS): {', '.join(truncated[:5])}" + (" …" if len(truncated) > 5 else ""),
    }


def _capped_columns(columns: dict[str, list[Any]], budget: int) -> tuple[dict[str, list[Any]], list[str]]:
    """At most `budget` columns over all ports, in the graph's order; the ports cut short."""
    capped: dict[str, list[Any]] = {}
    truncated: list[str] = []
    for port, listed in columns.items():
        capped[port] = listed[: max(0, budget)]
        budget -= len(capped[port])
        if len(capped[port]) < len(listed):
            truncated.append(port)
    return capped, truncated
