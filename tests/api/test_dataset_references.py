"""A graph may only name datasets its writer may read, and a share passes on only the owner's datasets.

The attack: saving an experiment recorded a usage for any `dataset_id` in its graph, so whoever the
experiment was shared with (or, once published, anyone opening it from the gallery) could read a
dataset the saver was never given — and a revoked viewer regained access the same way.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.models import DatasetUsage, Experiment, ExperimentVersion
from tests.api.conftest import IRIS_CSV, sign_up, upload

pytestmark = pytest.mark.slow


def graph_with(*dataset_ids: str) -> dict:
    return {
        "nodes": [
            {"id": f"d{i}", "module": "dataset", "params": {"dataset_id": d}, "position": {"x": 0, "y": 0}}
            for i, d in enumerate(dataset_ids)
        ],
        "edges": [],
    }


def dataset_of(client: TestClient, headers: dict[str, str], name: str) -> str:
    response = upload(client, headers, IRIS_CSV.encode(), f"{name}.csv", name=name)
    assert response.status_code == 201
    return response.json()["id"]


def readable(client: TestClient, headers: dict[str, str], dataset_id: str) -> bool:
    meta = client.get(f"/api/datasets/{dataset_id}", headers=headers).status_code
    rows = client.get(f"/api/datasets/{dataset_id}/rows", headers=headers).status_code
    assert meta == rows
    return meta == 200


def share(client: TestClient, owner: dict[str, str], exp_id: int, username: str, role: str) -> None:
    body = {"username": username, "role": role}
    assert client.post(f"/api/experiments/{exp_id}/shares", headers=owner, json=body).status_code == 200


def test_creating_or_saving_a_graph_with_someone_elses_dataset_is_not_found(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    private = dataset_of(client, alice, "private")
    created = client.post("/api/experiments", headers=bob, json={"name": "x", "graph": graph_with(private)})
    assert created.status_code == 404
    assert created.json()["detail"]["node_id"] == "d0" and created.json()["detail"]["param"] == "dataset_id"
    assert client.get("/api/experiments", headers=bob).json()["count"] == 0  # nothing was stored

    mine = client.post("/api/experiments", headers=bob, json={"name": "mine"}).json()
    saved = client.put(
        f"/api/experiments/{mine['id']}", headers=bob, json={"version": 1, "graph": graph_with(private)}
    )
    assert saved.status_code == 404
    assert client.get(f"/api/experiments/{mine['id']}", headers=bob).json()["version"] == 1
    # Sharing the would-be experiment gives nobody anything.
    carol = sign_up(client, "carol")
    share(client, bob, mine["id"], "carol", "viewer")
    assert not readable(client, carol, private) and not readable(client, bob, private)


def test_a_revoked_viewer_cannot_regain_a_dataset_through_an_experiment_of_their_own(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    private = dataset_of(client, alice, "private")
    exp = client.post("/api/experiments", headers=alice, json={"name": "a", "graph": graph_with(private)})
    share(client, alice, exp.json()["id"], "bob", "viewer")
    assert readable(client, bob, private)
    bob_id = client.get("/api/auth/me", headers=bob).json()["id"]
    assert (
        client.delete(f"/api/experiments/{exp.json()['id']}/shares/{bob_id}", headers=alice).status_code
        == 204
    )
    assert not readable(client, bob, private)
    own = client.post("/api/experiments", headers=bob, json={"name": "again", "graph": graph_with(private)})
    assert own.status_code == 404
    assert not readable(client, bob, private)


def test_an_editor_keeps_the_owners_datasets_and_shares_pass_on_only_the_owners(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    alices = dataset_of(client, alice, "alices")
    bobs = dataset_of(client, bob, "bobs")
    carol = sign_up(client, "carol")
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "a", "graph": graph_with(alices)}
    ).json()["id"]
    share(client, alice, exp_id, "bob", "editor")
    share(client, alice, exp_id, "carol", "viewer")
    # The editor saves with the owner's dataset kept and one of his own added: both readable by him.
    saved = client.put(
        f"/api/experiments/{exp_id}", headers=bob, json={"version": 1, "graph": graph_with(alices, bobs)}
    )
    assert saved.status_code == 200, saved.text
    assert readable(client, carol, alices)  # the owner's dataset is shared with the experiment
    assert not readable(client, carol, bobs)  # the editor's is not passed on by Alice's share
    assert not readable(client, alice, bobs)
    # A dataset nobody in the room may read is refused, even from the owner.
    dave = sign_up(client, "dave")
    daves = dataset_of(client, dave, "daves")
    refused = client.put(
        f"/api/experiments/{exp_id}", headers=alice, json={"version": 2, "graph": graph_with(alices, daves)}
    )
    assert refused.status_code == 404


def test_cloning_keeps_only_what_the_cloner_may_read(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    alices = dataset_of(client, alice, "alices")
    dave = sign_up(client, "dave")
    daves = dataset_of(client, dave, "daves")
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "a", "graph": graph_with(alices)}
    ).json()["id"]
    # An older graph (saved before this check existed) that names Dave's dataset.
    legacy_graph(client, exp_id, graph_with(alices, daves))
    share(client, alice, exp_id, "bob", "viewer")
    clone = client.post(f"/api/experiments/{exp_id}/clone", headers=bob)
    assert clone.status_code == 201
    params = [node["params"]["dataset_id"] for node in clone.json()["graph"]["nodes"]]
    assert params == [alices, None]


def legacy_graph(client: TestClient, exp_id: int, graph: dict) -> None:
    """Write a graph straight into the database, as a save before this check could have."""
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        version = session.query(ExperimentVersion).filter_by(experiment_id=exp_id).one()
        version.graph = graph
        for dataset_id in {n["params"]["dataset_id"] for n in graph["nodes"]}:
            if session.get(DatasetUsage, (exp_id, dataset_id)) is None:
                session.add(DatasetUsage(experiment_id=exp_id, dataset_id=dataset_id))
        session.commit()
        assert session.get(Experiment, exp_id) is not None


def test_published_and_linked_experiments_pass_on_only_the_owners_datasets(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    alices = dataset_of(client, alice, "alices")
    daves = dataset_of(client, sign_up(client, "dave"), "daves")
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "a", "graph": graph_with(alices)}
    ).json()["id"]
    legacy_graph(client, exp_id, graph_with(alices, daves))
    assert (
        client.post(f"/api/experiments/{exp_id}/publish", headers=alice, json={"title": "t"}).status_code
        == 200
    )
    token = client.post(f"/api/experiments/{exp_id}/link", headers=alice).json()["token"]

    assert set(client.get(f"/api/gallery/{exp_id}").json()["datasets"]) == {alices}
    assert set(client.get(f"/api/public/{token}").json()["datasets"]) == {alices}
    for opened in (
        client.post(f"/api/gallery/{exp_id}/open", headers=bob),
        client.post(f"/api/public/{token}/open", headers=bob),
    ):
        assert opened.status_code == 201
        copied, dropped = (node["params"]["dataset_id"] for node in opened.json()["graph"]["nodes"])
        assert dropped is None and copied not in (alices, daves)
        assert readable(client, bob, copied)
    assert not readable(client, bob, daves)
    names = [d["name"] for d in client.get("/api/datasets", headers=bob).json() if not d["sample"]]
    assert sorted(names) == ["alices", "alices"]  # one copy per Open in Studio, none of Dave's
