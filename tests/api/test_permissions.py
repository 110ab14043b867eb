"""The permission matrix: every API route × {owner, editor, viewer, stranger, anonymous, link holder,
service key}.

No session → 401; someone else's object → 404, exactly like a missing one; a role too small → 403.

Generated from the app's route table: a route without a rule here fails the test. Each route gets a
fresh world (three users with roles on one experiment that has a finished run and an uploaded
dataset, a read-only link, a gallery entry); actors go from least to most privileged, so a
destructive call by the owner comes last.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade
from tests.api.conftest import IRIS_CSV, upload
from tests.conftest import DATABASES

pytestmark = pytest.mark.slow

ACTORS = ["anonymous", "link_holder", "service_key", "stranger", "viewer", "editor", "owner"]
OK = "2xx"
EXPECTED: dict[str, dict[str, int | str]] = {
    "public": dict.fromkeys(ACTORS, OK),
    "signed_in": {
        "anonymous": 401,
        "link_holder": 401,
        "stranger": OK,
        "viewer": OK,
        "editor": OK,
        "owner": OK,
    },
    "view": {"anonymous": 401, "link_holder": 401, "stranger": 404, "viewer": OK, "editor": OK, "owner": OK},
    "edit": {"anonymous": 401, "link_holder": 401, "stranger": 404, "viewer": 403, "editor": OK, "owner": OK},
    "own": {"anonymous": 401, "link_holder": 401, "stranger": 404, "viewer": 403, "editor": 403, "owner": OK},
    # Datasets are deleted only by their owner, and this one is in use: 409 even for her.
    "dataset_delete": {
        "anonymous": 401,
        "link_holder": 401,
        "stranger": 404,
        "viewer": 404,
        "editor": 404,
        "owner": 409,
    },
    # Saved models are changed only by their owner; those shared through an experiment are read-only.
    "model_own": {
        "anonymous": 401,
        "link_holder": 401,
        "stranger": 404,
        "viewer": 404,
        "editor": 404,
        "owner": OK,
    },
    # Read-only link routes: the anonymous actor has no token (a wrong one), everyone else holds it.
    "link": {"anonymous": 404, "link_holder": OK, "stranger": OK, "viewer": OK, "editor": OK, "owner": OK},
    "link_open": {
        "anonymous": 401,
        "link_holder": 401,
        "stranger": OK,
        "viewer": OK,
        "editor": OK,
        "owner": OK,
    },
    "gallery_open": {
        "anonymous": 401,
        "link_holder": 401,
        "stranger": OK,
        "viewer": OK,
        "editor": OK,
        "owner": OK,
    },
}

# Scoring services: managed by their owner alone (never shared); called with one of their keys or by
# the owner; deployed from any saved model the caller may read (here one shared through the experiment).
EXPECTED.update(
    {
        "service_create": {
            "anonymous": 401,
            "link_holder": 401,
            "service_key": 401,
            "stranger": 404,
            "viewer": OK,
            "editor": OK,
            "owner": OK,
        },
        "service_own": {
            "anonymous": 401,
            "link_holder": 401,
            "service_key": 401,
            "stranger": 404,
            "viewer": 404,
            "editor": 404,
            "owner": OK,
        },
        "service_call": {
            "anonymous": 401,
            "link_holder": 401,
            "service_key": OK,
            "stranger": 404,
            "viewer": 404,
            "editor": 404,
            "owner": OK,
        },
    }
)
# A service key is no session: every other route that needs one answers it 401, as for no header.
for _kind, _row in EXPECTED.items():
    _row.setdefault("service_key", OK if _kind in ("public", "link") else 401)


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    names: dict[str, str]
    ids: dict[str, Any] = field(default_factory=dict)

    def experiment_version(self) -> int:
        exp = self.client.get(f"/api/experiments/{self.ids['experiment_id']}", headers=self.headers["owner"])
        return exp.json()["version"]


Body = Callable[[World, str], dict[str, Any]]
PASSWORD = "violet kettle orbit"


def _json(payload: Any) -> Body:
    return lambda world, actor: {"json": payload}


def _of_results(world: World, actor: str) -> dict[str, Any]:
    """The path names the trained results table (a cluster profile needs one), not the dataset."""
    return {"path_ids": {"node_id": "train", "port": "results_dataset"}}


def _with_itself(world: World, actor: str) -> dict[str, Any]:
    """The run's results compared with the same run's (the other run is checked like the first)."""
    return {**_of_results(world, actor), "params": {"other_run": world.ids["run_id"]}}


def _against_species(world: World, actor: str) -> dict[str, Any]:
    return {**_of_results(world, actor), "params": {"label": "species"}}


RULES: dict[tuple[str, str], tuple[str, Body | None]] = {
    ("GET", "/api/health"): ("public", None),
    ("POST", "/api/auth/register"): (
        "public",
        lambda w, actor: {"json": {"username": f"new-{actor}", "password": "brass lantern meadow"}},
    ),
    ("POST", "/api/auth/login"): (
        "public",
        lambda w, actor: {"json": {"username": w.names["owner"], "password": PASSWORD}},
    ),
    ("POST", "/api/auth/logout"): ("signed_in", None),
    ("POST", "/api/auth/logout-all"): ("signed_in", None),
    # The same password again: the users must still sign in with PASSWORD for the next route's world.
    ("POST", "/api/auth/password"): (
        "signed_in",
        _json({"current_password": PASSWORD, "new_password": PASSWORD}),
    ),
    ("GET", "/api/auth/me"): ("signed_in", None),
    ("GET", "/api/modules"): ("public", None),
    ("GET", "/api/datasets"): ("signed_in", None),
    ("POST", "/api/datasets"): (
        "signed_in",
        lambda w, a: {"files": {"file": ("x.csv", io.BytesIO(b"a,b\n1,2\n"))}},
    ),
    ("GET", "/api/datasets/{dataset_id}"): ("view", None),
    ("GET", "/api/datasets/{dataset_id}/rows"): ("view", None),
    ("DELETE", "/api/datasets/{dataset_id}"): ("dataset_delete", None),
    ("GET", "/api/models"): ("signed_in", None),
    ("POST", "/api/models"): (
        "view",
        lambda w, a: {
            "json": {
                "run_id": w.ids["run_id"],
                "node_id": "train",
                "port": "trained_model",
                "name": f"by {a}",
            }
        },
    ),
    ("GET", "/api/models/{model_id}"): ("view", None),
    ("GET", "/api/models/{model_id}/export"): ("view", None),
    ("POST", "/api/models/import"): (
        "signed_in",
        lambda w, a: {"files": {"file": ("m.json", io.BytesIO(w.ids["model_json"]), "application/json")}},
    ),
    ("PATCH", "/api/models/{model_id}"): ("model_own", _json({"description": "renamed"})),
    ("DELETE", "/api/models/{model_id}"): ("model_own", None),
    ("GET", "/api/experiments"): ("signed_in", None),
    ("POST", "/api/experiments"): ("signed_in", _json({"name": "new"})),
    ("GET", "/api/experiments/{experiment_id}"): ("view", None),
    ("PUT", "/api/experiments/{experiment_id}"): (
        "edit",
        lambda w, actor: {"json": {"name": f"by {actor}", "version": w.experiment_version()}},
    ),
    ("DELETE", "/api/experiments/{experiment_id}"): ("own", None),
    ("POST", "/api/experiments/{experiment_id}/clone"): ("view", None),
    ("GET", "/api/experiments/{experiment_id}/versions"): ("view", None),
    ("GET", "/api/experiments/{experiment_id}/versions/{version}"): ("view", None),
    ("GET", "/api/experiments/{experiment_id}/export"): ("view", None),
    ("POST", "/api/graphs/validate"): ("signed_in", _json({"graph": {"nodes": [], "edges": []}})),
    ("POST", "/api/experiments/{experiment_id}/runs"): ("edit", None),
    ("GET", "/api/experiments/{experiment_id}/runs"): ("view", None),
    ("GET", "/api/runs/{run_id}"): ("view", None),
    ("POST", "/api/runs/{run_id}/cancel"): ("edit", None),
    ("GET", "/api/runs/{run_id}/events"): ("view", None),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/log"): ("view", None),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}"): ("view", None),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/rows"): ("view", None),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/download"): ("view", None),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/visualization"): ("view", None),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/silhouette"): ("view", _of_results),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/compare"): ("view", _with_itself),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/agreement"): ("view", _against_species),
    ("GET", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/profile"): ("view", _of_results),
    ("POST", "/api/runs/{run_id}/nodes/{node_id}/outputs/{port}/save-as-dataset"): (
        "view",
        _json({"name": "kept"}),
    ),
    ("GET", "/api/experiments/{experiment_id}/shares"): ("own", None),
    ("POST", "/api/experiments/{experiment_id}/shares"): (
        "own",
        lambda w, actor: {"json": {"username": w.names["stranger"], "role": "viewer"}},
    ),
    ("DELETE", "/api/experiments/{experiment_id}/shares/{user_id}"): ("own", None),
    ("GET", "/api/experiments/{experiment_id}/link"): ("own", None),
    ("POST", "/api/experiments/{experiment_id}/link"): ("own", None),
    ("DELETE", "/api/experiments/{experiment_id}/link"): ("own", None),
    ("GET", "/api/experiments/{experiment_id}/publish"): ("own", None),
    ("POST", "/api/experiments/{experiment_id}/publish"): ("own", _json({"title": "T", "tags": ["x"]})),
    ("DELETE", "/api/experiments/{experiment_id}/publish"): ("own", None),
    ("GET", "/api/gallery"): ("public", None),
    ("GET", "/api/gallery/{experiment_id}"): ("public", None),
    ("POST", "/api/gallery/{experiment_id}/open"): ("gallery_open", None),
    ("GET", "/api/public/{token}"): ("link", None),
    ("GET", "/api/public/{token}/runs/{run_id}/nodes/{node_id}/outputs/{port}"): ("link", None),
    ("GET", "/api/public/{token}/runs/{run_id}/nodes/{node_id}/outputs/{port}/rows"): ("link", None),
    ("GET", "/api/public/{token}/runs/{run_id}/nodes/{node_id}/outputs/{port}/visualization"): ("link", None),
    ("GET", "/api/public/{token}/runs/{run_id}/nodes/{node_id}/outputs/{port}/silhouette"): (
        "link",
        _of_results,
    ),
    ("GET", "/api/public/{token}/runs/{run_id}/nodes/{node_id}/outputs/{port}/agreement"): (
        "link",
        _against_species,
    ),
    ("GET", "/api/public/{token}/runs/{run_id}/nodes/{node_id}/outputs/{port}/profile"): (
        "link",
        _of_results,
    ),
    ("POST", "/api/public/{token}/open"): ("link_open", None),
    ("GET", "/api/gallery/{experiment_id}/runs/{run_id}/nodes/{node_id}/outputs/{port}"): ("public", None),
    ("GET", "/api/gallery/{experiment_id}/runs/{run_id}/nodes/{node_id}/outputs/{port}/rows"): (
        "public",
        None,
    ),
    ("GET", "/api/gallery/{experiment_id}/runs/{run_id}/nodes/{node_id}/outputs/{port}/visualization"): (
        "public",
        None,
    ),
    ("GET", "/api/gallery/{experiment_id}/runs/{run_id}/nodes/{node_id}/outputs/{port}/silhouette"): (
        "public",
        _of_results,
    ),
    ("GET", "/api/gallery/{experiment_id}/runs/{run_id}/nodes/{node_id}/outputs/{port}/agreement"): (
        "public",
        _against_species,
    ),
    ("GET", "/api/gallery/{experiment_id}/runs/{run_id}/nodes/{node_id}/outputs/{port}/profile"): (
        "public",
        _of_results,
    ),
    ("GET", "/api/services"): ("signed_in", None),
    ("POST", "/api/services"): (
        "service_create",
        lambda w, actor: {"json": {"model_id": w.ids["model_id"], "name": f"by {actor}"}},
    ),
    ("GET", "/api/services/{service_id}"): ("service_own", None),
    ("PATCH", "/api/services/{service_id}"): ("service_own", _json({"name": "renamed"})),
    ("DELETE", "/api/services/{service_id}"): ("service_own", None),
    ("POST", "/api/services/{service_id}/keys/{which}"): ("service_own", None),
    ("GET", "/api/services/{service_id}/usage"): ("service_own", None),
    ("GET", "/api/services/{service_id}/openapi.json"): ("service_call", None),
    ("POST", "/api/services/{service_id}/score"): (
        "service_call",
        _json(
            {"records": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]}
        ),
    ),
    ("POST", "/api/services/{service_id}/batch"): ("service_call", _json({"dataset_id": "sample-iris"})),
    ("GET", "/api/services/{service_id}/batch"): ("service_call", None),
    ("GET", "/api/services/{service_id}/batch/{job_id}"): ("service_call", lambda w, a: with_job(w)),
    ("GET", "/api/services/{service_id}/batch/{job_id}/result"): ("service_call", lambda w, a: with_job(w)),
    # Each actor's own job to delete (an earlier actor's success must not leave a later one nothing).
    ("DELETE", "/api/services/{service_id}/batch/{job_id}"): (
        "service_call",
        lambda w, a: with_job(w, fresh=True),
    ),
}


@pytest.fixture(scope="module", params=DATABASES)
def shared_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One real app per database for the whole matrix (worker processes start once)."""
    data = tmp_path_factory.mktemp("permissions")
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'studio.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    config = Settings(STUDIO_DATA_DIR=data, DATABASE_URL=url)
    upgrade(config.database_url)
    with TestClient(create_app(config)) as client:
        yield client


