"""A full disk or database is said clearly, ends what it interrupts and leaves nothing half-written.

Findings this reproduces: a run whose output could not be written stayed `running` forever with a
temp file left behind, and sign-in answered 500 while the database had no room.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade
from tests.api.conftest import PASSWORD, sign_up
from tests.api.test_runs import iris_graph, run_experiment, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs) for the data folder; needs root, as CI runs."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def make_client(database_url: str, data_dir: Path, **settings: object) -> TestClient:
    config = Settings(
        STUDIO_DATA_DIR=data_dir, DATABASE_URL=database_url, STUDIO_WARM_WORKERS=False, **settings
    )
    upgrade(config.database_url)
    return TestClient(create_app(config))


def test_a_node_that_cannot_store_its_output_fails_with_a_code_and_the_run_ends(
    database_url: str, small_disk: Path
) -> None:
    with make_client(database_url, small_disk, STUDIO_MIN_FREE_BYTES=0) as client:
        alice = sign_up(client, "alice")
        graph = iris_graph("sample-synthetic-100k")  # 100,000 rows: megabytes of Parquet
        exp = client.post("/api/experiments", headers=alice, json={"name": "big", "graph": graph}).json()
        run = wait_for(client, alice, run_experiment(client, alice, exp["id"], nodes=["data"])["id"])
        assert run["status"] == "failed"
        error = run["nodes"]["data"]["error"]
        assert error["code"] == "0140" and "disk is full" in error["message"]
        assert not [p for p in small_disk.rglob("*") if p.is_file() and p.suffix in (".tmp", ".parquet")]
        health = client.get("/api/health").json()
        assert 0 <= health["free_bytes"] <= 1024**2


def test_below_the_free_space_floor_runs_are_refused_with_507(database_url: str, tmp_path: Path) -> None:
    with make_client(database_url, tmp_path / "data", STUDIO_MIN_FREE_BYTES=2**60) as client:
        alice = sign_up(client, "alice")
        exp = client.post(
            "/api/experiments", headers=alice, json={"name": "e", "graph": iris_graph("sample-iris")}
        )
        refused = client.post(f"/api/experiments/{exp.json()['id']}/runs", headers=alice)
        assert refused.status_code == 507
        assert "STUDIO_MIN_FREE_BYTES" in refused.json()["detail"]
        assert client.get(f"/api/experiments/{exp.json()['id']}/runs", headers=alice).json() == []
        assert client.get("/api/health").json()["storage"] == "low"


def test_a_full_database_answers_503_and_recovers(tmp_path: Path) -> None:
    """SQLite's own 'database or disk is full' (SQLITE_FULL), reached with its page-count ceiling."""
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    with make_client(url, tmp_path / "data") as client:
        alice = sign_up(client, "alice")
        engine = client.app.state.engine  # type: ignore[attr-defined]
        pages = engine.connect().exec_driver_sql("PRAGMA page_count").scalar()
        ceiling = {"pages": pages}

        @event.listens_for(engine, "connect")
        def _ceiling(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.execute(f"PRAGMA max_page_count = {ceiling['pages']}")

        engine.dispose()
        # Fill what little room is left, down to the smallest row, then every write fails.
        for size in (9000, 1000, 100, 0):
            for i in range(200):
                body = {"name": f"x{size}-{i}", "description": "x" * size}
                response = client.post("/api/experiments", headers=alice, json=body)
                if response.status_code != 201:
                    break
        assert response.status_code == 503
        assert "no space left" in response.json()["detail"]
        for _ in range(200):  # each sign-in stores a session; the table's last page fills up too
            login = client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
            if login.status_code != 200:
                break
        assert login.status_code == 503 and PASSWORD not in login.text
        assert client.get("/api/experiments", headers=alice).status_code == 200  # reading still works
        ceiling["pages"] = 1_000_000
        engine.dispose()
        assert client.post("/api/experiments", headers=alice, json={"name": "after"}).status_code == 201
