"""Graph validation for a caller: the module contract's checks plus which datasets the caller may use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import modules
from backend.models import User
from backend.services import datasets


def validate_graph(session: Session, user: User, graph: dict[str, Any]) -> dict[str, Any]:
    """`{valid, errors, warnings}`; column checks use the schemas of the datasets the caller can see."""
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
    return {
        "valid": not errors,
        "errors": errors,
        "warnings": list(result.get("warnings", [])),
        "columns": result.get("columns", {}),
    }