def api_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /api, from its route table as OpenAPI publishes it."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(verb.upper(), path) for path, ops in paths.items() if path.startswith("/api") for verb in ops]


def test_every_route_has_a_rule(client: TestClient) -> None:
    missing = sorted(set(api_routes(client)) - set(RULES))
    assert not missing, f"routes without a permission rule: {missing}"
    stale = sorted(set(RULES) - set(api_routes(client)))
    assert not stale, f"rules for routes that no longer exist: {stale}"


_registered: set[int] = set()


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def build_world(client: TestClient) -> World:
    """A new experiment with fresh sessions for the module's four users (roles are per experiment)."""
    names = {role: f"{role}-{id(client)}" for role in ("owner", "editor", "viewer", "stranger")}
    if id(client) not in _registered:
        for name in names.values():
            assert (
                client.post("/api/auth/register", json={"username": name, "password": PASSWORD}).status_code
                == 201
            )
        _registered.add(id(client))
    headers = {role: sign_in(client, name) for role, name in names.items()}
    owner = headers["owner"]
    dataset_id = upload(client, owner, IRIS_CSV.encode()).json()["id"]
    graph = training_graph(dataset_id)
    exp_id = client.post("/api/experiments", headers=owner, json={"name": "shared", "graph": graph}).json()[
        "id"
    ]
    for role in ("editor", "viewer"):
        body = {"username": names[role], "role": role}
        shared = client.post(f"/api/experiments/{exp_id}/shares", headers=owner, json=body)
        assert shared.status_code == 200, shared.text
    run_id = client.post(f"/api/experiments/{exp_id}/runs", headers=owner).json()["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/api/runs/{run_id}", headers=owner).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    model_id = use_a_saved_model(client, owner, exp_id, run_id, graph)
    token = client.post(f"/api/experiments/{exp_id}/link", headers=owner).json()["token"]
    assert (
        client.post(f"/api/experiments/{exp_id}/publish", headers=owner, json={"title": "Iris"}).status_code
        == 200
    )
    viewer_id = client.get("/api/auth/me", headers=headers["viewer"]).json()["id"]
    service = client.post("/api/services", headers=owner, json={"model_id": model_id, "name": "Scores"})
    assert service.status_code == 201, service.text
    service_key = {"Authorization": f"Bearer {service.json()['primary_key']}"}
    world = World(
        client, {**headers, "anonymous": {}, "link_holder": {}, "service_key": service_key}, names=names
    )
    world.ids = {
        "experiment_id": exp_id,
        "run_id": run_id,
        "dataset_id": dataset_id,
        "node_id": "d",
        "port": "dataset",
        "version": 1,
        "user_id": viewer_id,
        "token": token,
        "model_id": model_id,
        "model_json": client.get(f"/api/models/{model_id}/export", headers=owner).content,
        "service_id": service.json()["id"],
        "which": "secondary",
    }
    return world


