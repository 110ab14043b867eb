"""The views of a run's results (profile, silhouette, agreement with labels) through the API; 400 for what
is not a clustering result."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sklearn import metrics
from sklearn.metrics import silhouette_samples
from sklearn.preprocessing import MinMaxScaler

from tests.api.test_runs import all_rows, run_experiment, wait_for
from tests.graphs import iris_graph

pytestmark = pytest.mark.slow


def test_a_results_table_has_a_profile_as_json_and_csv(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "P", "graph": iris_graph(sweep=False)}
    ).json()
    run_id = run_experiment(client, alice, exp["id"])["id"]
    assert wait_for(client, alice, run_id)["status"] == "succeeded"
    results = all_rows(client, alice, run_id, "train", "results_dataset")
    base = f"/api/runs/{run_id}/nodes/train/outputs"

    profile = client.get(f"{base}/results_dataset/profile", headers=alice)
    assert profile.status_code == 200, profile.text
    body = profile.json()
    sizes = results["Assignments"].value_counts().sort_index()
    assert [c["cluster"] for c in body["clusters"]] == sizes.index.tolist()
    assert [c["size"] for c in body["clusters"]] == sizes.tolist()
    features = [f["feature"] for f in body["features"]]
    assert "Assignments" not in features and "sepal_length" in features
    # The profile is in the table's own units (Train normalises inside the model, not the table).
    means = results.groupby("Assignments")["sepal_length"].mean().to_numpy()
    got = [c["mean"] for c in next(f for f in body["features"] if f["feature"] == "sepal_length")["clusters"]]
    assert got == pytest.approx(means.tolist(), rel=1e-12)

    csv = client.get(f"{base}/results_dataset/profile", headers=alice, params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert (
        "attachment" in csv.headers["content-disposition"]
        and "profiles.csv" in csv.headers["content-disposition"]
    )
    table = pd.read_csv(io.StringIO(csv.text))
    assert set(table["Cluster"]) == set(sizes.index)

    plot = client.get(f"{base}/results_dataset/silhouette", headers=alice)
    assert plot.status_code == 200, plot.text
    features = results[["sepal_length", "sepal_width", "petal_length", "petal_width"]]
    reference = silhouette_samples(MinMaxScaler().fit_transform(features), results["Assignments"])
    assert plot.json()["mean"] == pytest.approx(reference.mean(), abs=1e-12)
    assert plot.json()["features"] == list(features.columns)  # the score columns are not features
    assert client.get(f"{base}/trained_model/silhouette", headers=alice).status_code == 400
    # Kept beside the artefact after the first request: the second answer is the same, read back.
    assert client.get(f"{base}/results_dataset/silhouette", headers=alice).json() == plot.json()

    model = client.get(f"{base}/trained_model/profile", headers=alice)
    assert model.status_code == 400
    dataset = client.get(f"/api/runs/{run_id}/nodes/data/outputs/dataset/profile", headers=alice)
    assert dataset.status_code == 400 and "not a clustering result" in dataset.json()["detail"]
    assert client.get(f"{base}/results_dataset/profile", headers=bob).status_code == 404
    assert (
        client.get(f"{base}/results_dataset/profile", headers=alice, params={"format": "xml"}).status_code
        == 422
    )


def test_clusters_agree_with_a_label_column_of_the_table(client: TestClient, alice: dict[str, str]) -> None:
    graph = iris_graph(sweep=False)
    exp = client.post("/api/experiments", headers=alice, json={"name": "A", "graph": graph}).json()
    run_id = run_experiment(client, alice, exp["id"])["id"]
    assert wait_for(client, alice, run_id)["status"] == "succeeded"
    results = all_rows(client, alice, run_id, "train", "results_dataset")
    url = f"/api/runs/{run_id}/nodes/train/outputs/results_dataset/agreement"

    answer = client.get(url, headers=alice, params={"label": "species"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    scores = {m["id"]: m["value"] for m in body["metrics"]}
    expected = metrics.adjusted_rand_score(results["species"], results["Assignments"])
    assert scores["adjusted_rand"] == pytest.approx(expected, abs=1e-12)
    assert body["labels"] == ["setosa", "versicolor", "virginica"] and body["compared_rows"] == 150
    table = pd.crosstab(results["Assignments"], results["species"])
    assert body["contingency"] == table.to_numpy().tolist()

    for label, words in [("nope", "no label column"), ("Assignments", "no label column")]:
        refused = client.get(url, headers=alice, params={"label": label})
        assert refused.status_code == 400 and words in refused.json()["detail"], (label, refused.text)
    assert client.get(url, headers=alice).status_code == 422  # the label column is required


def test_two_runs_of_the_same_rows_compare(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    graph = iris_graph(sweep=False)
    exp = client.post("/api/experiments", headers=alice, json={"name": "C", "graph": graph}).json()
    first = run_experiment(client, alice, exp["id"])["id"]
    assert wait_for(client, alice, first)["status"] == "succeeded"
    graph["nodes"][1]["params"]["n_clusters"] = 4
    assert client.put(
        f"/api/experiments/{exp['id']}", headers=alice, json={"graph": graph, "version": 1}
    ).is_success
    second = run_experiment(client, alice, exp["id"])["id"]
    assert wait_for(client, alice, second)["status"] == "succeeded"
    a = all_rows(client, alice, first, "train", "results_dataset")
    b = all_rows(client, alice, second, "train", "results_dataset")

    url = f"/api/runs/{first}/nodes/train/outputs/results_dataset/compare"
    answer = client.get(url, headers=alice, params={"other_run": second})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["parameters"] == [{"node_id": "kmeans", "param": "n_clusters", "a": 3, "b": 4}]
    metrics_by_id = {m["id"]: m for m in body["metrics"]}
    assert (metrics_by_id["clusters"]["a"], metrics_by_id["clusters"]["b"]) == (3, 4)
    scaled = MinMaxScaler().fit_transform(a[["sepal_length", "sepal_width", "petal_length", "petal_width"]])
    assert metrics_by_id["davies_bouldin"]["a"] == pytest.approx(
        metrics.davies_bouldin_score(scaled, a["Assignments"]), rel=1e-9
    )
    scores = {m["id"]: m["value"] for m in body["agreement"]}
    assert scores["adjusted_rand"] == pytest.approx(
        metrics.adjusted_rand_score(a["Assignments"], b["Assignments"])
    )
    assert body["contingency"] == pd.crosstab(a["Assignments"], b["Assignments"]).to_numpy().tolist()
    assert body["clusters_b"] == [0, 1, 2, 3]

    itself = client.get(url, headers=alice, params={"other_run": first}).json()
    assert {m["id"]: m["value"] for m in itself["agreement"]}["adjusted_rand"] == pytest.approx(1.0)
    assert itself["parameters"] == []
    not_results = client.get(
        url, headers=alice, params={"other_run": second, "other_node": "data", "other_port": "dataset"}
    )
    assert not_results.status_code == 400 and "not a clustering result" in not_results.json()["detail"]
    assert client.get(url, headers=bob, params={"other_run": second}).status_code == 404
    theirs = client.post(
        "/api/experiments", headers=bob, json={"name": "B", "graph": iris_graph(sweep=False)}
    ).json()
    bobs_run = run_experiment(client, bob, theirs["id"])["id"]
    assert client.get(url, headers=alice, params={"other_run": bobs_run}).status_code == 404  # not hers
