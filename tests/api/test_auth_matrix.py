"""Every route, generated from the app's route table: no session → 401; another user's object → 404.

A new route fails here until it is classified: public, or given a value for each of its path parameters.
"""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import IRIS_CSV, sign_up, upload

PUBLIC = {("GET", "/api/health"), ("POST", "/api/auth/register"), ("POST", "/api/auth/login")}
BODIES = {
    ("PUT", "/api/experiments/{experiment_id}"): {"version": 1, "name": "stolen"},
    ("POST", "/api/experiments"): {"name": "x"},
    ("POST", "/api/graphs/validate"): {"graph": {"nodes": [], "edges": []}},
}


def api_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /api, from its route table as OpenAPI publishes it."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [
        (method.upper(), path) for path, ops in paths.items() if path.startswith("/api") for method in ops
    ]


@pytest.fixture
def owned(client: TestClient) -> dict[str, object]:
    """Alice's objects: a dataset, an experiment and a finished run."""
    alice = sign_up(client, "alice")
    dataset_id = upload(client, alice, IRIS_CSV.encode()).json()["id"]
    graph = {"nodes": [{"id": "d", "module": "dataset", "params": {"dataset_id": dataset_id}}], "edges": []}
    exp = client.post("/api/experiments", headers=alice, json={"name": "mine", "graph": graph}).json()
    run = client.post(f"/api/experiments/{exp['id']}/runs", headers=alice).json()
    deadline = time.monotonic() + 60
    while client.get(f"/api/runs/{run['id']}", headers=alice).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return {
        "alice": alice,
        "params": {
            "experiment_id": exp["id"],
            "run_id": run["id"],
            "dataset_id": dataset_id,
            "node_id": "d",
            "port": "dataset",
            "version": 1,
        },
    }


def fill(path: str, values: dict[str, object]) -> str:
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    missing = [n for n in names if n not in values]
    assert not missing, f"{path}: the auth matrix has no value for {missing}; add one"
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values[m.group(1)]), path)


def test_every_private_route_needs_a_session(client: TestClient, owned: dict) -> None:
    client.cookies.clear()
    checked = 0
    for method, path in api_routes(client):
        if (method, path) in PUBLIC:
            continue
        url = fill(path, owned["params"])
        response = client.request(method, url, json=BODIES.get((method, path)))
        assert response.status_code == 401, (
            f"{method} {path} answered {response.status_code} without a session"
        )
        checked += 1
    assert checked >= 20


def test_another_users_objects_are_not_found(client: TestClient, owned: dict) -> None:
    bob = sign_up(client, "bob")
    checked = 0
    for method, path in api_routes(client):
        if (method, path) in PUBLIC or "{" not in path:
            continue
        url = fill(path, owned["params"])
        response = client.request(method, url, headers=bob, json=BODIES.get((method, path)))
        assert response.status_code == 404, f"{method} {path} answered {response.status_code} to another user"
        checked += 1
    assert checked >= 15
    # ...and the owner still has everything, untouched.
    alice = owned["alice"]
    exp = client.get(f"/api/experiments/{owned['params']['experiment_id']}", headers=alice).json()
    assert exp["name"] == "mine" and exp["version"] == 1