def training_graph(dataset_id: str) -> dict[str, Any]:
    """Dataset → K-Means → Train: the run has a table and a trained model to read or keep."""
    return {
        "nodes": [
            {"id": "d", "module": "dataset", "params": {"dataset_id": dataset_id}},
            {"id": "k", "module": "kmeans_clustering", "params": {"n_clusters": 2}},
            {"id": "train", "module": "train_clustering_model", "params": {}},
        ],
        "edges": [
            {
                "id": "e1",
                "source": "k",
                "source_port": "untrained_model",
                "target": "train",
                "target_port": "untrained_model",
            },
            {
                "id": "e2",
                "source": "d",
                "source_port": "dataset",
                "target": "train",
                "target_port": "dataset",
            },
        ],
    }


def use_a_saved_model(
    client: TestClient, owner: dict[str, str], exp_id: int, run_id: int, graph: dict[str, Any]
) -> str:
    """Keep the run's model and put it into the experiment (so those it is shared with may read it)."""
    body = {"run_id": run_id, "node_id": "train", "port": "trained_model", "name": "Kept"}
    saved = client.post("/api/models", headers=owner, json=body)
    assert saved.status_code == 201, saved.text
    model_id: str = saved.json()["id"]
    source = {"id": "m", "module": "trained_model", "params": {"model_id": model_id}}
    put = client.put(
        f"/api/experiments/{exp_id}",
        headers=owner,
        json={"version": 1, "graph": {**graph, "nodes": [*graph["nodes"], source]}},
    )
    assert put.status_code == 200, put.text
    return model_id


