"""Deleting a dataset: other people's references neither stop it nor learn anything, and the rows go.

Findings this reproduces: another user referencing your dataset stopped you deleting it and told you
the name of their experiment; a deleted dataset's rows stayed readable through old runs' outputs.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import IRIS_CSV, upload
from tests.api.test_deleted_runs import (
    private_upload,
    referenced_keys,
    slow_sweep_graph,
    stored_keys,
    wait_until_over,
    wait_until_running,
)
from tests.api.test_runs import iris_graph, run_experiment, wait_for

pytestmark = pytest.mark.slow


def share(client: TestClient, owner: dict[str, str], exp_id: int, username: str, role: str) -> None:
    body = {"username": username, "role": role}
    assert client.post(f"/api/experiments/{exp_id}/shares", headers=owner, json=body).status_code == 200


def stop_using(client: TestClient, owner: dict[str, str], exp_id: int) -> None:
    """The owner takes the dataset out of her experiment (a new version on the samples)."""
    exp = client.get(f"/api/experiments/{exp_id}", headers=owner).json()
    body = {"version": exp["version"], "graph": iris_graph("sample-iris")}
    assert client.put(f"/api/experiments/{exp_id}", headers=owner, json=body).status_code == 200


def test_someone_elses_experiment_neither_blocks_the_delete_nor_is_named(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    dataset = upload(client, alice, IRIS_CSV.encode(), "d.csv").json()["id"]
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "mine", "graph": iris_graph(dataset)}
    ).json()["id"]
    share(client, alice, exp_id, "bob", "viewer")
    clone = client.post(f"/api/experiments/{exp_id}/clone", headers=bob, json={"name": "Bob's secret plan"})
    assert clone.status_code == 201
    # Her own experiment still holds it back, and is named: it is hers.
    blocked = client.delete(f"/api/datasets/{dataset}", headers=alice)
    assert blocked.status_code == 409 and "mine" in blocked.json()["detail"]
    stop_using(client, alice, exp_id)
    deleted = client.delete(f"/api/datasets/{dataset}", headers=alice)
    assert deleted.status_code == 204, deleted.text
    assert "secret plan" not in deleted.text
    # Bob's copy now names a dataset that no longer exists: validation says so, running is refused.
    graph = client.get(f"/api/experiments/{clone.json()['id']}", headers=bob).json()["graph"]
    problems = client.post("/api/graphs/validate", headers=bob, json={"graph": graph}).json()["errors"]
    assert any(p["code"] == "0003" and p.get("param") == "dataset_id" for p in problems)
    assert client.post(f"/api/experiments/{clone.json()['id']}/runs", headers=bob).status_code == 400


def test_a_deleted_datasets_rows_are_not_readable_through_old_runs(
    client: TestClient, alice: dict[str, str]
) -> None:
    dataset = upload(client, alice, IRIS_CSV.encode(), "d.csv").json()["id"]
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "e", "graph": iris_graph(dataset, n_clusters=2)}
    ).json()["id"]
    run_id = run_experiment(client, alice, exp_id)["id"]
    assert wait_for(client, alice, run_id)["status"] == "succeeded"
    assert (
        client.post(f"/api/experiments/{exp_id}/publish", headers=alice, json={"title": "t"}).status_code
        == 200
    )
    token = client.post(f"/api/experiments/{exp_id}/link", headers=alice).json()["token"]
    from_data = ["data/outputs/dataset", "train/outputs/trained_model", "assign/outputs/results_dataset"]
    for path in from_data:
        assert client.get(f"/api/runs/{run_id}/nodes/{path}", headers=alice).status_code == 200
    before = stored_keys(client)

    stop_using(client, alice, exp_id)
    assert client.delete(f"/api/datasets/{dataset}", headers=alice).status_code == 204
    for path in from_data:
        for url in (
            f"/api/runs/{run_id}/nodes/{path}",
            f"/api/runs/{run_id}/nodes/{path}/rows",
            f"/api/runs/{run_id}/nodes/{path}/download",
            f"/api/runs/{run_id}/nodes/{path}/visualization",
            f"/api/gallery/{exp_id}/runs/{run_id}/nodes/{path}",
            f"/api/public/{token}/runs/{run_id}/nodes/{path}/rows",
        ):
            assert client.get(url, headers=alice).status_code in (400, 404), url
    # What did not come from the dataset stays (the K-Means configuration), and its files with it.
    assert (
        client.get(f"/api/runs/{run_id}/nodes/kmeans/outputs/untrained_model", headers=alice).status_code
        == 200
    )
    after = stored_keys(client)
    assert after < before and after == referenced_keys(client)
    log = client.get(f"/api/runs/{run_id}/nodes/train/log", headers=alice).text
    assert "dataset was deleted" in log


def test_deleting_a_dataset_stops_a_run_computing_from_it(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    private = private_upload(client, alice)
    exp_id = client.post(
        "/api/experiments", headers=alice, json={"name": "e", "graph": slow_sweep_graph(private)}
    ).json()["id"]
    share(client, alice, exp_id, "bob", "viewer")
    clone_id = client.post(f"/api/experiments/{exp_id}/clone", headers=bob).json()["id"]
    run_id = run_experiment(client, bob, clone_id, nodes=["sweep"])["id"]
    wait_until_running(client, bob, run_id, "sweep")

    stop_using(client, alice, exp_id)
    assert client.delete(f"/api/datasets/{private}", headers=alice).status_code == 204
    run = wait_for(client, bob, run_id, timeout=30)
    wait_until_over(client, run_id)
    assert run["status"] == "cancelled"
    assert run["nodes"]["data"]["outputs"] == {} and run["nodes"]["sweep"]["outputs"] == {}
    assert run["nodes"]["range"]["outputs"] == {"untrained_model": "untrained_cluster_model"}  # not from it
    assert stored_keys(client) == referenced_keys(client)
