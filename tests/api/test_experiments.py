from __future__ import annotations

from fastapi.testclient import TestClient

GRAPH = {
    "nodes": [
        {
            "id": "d",
            "module": "dataset",
            "params": {"dataset_id": "sample-iris"},
            "position": {"x": 0, "y": 0},
        },
        {
            "id": "k",
            "module": "kmeans_clustering",
            "params": {"n_clusters": 3},
            "position": {"x": 300, "y": 0},
        },
    ],
    "edges": [],
}


def test_create_list_read_update_with_versions(client: TestClient, alice: dict[str, str]) -> None:
    created = client.post("/api/experiments", headers=alice, json={"name": "Iris", "graph": GRAPH})
    assert created.status_code == 201
    exp = created.json()
    assert (
        exp["version"] == 1 and exp["owner"]["username"] == "alice" and exp["graph"]["nodes"][1]["id"] == "k"
    )

    listing = client.get("/api/experiments", headers=alice).json()
    assert listing["count"] == 1 and listing["data"][0]["id"] == exp["id"]

    changed = {**GRAPH, "nodes": [GRAPH["nodes"][0]]}
    saved = client.put(f"/api/experiments/{exp['id']}", headers=alice, json={"graph": changed, "version": 1})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert len(client.get(f"/api/experiments/{exp['id']}", headers=alice).json()["graph"]["nodes"]) == 1

    versions = client.get(f"/api/experiments/{exp['id']}/versions", headers=alice).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert {v["created_by"]["username"] for v in versions} == {"alice"}  # who saved each version
    first = client.get(f"/api/experiments/{exp['id']}/versions/1", headers=alice).json()
    assert len(first["graph"]["nodes"]) == 2


def test_a_stale_version_is_409_and_overwrites_nothing(client: TestClient, alice: dict[str, str]) -> None:
    exp = client.post("/api/experiments", headers=alice, json={"name": "Race", "graph": GRAPH}).json()
    url = f"/api/experiments/{exp['id']}"
    assert client.put(url, headers=alice, json={"name": "First save", "version": 1}).status_code == 200
    stale = client.put(url, headers=alice, json={"name": "Second save", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["detail"]["current_version"] == 2
    current = client.get(url, headers=alice).json()
    assert current["name"] == "First save" and current["version"] == 2
    assert len(client.get(f"{url}/versions", headers=alice).json()) == 2


def test_clone_is_save_as_and_delete_removes(client: TestClient, alice: dict[str, str]) -> None:
    exp = client.post("/api/experiments", headers=alice, json={"name": "Base", "graph": GRAPH}).json()
    clone = client.post(f"/api/experiments/{exp['id']}/clone", headers=alice, json={"name": "Copy"})
    assert clone.status_code == 201
    assert (
        clone.json()["id"] != exp["id"]
        and clone.json()["graph"] == exp["graph"]
        and clone.json()["version"] == 1
    )
    assert client.delete(f"/api/experiments/{exp['id']}", headers=alice).status_code == 204
    assert client.get(f"/api/experiments/{exp['id']}", headers=alice).status_code == 404
    assert client.get("/api/experiments", headers=alice).json()["count"] == 1


def test_malformed_experiment_bodies_are_422(client: TestClient, alice: dict[str, str]) -> None:
    bad = [
        {"graph": GRAPH},
        {"name": "", "graph": GRAPH},
        {"name": "x", "graph": {"nodes": [{"id": "a b/../", "module": "dataset"}]}},
        {"name": "x", "graph": {"nodes": "not a list"}},
        {"name": "x", "graph": {"edges": [{"id": "e"}]}},
    ]
    for body in bad:
        assert client.post("/api/experiments", headers=alice, json=body).status_code == 422, body