def with_job(world: World, *, fresh: bool = False) -> dict[str, Any]:
    """A finished batch job of the world's service in `job_id` (a new one if `fresh`); no request body."""
    if fresh or "job_id" not in world.ids:
        owner, service_id = world.headers["owner"], world.ids["service_id"]
        url = f"/api/services/{service_id}/batch"
        job = world.client.post(url, headers=owner, json={"dataset_id": "sample-iris"}).json()
        deadline = time.monotonic() + 60
        while world.client.get(f"{url}/{job['id']}", headers=owner).json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        world.ids["job_id"] = job["id"]
    return {}


def url_for(path: str, world: World, actor: str, path_ids: dict[str, Any] | None = None) -> str:
    values = {**world.ids, **(path_ids or {})}
    if actor == "anonymous":
        values["token"] = "not-the-token"
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


def matches(expected: int | str, status: int) -> bool:
    return 200 <= status < 300 if expected == OK else status == expected


ROUTE_IDS = [f"{m} {p}" for m, p in RULES]


@pytest.mark.parametrize(("method", "path"), list(RULES), ids=ROUTE_IDS)
def test_permission_matrix(shared_client: TestClient, method: str, path: str) -> None:
    client = shared_client
    world = build_world(client)
    kind, body = RULES[(method, path)]
    wrong = []
    for actor in ACTORS:
        kwargs = body(world, actor) if body else {}
        url = url_for(path, world, actor, kwargs.pop("path_ids", None))
        response = client.request(method, url, headers=world.headers[actor], **kwargs)
        if not matches(EXPECTED[kind][actor], response.status_code):
            wrong.append(
                f"{actor}: expected {EXPECTED[kind][actor]}, got {response.status_code} {response.text[:120]}"
            )
    assert not wrong, f"{method} {path} ({kind}):\n" + "\n".join(wrong)
