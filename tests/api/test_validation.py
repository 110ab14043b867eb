"""POST /api/graphs/validate: every kind of problem points at its node, edge or parameter."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import IRIS_CSV, sign_up, upload


def node(node_id: str, module: str, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "module": module, "params": params}


def edge(edge_id: str, source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": edge_id,
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


def trainer(**train_params: Any) -> dict[str, Any]:
    return {
        "nodes": [
            node("d", "dataset", dataset_id="sample-iris"),
            node("k", "kmeans_clustering", n_clusters=3),
            node("t", "train_clustering_model", **train_params),
        ],
        "edges": [
            edge("e1", "k", "untrained_model", "t", "untrained_model"),
            edge("e2", "d", "dataset", "t", "dataset"),
        ],
    }


def with_changes(graph: dict[str, Any], nodes=(), edges=(), drop_edges=()) -> dict[str, Any]:
    return {
        "nodes": graph["nodes"] + list(nodes),
        "edges": [e for e in graph["edges"] if e["id"] not in drop_edges] + list(edges),
    }


CASES = [
    (
        "unknown module",
        with_changes(trainer(), nodes=[node("x", "no_such_module")]),
        {"node_id": "x"},
        "unknown_module",
    ),
    (
        "unknown port",
        with_changes(trainer(), edges=[edge("e9", "d", "nope", "t", "dataset")], drop_edges=["e2"]),
        {"edge_id": "e9"},
        "unknown_port",
    ),
    (
        "type mismatch",
        with_changes(
            trainer(), edges=[edge("e9", "d", "dataset", "t", "untrained_model")], drop_edges=["e1"]
        ),
        {"edge_id": "e9"},
        "type_mismatch",
    ),
    (
        "unconnected input",
        with_changes(trainer(), drop_edges=["e2"]),
        {"node_id": "t", "port": "dataset"},
        "0003",
    ),
    (
        "two edges into one input",
        with_changes(
            trainer(),
            nodes=[node("d2", "dataset", dataset_id="sample-wine")],
            edges=[edge("e9", "d2", "dataset", "t", "dataset")],
        ),
        {"node_id": "t"},
        "duplicate_input",
    ),
    (
        "cycle",
        {
            "nodes": [
                node("a", "select_columns", column_set={"names": ["x"]}),
                node("b", "select_columns", column_set={"names": ["x"]}),
            ],
            "edges": [
                edge("e1", "a", "results_dataset", "b", "dataset"),
                edge("e2", "b", "results_dataset", "a", "dataset"),
            ],
        },
        {},
        "cycle",
    ),
    (
        "number below its bound",
        {"nodes": [node("k", "kmeans_clustering", n_clusters=1)], "edges": []},
        {"node_id": "k", "param": "n_clusters"},
        "0005",
    ),
    (
        "bad range string",
        {
            "nodes": [node("k", "kmeans_clustering", trainer_mode="range", n_clusters_range="2-x")],
            "edges": [],
        },
        {"node_id": "k", "param": "n_clusters_range"},
        "0002",
    ),
    (
        "value not among the choices",
        {"nodes": [node("k", "kmeans_clustering", metric="manhattan")], "edges": []},
        {"node_id": "k", "param": "metric"},
        "0008",
    ),
    (
        "missing column",
        trainer(column_set={"names": ["petal_size"]}),
        {"node_id": "t", "param": "column_set"},
        "0001",
    ),
    (
        "selection matching nothing",
        trainer(column_set={"rules": {"start": "none", "steps": []}}),
        {"node_id": "t", "param": "column_set"},
        "0011",
    ),
]


@pytest.mark.parametrize(("label", "graph", "where", "code"), CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_reported_where_it_is(
    client: TestClient, alice: dict[str, str], label: str, graph: dict, where: dict, code: str
) -> None:
    result = client.post("/api/graphs/validate", headers=alice, json={"graph": graph})
    assert result.status_code == 200
    body = result.json()
    assert body["valid"] is False
    matching = [
        e for e in body["errors"] if e["code"] == code and all(e.get(k) == v for k, v in where.items())
    ]
    assert matching, f"{label}: no {code} error at {where} in {body['errors']}"
    assert all(e["message"] for e in body["errors"])


def test_a_valid_graph_says_which_columns_flow_where(client: TestClient, alice: dict[str, str]) -> None:
    body = client.post("/api/graphs/validate", headers=alice, json={"graph": trainer()}).json()
    assert body["valid"] is True and body["errors"] == []
    assert [c["name"] for c in body["columns"]["d.dataset"]][:2] == ["sepal_length", "sepal_width"]
    results = [c["name"] for c in body["columns"]["t.results_dataset"]]
    assert results[-4:] == ["Assignments"] + [f"DistancesToClusterCenter no.{j}" for j in range(3)]


def test_someone_elses_dataset_is_not_usable(client: TestClient, alice: dict[str, str]) -> None:
    bob = sign_up(client, "bob")
    bobs = upload(client, bob, IRIS_CSV.encode()).json()["id"]
    graph = {"nodes": [node("d", "dataset", dataset_id=bobs)], "edges": []}
    body = client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).json()
    assert body["valid"] is False
    assert any(e["node_id"] == "d" and e["param"] == "dataset_id" for e in body["errors"])
    assert client.post("/api/graphs/validate", headers=bob, json={"graph": graph}).json()["valid"] is True


def test_malformed_graph_documents_are_422(client: TestClient, alice: dict[str, str]) -> None:
    for graph in [{"nodes": [{"module": "dataset"}]}, {"nodes": [], "edges": [{"id": "e"}]}, "not a graph"]:
        assert client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).status_code == 422
