"""Saved models: a trained model kept out of its run, used as a source node, shared and copied like a
dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnxruntime
from fastapi.testclient import TestClient

from modules.samples import load_sample
from tests.api.conftest import sign_up
from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.graphs import edge, iris_graph, node


def finished_run(client: TestClient, headers: dict[str, str], graph: dict[str, Any]) -> tuple[int, int]:
    exp = client.post("/api/experiments", headers=headers, json={"name": "Iris", "graph": graph}).json()
    run = wait_for(client, headers, run_experiment(client, headers, exp["id"])["id"])
    assert run["status"] == "succeeded", run
    return exp["id"], run["id"]


def save_model(
    client: TestClient, headers: dict[str, str], run_id: int, node_id: str, port: str, **body: Any
) -> Any:
    return client.post(
        "/api/models", headers=headers, json={"run_id": run_id, "node_id": node_id, "port": port, **body}
    )


def scoring_graph(model_id: str, dataset_id: str = "sample-iris") -> dict[str, Any]:
    """Saved model + dataset → Assign Data to Clusters."""
    return {
        "nodes": [
            node("model", "trained_model", 0, 0, model_id=model_id),
            node("data", "dataset", 200, 0, dataset_id=dataset_id),
            node("assign", "assign_data_to_clusters", 100, 160),
        ],
        "edges": [
            edge("model", "trained_model", "assign", "trained_model"),
            edge("data", "dataset", "assign", "dataset"),
        ],
    }


def test_a_trained_model_outlives_its_run_and_scores_in_another_experiment(
    client: TestClient, alice: dict[str, str]
) -> None:
    exp_id, run_id = finished_run(client, alice, iris_graph(sweep=False))
    expected = all_rows(client, alice, run_id, "assign", "results_dataset")
    saved = save_model(
        client, alice, run_id, "train", "trained_model", name="Iris segments", description="k=3"
    )
    assert saved.status_code == 201, saved.text
    model = saved.json()
    assert model["name"] == "Iris segments" and model["description"] == "k=3"
    assert model["algorithm"] == "kmeans" and model["k"] == 3 and model["owned"] is True
    assert [c["name"] for c in model["feature_columns"]] == [
        "sepal_length", "sepal_width", "petal_length", "petal_width"
    ]  # fmt: skip
    assert model["metric"] == "euclidean" and model["normalize"] is True
    assert model["source"] == {"experiment_id": exp_id, "run_id": run_id, "node_id": "train"}
    assert model["owner"]["username"] == "alice" and model["size_bytes"] > 0

    assert client.delete(f"/api/experiments/{exp_id}", headers=alice).status_code == 204  # its run goes too
    listed = client.get("/api/models", headers=alice).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == model["id"]

    graph = scoring_graph(model["id"])
    report = client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).json()
    assert report["valid"], report["errors"]
    assert "DistancesToClusterCenter no.2" in [c["name"] for c in report["columns"]["assign.results_dataset"]]
    _, second_run = finished_run(client, alice, graph)
    scored = all_rows(client, alice, second_run, "assign", "results_dataset")
    assert scored["Assignments"].tolist() == expected["Assignments"].tolist()
    for j in range(3):
        column = f"DistancesToClusterCenter no.{j}"
        assert (scored[column] - expected[column]).abs().max() <= 1e-12


def test_a_model_from_a_sweep_and_what_cannot_be_saved(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    _, run_id = finished_run(client, alice, iris_graph(sweep=True))
    best = save_model(client, alice, run_id, "sweep", "best_model", name="Best of the sweep")
    assert best.status_code == 201, best.text
    assert best.json()["k"] in (2, 3, 4) and best.json()["source"]["node_id"] == "sweep"
    table = save_model(client, alice, run_id, "train", "results_dataset", name="a table")
    assert table.status_code == 400 and "not a trained clustering model" in table.json()["detail"]
    untrained = save_model(client, alice, run_id, "kmeans", "untrained_model", name="untrained")
    assert untrained.status_code == 400
    assert save_model(client, bob, run_id, "train", "trained_model", name="theirs").status_code == 404
    assert save_model(client, alice, run_id, "train", "no_such_port", name="x").status_code == 404
    assert save_model(client, alice, run_id, "train", "trained_model", name="").status_code == 422
    assert save_model(client, alice, 2**31 - 1, "train", "trained_model", name="x").status_code == 404
    assert save_model(client, alice, 2**40, "train", "trained_model", name="x").status_code == 422
    assert client.get("/api/models", headers=bob).json() == {"data": [], "count": 0}


def test_only_the_owner_renames_or_deletes_and_a_deleted_model_is_named_when_run(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    _, run_id = finished_run(client, alice, iris_graph(sweep=False))
    model_id = save_model(client, alice, run_id, "train", "trained_model", name="m").json()["id"]
    url = f"/api/models/{model_id}"
    assert client.get(url, headers=bob).status_code == 404
    assert client.patch(url, headers=bob, json={"name": "mine"}).status_code == 404
    assert client.delete(url, headers=bob).status_code == 404
    renamed = client.patch(url, headers=alice, json={"name": "Segments", "description": "v2"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Segments"
    assert client.get(url, headers=alice).json()["description"] == "v2"
    assert client.patch(url, headers=alice, json={"name": ""}).status_code == 422

    exp_id, _ = finished_run(client, alice, scoring_graph(model_id))
    # a graph naming Alice's model is not Bob's to save
    taken = client.post("/api/experiments", headers=bob, json={"name": "x", "graph": scoring_graph(model_id)})
    assert taken.status_code == 404 and "Saved model" in taken.json()["detail"]["message"]
    report = client.post("/api/graphs/validate", headers=bob, json={"graph": scoring_graph(model_id)}).json()
    assert ("model", "0003", "model_id") in {
        (e.get("node_id"), e["code"], e.get("param")) for e in report["errors"]
    }

    assert client.delete(url, headers=alice).status_code == 204
    assert client.get(url, headers=alice).status_code == 404
    refused = client.post(f"/api/experiments/{exp_id}/runs", headers=alice)
    assert refused.status_code == 400
    [problem] = refused.json()["detail"]["errors"]
    assert (problem["node_id"], problem["code"], problem["param"]) == ("model", "0003", "model_id")
    assert model_id in problem["message"]


def test_a_model_missing_a_column_gives_the_usual_coded_error(
    client: TestClient, alice: dict[str, str]
) -> None:
    _, run_id = finished_run(client, alice, iris_graph(sweep=False))
    model_id = save_model(client, alice, run_id, "train", "trained_model", name="m").json()["id"]
    graph = scoring_graph(model_id, "sample-wine")
    report = client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).json()
    assert [(e["node_id"], e["code"]) for e in report["errors"]] == [("assign", "0001")]
    assert "sepal_length" in report["errors"][0]["message"]


def test_a_second_run_reuses_the_scoring_and_the_model_is_part_of_the_signature(
    client: TestClient, alice: dict[str, str]
) -> None:
    _, run_id = finished_run(client, alice, iris_graph(sweep=False))
    first = save_model(client, alice, run_id, "train", "trained_model", name="a").json()["id"]
    second = save_model(client, alice, run_id, "train", "trained_model", name="b").json()["id"]
    exp_id, _ = finished_run(client, alice, scoring_graph(first))
    again = wait_for(client, alice, run_experiment(client, alice, exp_id)["id"])
    assert again["nodes"]["assign"]["cached"] is True
    signatures = [
        client.post("/api/graphs/validate", headers=alice, json={"graph": scoring_graph(m)}).json()[
            "signatures"
        ]
        for m in (first, second)
    ]
    assert signatures[0]["assign"] != signatures[1]["assign"]  # another model, another output


def test_sharing_an_experiment_shares_its_models_and_open_in_studio_copies_them(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    _, run_id = finished_run(client, alice, iris_graph(sweep=False))
    model_id = save_model(client, alice, run_id, "train", "trained_model", name="Shared").json()["id"]
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "Scoring", "graph": scoring_graph(model_id)}
    )
    exp_id = exp.json()["id"]
    url = f"/api/experiments/{exp_id}"
    client.post(f"{url}/shares", headers=alice, json={"username": "bob", "role": "viewer"})
    seen = client.get(f"/api/models/{model_id}", headers=bob)
    assert seen.status_code == 200 and seen.json()["owned"] is False
    assert [m["id"] for m in client.get("/api/models", headers=bob).json()["data"]] == [model_id]
    assert client.delete(f"/api/models/{model_id}", headers=bob).status_code == 404
    assert client.patch(f"/api/models/{model_id}", headers=bob, json={"name": "x"}).status_code == 404

    client.post(f"{url}/publish", headers=alice, json={"title": "Scoring"})
    carol = sign_up(client, "carol")
    copy = client.post(f"/api/gallery/{exp_id}/open", headers=carol)
    assert copy.status_code == 201, copy.text
    copied_id = copy.json()["graph"]["nodes"][0]["params"]["model_id"]
    assert copied_id != model_id
    mine = client.get(f"/api/models/{copied_id}", headers=carol).json()
    assert mine["owned"] is True and mine["name"] == "Shared" and mine["k"] == 3
    assert (
        wait_for(client, carol, run_experiment(client, carol, copy.json()["id"])["id"])["status"]
        == "succeeded"
    )
    # unsharing takes the model away again
    bob_id = client.get(f"{url}/shares", headers=alice).json()[0]["user"]["id"]
    assert client.delete(f"{url}/shares/{bob_id}", headers=alice).status_code == 204
    assert client.get(f"/api/models/{model_id}", headers=bob).status_code == 404


def test_export_in_three_formats_and_import_back(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    _, run_id = finished_run(client, alice, iris_graph(sweep=False))
    expected = all_rows(client, alice, run_id, "assign", "results_dataset")
    model = save_model(client, alice, run_id, "train", "trained_model", name="Iris / segments").json()
    url = f"/api/models/{model['id']}/export"

    onnx_file = client.get(f"{url}?format=onnx", headers=alice)
    assert onnx_file.status_code == 200 and onnx_file.headers["content-type"] == "application/octet-stream"
    assert 'filename="Iris-segments.onnx"' in onnx_file.headers["content-disposition"]
    session = onnxruntime.InferenceSession(onnx_file.content, providers=["CPUExecutionProvider"])
    iris = load_sample("sample-iris")
    feeds = {i.name: iris[[i.name]].to_numpy(np.float64) for i in session.get_inputs()}
    labels, scores = session.run(["label", "scores"], feeds)
    assert labels.tolist() == expected["Assignments"].tolist()
    assert np.abs(scores[:, 2] - expected["DistancesToClusterCenter no.2"].to_numpy()).max() <= 1e-9

    pmml = client.get(f"{url}?format=pmml", headers=alice)
    assert pmml.status_code == 200 and pmml.headers["content-type"].startswith("application/xml")
    assert b"<ClusteringModel" in pmml.content and b'numberOfClusters="3"' in pmml.content

    exported = client.get(f"{url}?format=json", headers=alice)
    assert exported.status_code == 200 and exported.json()["format"]
    assert client.get(f"{url}?format=exe", headers=alice).status_code == 422
    assert client.get(url, headers=bob).status_code == 404

    files = {"file": ("segments.json", exported.content, "application/json")}
    imported = client.post("/api/models/import", headers=bob, files=files, data={"name": "Theirs, mine now"})
    assert imported.status_code == 201, imported.text
    theirs = imported.json()
    assert theirs["name"] == "Theirs, mine now" and theirs["source"] is None and theirs["k"] == 3
    _, scored_run = finished_run(client, bob, scoring_graph(theirs["id"]))
    scored = all_rows(client, bob, scored_run, "assign", "results_dataset")
    assert scored["Assignments"].tolist() == expected["Assignments"].tolist()

    bad = client.post(
        "/api/models/import", headers=bob, files={"file": ("x.json", b"{not json", "application/json")}
    )
    assert bad.status_code == 400 and bad.json()["detail"]["code"] == "0082"
    assert client.post("/api/models/import", headers=bob, data={"name": "no file"}).status_code == 400
    assert client.get("/api/models", headers=bob).json()["count"] == 1  # nothing half-kept


def test_a_format_that_cannot_express_the_model_says_so(client: TestClient, alice: dict[str, str]) -> None:
    graph = iris_graph(sweep=False)
    graph["nodes"][1]["params"]["metric"] = "cosine"
    _, run_id = finished_run(client, alice, graph)
    model_id = save_model(client, alice, run_id, "train", "trained_model", name="cos").json()["id"]
    refused = client.get(f"/api/models/{model_id}/export?format=pmml", headers=alice)
    assert refused.status_code == 400
    assert refused.json()["detail"]["code"] == "0083" and "cosine" in refused.json()["detail"]["message"]
    assert client.get(f"/api/models/{model_id}/export?format=onnx", headers=alice).status_code == 200
