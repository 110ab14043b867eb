"""OpenAPI for a scoring service: its score operation with the model's real columns.

Served alone (``GET /api/services/{id}/openapi.json``) and merged into ``/openapi.json`` for the
signed-in owner's enabled services, so ``/docs`` can call them with a key (Authorize → ServiceKey).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from backend.services.web_services.scoring import input_columns, output_columns

__all__ = ["ServiceSpec", "merged_document", "service_document", "service_path_item"]

SECURITY_SCHEME = {
    "ServiceKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A service key (csk_…), shown when the service is created or a key regenerated.",
    }
}
_CELL_SCHEMAS: dict[str, dict[str, Any]] = {
    "number": {"type": ["number", "null"]},
    "string": {"type": ["string", "null"]},
    "boolean": {"type": ["boolean", "null"]},
    "datetime": {"type": ["string", "null"], "format": "date-time"},
}
_EXAMPLES = {"number": 0.0, "string": "text", "boolean": True, "datetime": "2024-01-01T00:00:00Z"}
_ANY_CELL: dict[str, Any] = {"type": ["number", "string", "boolean", "null"]}


@dataclass(frozen=True)
class ServiceSpec:
    """What the document says about one service."""

    id: str
    name: str
    append: bool
    model_name: str
    algorithm: str
    k: int
    feature_columns: list[dict[str, Any]]
    max_rows: int

    @property
    def path(self) -> str:
        return f"/api/services/{self.id}/score"


def _example_row(spec: ServiceSpec) -> list[Any]:
    row = []
    for fc, column in zip(spec.feature_columns, input_columns(spec.feature_columns), strict=True):
        categories = fc.get("categories") or []
        row.append(categories[0] if categories else _EXAMPLES[column["type"]])
    return row


def _request_schemas(spec: ServiceSpec) -> dict[str, Any]:
    columns = input_columns(spec.feature_columns)
    names = [c["name"] for c in columns]
    cells = [_CELL_SCHEMAS[c["type"]] for c in columns]
    row_object = {
        "type": "object",
        "properties": dict(zip(names, cells, strict=True)),
        "required": names,
        "additionalProperties": _ANY_CELL,
    }
    rows = {"type": "array", "maxItems": spec.max_rows, "items": {"type": "array", "items": _ANY_CELL}}
    split = {
        "type": "object",
        "required": ["columns", "data"],
        "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "data": rows},
    }
    classic = {
        "type": "object",
        "required": ["ColumnNames", "Values"],
        "properties": {"ColumnNames": {"type": "array", "items": {"type": "string"}}, "Values": rows},
    }
    return {
        "oneOf": [
            {"type": "object", "required": ["dataframe_split"], "properties": {"dataframe_split": split}},
            {
                "type": "object",
                "required": ["records"],
                "properties": {"records": {"type": "array", "maxItems": spec.max_rows, "items": row_object}},
            },
            {
                "type": "object",
                "required": ["Inputs"],
                "properties": {
                    "Inputs": {"type": "object", "required": ["input1"], "properties": {"input1": classic}}
                },
            },
        ]
    }


def _answer_schema(spec: ServiceSpec) -> dict[str, Any]:
    source = [str(fc["name"]) for fc in spec.feature_columns]
    names = output_columns(source, spec.k, spec.algorithm, append=spec.append)
    row = {"type": "object", "properties": {name: _ANY_CELL for name in names}}
    columns = {"type": "array", "items": {"type": "string"}, "example": names}
    table = {"type": "array", "items": {"type": "array", "items": _ANY_CELL}}
    split = {"type": "object", "properties": {"columns": columns, "data": table}}
    return {
        "oneOf": [
            {"type": "object", "properties": {"dataframe_split": split}},
            {"type": "object", "properties": {"records": {"type": "array", "items": row}}},
            {"type": "object", "properties": {"Results": {"type": "object"}}},
        ]
    }


def service_path_item(spec: ServiceSpec) -> dict[str, Any]:
    """The path item of the service's score operation."""
    names = [str(fc["name"]) for fc in spec.feature_columns]
    example = {"dataframe_split": {"columns": names, "data": [_example_row(spec)]}}
    error = {"content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "post": {
            "operationId": f"score_service_{spec.id.replace('-', '_')}",
            "summary": f"Score with service {spec.name!r}",
            "description": f"Assigns rows to the {spec.k} clusters of the saved model {spec.model_name!r} "
            f"({spec.algorithm}), exactly as Assign Data to Clusters does. The answer comes in the "
            "request's shape" + (", the request's columns first." if spec.append else "."),
            "tags": ["scoring services"],
            "security": [{"ServiceKey": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": _request_schemas(spec), "example": example},
                    "text/csv": {"schema": {"type": "string"}, "example": ",".join(names) + "\n"},
                },
            },
            "responses": {
                "200": {
                    "description": "The assignments and per-cluster scores",
                    "content": {
                        "application/json": {"schema": _answer_schema(spec)},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                "400": {
                    "description": "Malformed; missing columns (named); a wrong type (row, column)",
                    **error,
                },
                "401": {"description": "No key, or an unknown or regenerated one", **error},
                "403": {"description": "The service is disabled", **error},
                "413": {"description": f"More than {spec.max_rows} rows (STUDIO_SCORE_MAX_ROWS)", **error},
            },
        }
    }


def service_document(spec: ServiceSpec, version: str) -> dict[str, Any]:
    """A whole OpenAPI document for one service."""
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{spec.name} (Cluster Studio scoring service)", "version": version},
        "paths": {spec.path: service_path_item(spec)},
        "components": {"securitySchemes": deepcopy(SECURITY_SCHEME)},
    }


def merged_document(base: dict[str, Any], specs: list[ServiceSpec]) -> dict[str, Any]:
    """``base`` (left untouched) with each service's score operation added."""
    if not specs:
        return base
    doc = dict(base)
    doc["paths"] = {**base.get("paths", {}), **{spec.path: service_path_item(spec) for spec in specs}}
    components = dict(base.get("components", {}))
    components["securitySchemes"] = {**components.get("securitySchemes", {}), **deepcopy(SECURITY_SCHEME)}
    doc["components"] = components
    return doc
