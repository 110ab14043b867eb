"""Everything a client controls is bounded, and odd input is a coded 4xx, never a 500.

Findings these reproduce: `POST /api/graphs/validate` with n_clusters = 1,000,000 on Iris answered a
126 MB body after 24 s; n_clusters = 2^62 saved; a lone UTF-16 surrogate in any JSON body (even the
login) was a 500; parameters nested hundreds deep were a 500; NUL bytes in names were accepted
(PostgreSQL refuses them); a role message said "a editor".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade
from tests.api.conftest import sign_up, upload
from tests.api.test_runs import iris_graph

Headers = dict[str, str]


def validate(client: TestClient, headers: Headers, graph: dict) -> dict:
    response = client.post("/api/graphs/validate", headers=headers, json={"graph": graph})
    assert response.status_code == 200, response.text
    return response.json()


def raw(client: TestClient, method: str, url: str, headers: Headers, body: str | bytes) -> dict:
    response = client.request(
        method, url, headers={**headers, "content-type": "application/json"}, content=body
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    return {"status": response.status_code, **response.json()["detail"][0]}


def test_a_huge_number_of_clusters_is_refused_by_validation_with_a_small_answer(
    client: TestClient, alice: Headers
) -> None:
    response = client.post(
        "/api/graphs/validate", headers=alice, json={"graph": iris_graph("sample-iris", n_clusters=1_000_000)}
    )
    assert response.status_code == 200
    assert len(response.content) < 20_000
    problems = [e for e in response.json()["errors"] if e["node_id"] == "kmeans"]
    assert problems[0]["code"] == "0007" and problems[0]["param"] == "n_clusters"
    assert "1000" in problems[0]["message"]
    # Within the cap it is fine: 1000 clusters, 1000 distance columns listed.
    result = validate(client, alice, iris_graph("sample-iris", n_clusters=1000))
    assert not [e for e in result["errors"] if e["node_id"] == "kmeans"]
    assert len(result["columns"]["assign.results_dataset"]) >= 1000


def test_a_sweep_enumerating_too_many_candidates_is_refused(client: TestClient, alice: Headers) -> None:
    graph = iris_graph("sample-iris")
    rng = next(n for n in graph["nodes"] if n["id"] == "range")
    rng["params"].update(n_clusters_range="2-1000", n_seeds=100)
    problems = [e for e in validate(client, alice, graph)["errors"] if e["node_id"] == "range"]
    assert problems[0]["code"] == "0007" and problems[0]["param"] == "n_clusters_range"
    assert "STUDIO_MAX_SWEEP_CANDIDATES" in problems[0]["message"] and "99900" in problems[0]["message"]
    rng["params"].update(n_clusters_range="2-1001", n_seeds=1)
    problems = [e for e in validate(client, alice, graph)["errors"] if e["node_id"] == "range"]
    assert problems[0]["code"] == "0008" and "1001" in problems[0]["message"]


def test_numbers_beyond_what_a_browser_holds_are_refused_not_saved(
    client: TestClient, alice: Headers
) -> None:
    graph = iris_graph("sample-iris", n_clusters=2**62)
    created = client.post("/api/experiments", headers=alice, json={"name": "x", "graph": graph})
    assert created.status_code == 422
    assert created.json()["detail"][0]["type"] == "number_too_large"
    assert client.get("/api/experiments", headers=alice).json()["count"] == 0
    bad = raw(
        client,
        "POST",
        "/api/experiments",
        alice,
        '{"name": "x", "graph": {"nodes": [{"id": "n", "module": "dataset", "params": {"v": NaN}}]}}',
    )
    assert bad["type"] == "json_not_finite"


@pytest.mark.parametrize("where", ["login", "experiment", "params"])
def test_a_lone_surrogate_is_a_clear_422(client: TestClient, alice: Headers, where: str) -> None:
    lone = '"bad\\ud800name"'
    url, body, headers = {
        "login": ("/api/auth/login", f'{{"username": {lone}, "password": "x"}}', {}),
        "experiment": ("/api/experiments", f'{{"name": {lone}}}', alice),
        "params": (
            "/api/graphs/validate",
            '{"graph": {"nodes": [{"id": "n", "module": "dataset", "params": {"dataset_id": '
            + lone
            + "}}]}}",
            alice,
        ),
    }[where]
    problem = raw(client, "POST", url, headers, body)
    assert problem["status"] == 422 and problem["type"] == "invalid_unicode"
    assert "surrogate" in problem["msg"]


def test_nul_characters_are_refused_everywhere(client: TestClient, alice: Headers) -> None:
    created = client.post("/api/experiments", headers=alice, json={"name": "a\x00b"})
    assert created.status_code == 422 and created.json()["detail"][0]["type"] == "nul_character"
    assert "body.name" in created.json()["detail"][0]["msg"]
    share = client.post(
        "/api/experiments/1/shares", headers=alice, json={"username": "\x00", "role": "viewer"}
    )
    assert share.status_code == 422


@pytest.mark.parametrize("depth", [40, 500, 100_000])
def test_deeply_nested_parameters_are_refused(client: TestClient, alice: Headers, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    body = '{"name": "deep", "graph": {"nodes": [{"id": "n", "module": "dataset", "params": {"v": ' + nested
    body += "}}]}}"
    problem = raw(client, "POST", "/api/experiments", alice, body)
    assert problem["status"] == 422 and problem["type"] == "json_too_deep"
    assert "STUDIO_MAX_JSON_DEPTH" in problem["msg"]


def test_bodies_and_strings_are_capped(client: TestClient, alice: Headers) -> None:
    big = json.dumps({"name": "x", "description": "y" * (9 * 1024 * 1024)})
    problem = raw(client, "POST", "/api/experiments", alice, big)
    assert problem["status"] == 413 and problem["limit"] == "STUDIO_MAX_JSON_BYTES"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while streaming
        yield b'{"name": "x", "description": "'
        for _ in range(10):
            yield b"y" * 1024 * 1024
        yield b'"}'

    streamed = client.post(
        "/api/experiments", headers={**alice, "content-type": "application/json"}, content=chunks()
    )
    assert streamed.status_code == 413
    long_param = iris_graph("sample-iris")
    long_param["nodes"][0]["params"]["dataset_id"] = "z" * 200_000
    problem = client.post("/api/graphs/validate", headers=alice, json={"graph": long_param}).json()["detail"][
        0
    ]
    assert problem["type"] == "string_too_long" and problem["limit"] == "STUDIO_MAX_STRING_CHARS"
    assert client.get("/api/experiments", headers=alice).json()["count"] == 0


@pytest.fixture
def capped(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        DATABASE_URL=database_url,
        STUDIO_WARM_WORKERS=False,
        STUDIO_MAX_GRAPH_NODES=5,
        STUDIO_MAX_GRAPH_EDGES=6,
        STUDIO_MAX_VALIDATION_COLUMNS=100,
    )
    upgrade(settings.database_url)
    with TestClient(create_app(settings)) as client:
        yield client


def test_graph_size_and_validation_output_follow_their_settings(capped: TestClient) -> None:
    alice = sign_up(capped, "alice")
    graph = iris_graph("sample-iris")  # 6 nodes, 6 edges
    for method, url in (("POST", "/api/experiments"), ("POST", "/api/graphs/validate")):
        body = {"name": "big", "graph": graph} if url.endswith("experiments") else {"graph": graph}
        response = capped.request(method, url, headers=alice, json=body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["limit"] == "STUDIO_MAX_GRAPH_NODES"
        assert "6 nodes" in response.json()["detail"][0]["msg"]
    exp = capped.post("/api/experiments", headers=alice, json={"name": "small"}).json()
    saved = capped.put(f"/api/experiments/{exp['id']}", headers=alice, json={"version": 1, "graph": graph})
    assert saved.status_code == 422 and saved.json()["detail"][0]["type"] == "graph_too_large"

    wide = ",".join(f"c{i}" for i in range(150)) + "\n" + ",".join("1" for _ in range(150)) + "\n"
    dataset = upload(capped, alice, wide.encode(), "wide.csv").json()["id"]
    small = {"nodes": graph["nodes"][:1], "edges": []}
    small["nodes"][0]["params"]["dataset_id"] = dataset
    result = capped.post("/api/graphs/validate", headers=alice, json={"graph": small}).json()
    assert len(result["columns"]["data.dataset"]) == 100
    assert result["columns_truncated"] == ["data.dataset"]
    assert any(w["code"] == "columns_truncated" for w in result["warnings"])


def test_role_messages_read_well(client: TestClient, alice: Headers, bob: Headers) -> None:
    exp = client.post("/api/experiments", headers=alice, json={"name": "e"}).json()
    client.post(
        f"/api/experiments/{exp['id']}/shares", headers=alice, json={"username": "bob", "role": "editor"}
    )
    refused = client.delete(f"/api/experiments/{exp['id']}", headers=bob)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You are an editor of this experiment; this needs an owner."
