"""Graph validation for a caller: the module contract's checks plus which datasets the caller may use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import modules
from backend.models import User
from backend.services import datasets


def validate_graph(
    session: Session, user: User, graph: dict[str, Any], max_columns: int = 100_000
) -> dict[str, Any]:
    """`{valid, errors, warnings, columns}`; column checks use the schemas of datasets the caller can see.

    The columns listed for all output ports together are capped at `max_columns`
    (STUDIO_MAX_VALIDATION_COLUMNS); ports cut short are named in `columns_truncated`.
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

    result = modules.validate_graph(graph, dataset_columns)
    errors = list(result["errors"])
    for node in graph.get("nodes", []):
        module_id = node.get("module", "")
        for param in modules.registry.get(module_id).params if modules.registry.has(module_id) else []:
            value = node.get("params", {}).get(param.id)
            if param.type == "dataset" and isinstance(value, str) and dataset_columns(value) is None:
                errors.append(
                    {
                        "node_id": node["id"],
                        "param": param.id,
                        "code": "0003",
                        "message": f"Dataset {value!r} does not exist or is not yours; choose another in "
                        f"{param.name!r}.",
                    }
                )
    columns, truncated = _capped_columns(result.get("columns", {}), max_columns)
    warnings = list(result.get("warnings", []))
    if truncated:
        warnings.append(
            {
                "code": "columns_truncated",
                "message": f"Column lists are cut short after {max_columns} columns in all "
                f"(STUDIO_MAX_VALIDATION_COLUMNS): {', '.join(truncated[:5])}"
                + (" …" if len(truncated) > 5 else ""),
            }
        )
    return {
        "valid": not errors,
        "errors": errors,
        "warnings": warnings,
        "columns": columns,
        "columns_truncated": truncated,
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
