import shutil

import pytest
from fastapi.testclient import TestClient

from backend import __version__


def test_health_reports_the_database_it_touched(client: TestClient, database_url: str) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    expected_db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    body = response.json()
    assert {k: body[k] for k in ("status", "version", "database")} == {
        "status": "ok",
        "version": __version__,
        "database": expected_db,
    }
    # Free space in the data folder, as the disk reports it; the default floor is far below it here.
    assert body["free_bytes"] == pytest.approx(
        shutil.disk_usage(client.app.state.settings.data_dir).free, rel=0.01
    )
    assert body["storage"] == "ok"
    # the local executor, its workers started lazily here (none before a run)
    assert (body["executor"], body["workers"], body["executor_status"]) == ("local", 0, "ok")


def test_unknown_api_path_is_a_json_404_not_the_app(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
