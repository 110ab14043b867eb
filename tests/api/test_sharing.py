"""Sharing flows: roles, datasets readable through a share, the link, the gallery and Open in Studio."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import IRIS_CSV, sign_up, upload
from tests.api.test_runs import iris_graph, run_experiment, wait_for


def shared_experiment(client: TestClient, owner: dict[str, str]) -> tuple[int, str]:
    dataset_id = upload(client, owner, IRIS_CSV.encode(), "flowers.csv").json()["id"]
    graph = iris_graph(dataset_id, n_clusters=2)
    exp = client.post("/api/experiments", headers=owner, json={"name": "Flowers", "graph": graph}).json()
    return exp["id"], dataset_id


def test_viewer_reads_editor_saves_only_owner_shares(client: TestClient, alice, bob) -> None:
    exp_id, dataset_id = shared_experiment(client, alice)
    url = f"/api/experiments/{exp_id}"
    assert (
        client.post(f"{url}/shares", headers=alice, json={"username": "bob", "role": "viewer"}).status_code
        == 200
    )

    listed = client.get("/api/experiments", headers=bob).json()
    assert listed["count"] == 1
    entry = listed["data"][0]
    assert entry["my_role"] == "viewer" and entry["owner"]["username"] == "alice"
    # The dataset it uses is readable, but not listed as Bob's and not deletable by him.
    assert client.get(f"/api/datasets/{dataset_id}/rows", headers=bob).json()["total"] == 6
    assert dataset_id not in {d["id"] for d in client.get("/api/datasets", headers=bob).json()}
    assert client.delete(f"/api/datasets/{dataset_id}", headers=bob).status_code == 404
    # A viewer may not save or run.
    assert client.put(url, headers=bob, json={"name": "mine now", "version": 1}).status_code == 403
    assert client.post(f"{url}/runs", headers=bob).status_code == 403
    assert (
        client.post(f"{url}/shares", headers=bob, json={"username": "bob", "role": "editor"}).status_code
        == 403
    )

    assert (
        client.post(f"{url}/shares", headers=alice, json={"username": "bob", "role": "editor"}).status_code
        == 200
    )
    saved = client.put(url, headers=bob, json={"name": "Flowers, edited by Bob", "version": 1})
    assert saved.status_code == 200 and saved.json()["my_role"] == "editor"
    assert client.get(url, headers=alice).json()["name"] == "Flowers, edited by Bob"
    run = wait_for(client, bob, run_experiment(client, bob, exp_id)["id"])
    assert run["status"] == "succeeded"
    assert client.delete(url, headers=bob).status_code == 403

    shares = client.get(f"{url}/shares", headers=alice).json()
    assert [(s["user"]["username"], s["role"]) for s in shares] == [("bob", "editor")]
    assert client.delete(f"{url}/shares/{shares[0]['user']['id']}", headers=alice).status_code == 204
    assert client.get(url, headers=bob).status_code == 404
    assert client.get(f"/api/datasets/{dataset_id}", headers=bob).status_code == 404


def test_read_only_link_shows_graph_and_latest_outputs_until_revoked(client: TestClient, alice) -> None:
    exp_id, _ = shared_experiment(client, alice)
    run = wait_for(client, alice, run_experiment(client, alice, exp_id)["id"])
    assert client.get(f"/api/experiments/{exp_id}/link", headers=alice).json() is None
    link = client.post(f"/api/experiments/{exp_id}/link", headers=alice).json()
    assert client.get(f"/api/experiments/{exp_id}/link", headers=alice).json() == link
    assert len(link["token"]) >= 32 and link["url"].endswith(f"/shared/{link['token']}")
    assert client.post(f"/api/experiments/{exp_id}/link", headers=alice).json()["token"] == link["token"]

    client.cookies.clear()
    public = client.get(f"/api/public/{link['token']}").json()  # nobody signed in
    assert public["name"] == "Flowers" and public["run"]["id"] == run["id"]
    assert public["output_summaries"]["train"]["trained_model"]["k"] == 2
    base = f"/api/public/{link['token']}/runs/{run['id']}/nodes/assign/outputs/results_dataset"
    assert client.get(f"{base}/rows?limit=3").json()["total"] == 6
    assert client.get(f"{base}/visualization").json()["kind"] == "clusters"

    assert client.delete(f"/api/experiments/{exp_id}/link", headers=alice).status_code == 204
    assert client.get(f"/api/public/{link['token']}").status_code == 404
    assert client.get(f"{base}/rows").status_code == 404


def test_gallery_search_and_open_in_studio_copies_graph_and_datasets(client: TestClient, alice) -> None:
    exp_id, dataset_id = shared_experiment(client, alice)
    wait_for(client, alice, run_experiment(client, alice, exp_id)["id"])
    body = {"title": "Clustering flowers", "summary_markdown": "Two **clusters**.", "tags": ["iris", "Demo"]}
    assert client.get(f"/api/experiments/{exp_id}/publish", headers=alice).json() is None
    assert client.post(f"/api/experiments/{exp_id}/publish", headers=alice, json=body).status_code == 200
    assert client.get(f"/api/experiments/{exp_id}/publish", headers=alice).json()["tags"] == ["Demo", "iris"]
    other = client.post(
        "/api/experiments", headers=alice, json={"name": "Other", "graph": {"nodes": []}}
    ).json()
    client.post(
        f"/api/experiments/{other['id']}/publish", headers=alice, json={"title": "Wine", "tags": ["wine"]}
    )

    client.cookies.clear()
    assert client.get("/api/gallery").json()["count"] == 2
    assert [e["title"] for e in client.get("/api/gallery?q=FLOWER").json()["data"]] == ["Clustering flowers"]
    assert [e["title"] for e in client.get("/api/gallery?tag=demo").json()["data"]] == ["Clustering flowers"]
    assert client.get("/api/gallery?tag=nothing").json()["count"] == 0
    assert (
        client.get(f"/api/gallery/{exp_id}").json()["graph"]["nodes"][0]["params"]["dataset_id"] == dataset_id
    )

    carol = sign_up(client, "carol")
    copy = client.post(f"/api/gallery/{exp_id}/open", headers=carol)
    assert copy.status_code == 201
    mine = copy.json()
    assert mine["owner"]["username"] == "carol" and mine["id"] != exp_id and mine["version"] == 1
    new_dataset = mine["graph"]["nodes"][0]["params"]["dataset_id"]
    assert new_dataset != dataset_id
    assert client.get(f"/api/datasets/{new_dataset}/rows", headers=carol).json()["total"] == 6
    assert client.get(f"/api/experiments/{mine['id']}/runs", headers=carol).json() == []  # no run history
    # The copy is independent: it runs, and the original owner can delete hers.
    assert wait_for(client, carol, run_experiment(client, carol, mine["id"])["id"])["status"] == "succeeded"
    assert client.delete(f"/api/experiments/{exp_id}/publish", headers=alice).status_code == 204
    assert client.get(f"/api/gallery/{exp_id}").status_code == 404
    assert client.get(f"/api/datasets/{new_dataset}", headers=carol).status_code == 200
