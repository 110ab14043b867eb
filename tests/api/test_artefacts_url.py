"""A studio whose artefacts live at an fsspec URL (STUDIO_ARTEFACTS_URL): runs put their outputs there,
and the result views answer from there once the server's local cache is gone.

A file:// URL, not memory://: fsspec's memory file system lives in one process, and the local
executor's workers are other processes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.core.config import Settings
from backend.models import NodeRun
from tests.api.test_runs import run_experiment, wait_for
from tests.graphs import iris_graph

pytestmark = pytest.mark.slow


def empty(folder: Path) -> None:
    """Remove a folder's contents (the folder stays: workers beside the server cache in it)."""
    for child in folder.iterdir():
        shutil.rmtree(child)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    return tmp_path / "shared-artefacts"


@pytest.fixture
def settings(settings: Settings, shared: Path) -> Settings:
    return settings.model_copy(update={"artefacts_url": f"file://{shared}"})


def test_outputs_are_put_at_the_url_and_read_back_from_it(
    client: TestClient, alice: dict[str, str], settings: Settings, shared: Path
) -> None:
    graph = iris_graph("sample-iris", sweep=False)
    exp = client.post("/api/experiments", headers=alice, json={"name": "Shared", "graph": graph}).json()
    run = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"])
    assert run["status"] == "succeeded"
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        keys = {
            ref["key"]
            for outputs in session.scalars(select(NodeRun.outputs).where(NodeRun.run_id == run["id"]))
            for ref in (outputs or {}).values()
        }
    stored = {path.name.split(".", 1)[0] for path in shared.glob("*/*")}
    assert keys and keys == stored

    base = f"/api/runs/{run['id']}/nodes/assign/outputs/results_dataset"
    before = {
        "rows": client.get(f"{base}/rows?offset=140&limit=20", headers=alice).json(),
        "summary": client.get(base, headers=alice).json(),
        "chart": client.get(f"{base}/visualization", headers=alice).json(),
        "model": client.get(f"/api/runs/{run['id']}/nodes/train/outputs/trained_model", headers=alice).json(),
    }
    assert before["rows"]["total"] == 150 and before["chart"]["kind"] == "clusters"

    empty(settings.artefact_dir)  # the server's cache, gone: everything is fetched back
    after = {
        "rows": client.get(f"{base}/rows?offset=140&limit=20", headers=alice).json(),
        "summary": client.get(base, headers=alice).json(),
        "chart": client.get(f"{base}/visualization", headers=alice).json(),
        "model": client.get(f"/api/runs/{run['id']}/nodes/train/outputs/trained_model", headers=alice).json(),
    }
    assert after == before

    # A second run reuses the outputs (its cache check asks the URL) and a changed node runs on them.
    empty(settings.artefact_dir)
    graph["nodes"][1]["params"]["n_clusters"] = 2
    saved = client.put(f"/api/experiments/{exp['id']}", headers=alice, json={"graph": graph, "version": 1})
    assert saved.status_code == 200, saved.text
    again = wait_for(client, alice, run_experiment(client, alice, exp["id"])["id"])
    assert again["status"] == "succeeded", again
    assert "Reused" in client.get(f"/api/runs/{again['id']}/nodes/data/log", headers=alice).text
    chart = client.get(
        f"/api/runs/{again['id']}/nodes/assign/outputs/results_dataset/visualization", headers=alice
    ).json()
    assert chart["k"] == 2
