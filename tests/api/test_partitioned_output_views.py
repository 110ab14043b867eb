"""A run's results table stored partitioned (as the Dask executor stores a table larger than a worker),
viewed through the API: the CSV download streams it part by part and equals the whole table's CSV, the
views count every row, the chart of all points is a sample, and it can be kept as a dataset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import select

from backend.models import NodeRun
from tests.api.test_runs import run_experiment, wait_for
from tests.graphs import iris_graph
from tests.services.test_partitioned_views import N_ROWS, results_table, store_partitioned

pytestmark = pytest.mark.slow


def test_a_partitioned_results_table_through_the_api(
    client: TestClient, alice: dict[str, str], bob: dict[str, str], tmp_path: Path
) -> None:
    exp = client.post(
        "/api/experiments", headers=alice, json={"name": "Big", "graph": iris_graph(sweep=False)}
    ).json()
    run_id = run_experiment(client, alice, exp["id"])["id"]
    assert wait_for(client, alice, run_id)["status"] == "succeeded"
    # The run's results, as a Dask run stores a table too large for a worker: a folder of parts.
    frame = results_table()
    store = client.app.state.runs.store  # type: ignore[attr-defined]
    ref = store_partitioned(store, frame, tmp_path)
    # Assign's results: another clustering of the same rows, in parts of other lengths.
    other = frame.assign(Assignments=(frame["Assignments"] * 7 + frame.index % 3) % 5 - 1)
    other_ref = store_partitioned(store, other, tmp_path, n_parts=7)
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        for node_id, stored in (("train", ref), ("assign", other_ref)):
            node = session.scalar(select(NodeRun).where(NodeRun.run_id == run_id, NodeRun.node_id == node_id))
            node.outputs = {**node.outputs, "results_dataset": stored.to_json()}
        session.commit()
    base = f"/api/runs/{run_id}/nodes/train/outputs/results_dataset"

    download = client.get(f"{base}/download", headers=alice, params={"format": "csv"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.text == frame.to_csv(index=False, lineterminator="\r\n")
    assert client.get(f"{base}/download", headers=bob).status_code == 404

    summary = client.get(base, headers=alice).json()
    assert summary["n_rows"] == N_ROWS and summary["sampled_rows"] < N_ROWS
    x = next(c for c in summary["columns"] if c["name"] == "x")["stats"]
    assert x["count"] == frame["x"].count() and x["mean"] == pytest.approx(frame["x"].mean(), rel=1e-12)

    profile = client.get(f"{base}/profile", headers=alice).json()
    sizes = frame["Assignments"].value_counts().sort_index()
    assert [c["size"] for c in profile["clusters"]] == sizes.tolist()

    agreement = client.get(f"{base}/agreement", headers=alice, params={"label": "species"})
    assert agreement.status_code == 200
    kept = frame[(frame["Assignments"] >= 0) & frame["species"].notna()]
    assert (
        agreement.json()["contingency"]
        == pd.crosstab(kept["Assignments"], kept["species"]).to_numpy().tolist()
    )
    assert client.get(f"{base}/agreement", headers=alice, params={"label": "nope"}).status_code == 400

    assert client.get(f"{base}/silhouette", headers=alice).json()["sampled_from_rows"] == N_ROWS
    chart = client.get(f"{base}/visualization", headers=alice, params={"all_points": True})
    assert chart.status_code == 200 and chart.json()["sampled_from_rows"] == N_ROWS

    compare = client.get(f"{base}/compare", headers=alice, params={"other_run": run_id})
    assert compare.status_code == 200, compare.text
    assert compare.json()["n_rows"] == N_ROWS
    assert compare.json()["compared_rows"] == int((frame["Assignments"] >= 0).sum())
    assert next(m for m in compare.json()["agreement"] if m["id"] == "adjusted_rand")["value"] == 1.0
    noise = next(m for m in compare.json()["metrics"] if m["id"] == "noise_rows")
    assert noise["a"] == noise["b"] == int((frame["Assignments"] < 0).sum())
    compare = client.get(
        f"{base}/compare", headers=alice, params={"other_run": run_id, "other_node": "assign"}
    )
    assert compare.status_code == 200, compare.text
    both = (frame["Assignments"] >= 0) & (other["Assignments"] >= 0)
    a, b = frame["Assignments"][both], other["Assignments"][both]
    found = compare.json()
    assert found["compared_rows"] == int(both.sum())
    assert next(m for m in found["agreement"] if m["id"] == "adjusted_rand")["value"] == pytest.approx(
        adjusted_rand_score(a, b), abs=1e-12
    )
    expected = pd.crosstab(a, b)
    assert found["clusters_a"] == expected.index.tolist() and found["clusters_b"] == expected.columns.tolist()
    assert found["contingency"] == expected.to_numpy().tolist()

    saved = client.post(f"{base}/save-as-dataset", headers=alice, json={"name": "Kept"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["n_rows"] == N_ROWS
    page = client.get(
        f"/api/datasets/{saved.json()['id']}/rows", headers=alice, params={"offset": N_ROWS - 3, "limit": 3}
    ).json()
    assert page["total"] == N_ROWS and [row[1] for row in page["rows"]] == frame["y"].tail(3).tolist()
