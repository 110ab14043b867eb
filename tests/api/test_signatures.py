"""Node signatures over HTTP: validation says what a run of the graph would record, for the caller's graph."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.core.status import RunStatus
from modules.samples import load_sample
from tests.api.conftest import IRIS_CSV, sign_up, upload
from tests.api.test_runs import follow_events, run_experiment, wait_for
from tests.graphs import Graph, iris_graph

NODES = {"data", "kmeans", "train", "assign"}


def validate(client: TestClient, headers: dict[str, str], graph: Graph) -> dict[str, Any]:
    response = client.post("/api/graphs/validate", headers=headers, json={"graph": graph})
    assert response.status_code == 200, response.text
    return response.json()


def with_params(graph: Graph, node_id: str, **params: Any) -> Graph:
    changed = copy.deepcopy(graph)
    next(n for n in changed["nodes"] if n["id"] == node_id)["params"].update(params)
    return changed


@pytest.mark.slow
def test_validation_gives_the_signatures_a_run_then_records(
    client: TestClient, alice: dict[str, str]
) -> None:
    iris = load_sample("sample-iris").to_csv(index=False).encode()
    dataset = upload(client, alice, iris, "iris.csv").json()
    graph = iris_graph(dataset["id"], sweep=False)
    signatures = validate(client, alice, graph)["signatures"]
    assert set(signatures) == NODES
    assert all(len(s) == 64 and int(s, 16) >= 0 for s in signatures.values())

    exp = client.post("/api/experiments", headers=alice, json={"name": "Iris", "graph": graph}).json()
    started = run_experiment(client, alice, exp["id"])
    assert {n: node["signature"] for n, node in started["nodes"].items()} == signatures
    events = follow_events(client, alice, started["id"])
    node_events = [e for e in events if e["type"] == "node" and "signature" in e]
    assert node_events and all(e["signature"] == signatures[e["node_id"]] for e in node_events)
    assert {n: node["signature"] for n, node in events[0]["nodes"].items()} == signatures  # the snapshot
    run = wait_for(client, alice, started["id"])
    assert run["status"] == RunStatus.SUCCEEDED
    assert {n: node["signature"] for n, node in run["nodes"].items()} == signatures

    # A run of some of the nodes records the same signatures for them, and reuses every output.
    again = run_experiment(client, alice, exp["id"], nodes=["train"])
    assert {n: node["signature"] for n, node in again["nodes"].items()} == {
        n: signatures[n] for n in ("data", "kmeans", "train")
    }
    assert all(node["cached"] for node in wait_for(client, alice, again["id"])["nodes"].values())


def test_a_hidden_parameter_keeps_the_signatures_and_a_visible_one_changes_them(
    client: TestClient, alice: dict[str, str]
) -> None:
    graph = iris_graph(sweep=False)
    before = validate(client, alice, graph)["signatures"]
    assert set(before) == NODES
    # trainer_mode is "single": the range is kept in the graph but ignored.
    hidden = validate(client, alice, with_params(graph, "kmeans", n_clusters_range="5-9"))
    assert hidden["valid"] and hidden["signatures"] == before
    visible = validate(client, alice, with_params(graph, "kmeans", n_clusters=4))["signatures"]
    assert visible["data"] == before["data"]
    assert all(visible[n] != before[n] for n in ("kmeans", "train", "assign"))


def test_another_users_dataset_gives_its_nodes_no_signature(
    client: TestClient, alice: dict[str, str]
) -> None:
    bob = sign_up(client, "bob")
    bobs = upload(client, bob, IRIS_CSV.encode()).json()["id"]
    graph = iris_graph(bobs, sweep=False)
    assert set(validate(client, bob, graph)["signatures"]) == NODES
    seen_by_alice = validate(client, alice, graph)
    assert not seen_by_alice["valid"]
    assert set(seen_by_alice["signatures"]) == {"kmeans"}  # data and what it feeds are not signed


def test_a_node_with_an_error_is_not_signed(client: TestClient, alice: dict[str, str]) -> None:
    body = validate(
        client, alice, with_params(iris_graph(sweep=False), "train", label_column="no_such_column")
    )
    assert any(e.get("node_id") == "train" for e in body["errors"])
    assert set(body["signatures"]) == {"data", "kmeans"}


def test_openapi_publishes_the_statuses_and_the_signatures(client: TestClient) -> None:
    schemas = client.app.openapi()["components"]["schemas"]  # type: ignore[attr-defined]
    assert schemas["RunStatus"]["enum"] == [s.value for s in RunStatus]
    for model in ("RunPublic", "NodeRunPublic", "RunBrief"):
        assert schemas[model]["properties"]["status"] == {"$ref": "#/components/schemas/RunStatus"}, model
    assert schemas["ValidationResult"]["properties"]["signatures"]["additionalProperties"] == {
        "type": "string"
    }
    signature = schemas["NodeRunPublic"]["properties"]["signature"]
    assert {"type": "string"} in signature["anyOf"] and {"type": "null"} in signature["anyOf"]
