"""Shared fixtures: a real database for each backend (SQLite file, throwaway PostgreSQL) and a real app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade
from tests.pg import PostgresServer, start_postgres

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each supported backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studio.db'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[Any]:
    """A Dask LocalCluster of 2 worker processes (one thread each), shared by the session's Dask tests."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    yield cluster
    cluster.close(timeout=30)


@pytest.fixture(scope="module")
def dask_client(dask_cluster: Any) -> Iterator[Any]:
    """A Dask client of the session's LocalCluster, not the default one (as the studio's own client
    is not: code under test must use the client it is given)."""
    from distributed import Client

    with Client(dask_cluster.scheduler_address, set_as_default=False) as client:
        yield client


@pytest.fixture(scope="module")
def dask_executor(dask_cluster: Any) -> Iterator[Any]:
    """A :class:`backend.executor.dask.DaskExecutor` on the session's LocalCluster (no warm-up), one per
    test module."""
    from backend.executor.dask import DaskExecutor
    from backend.executor.warmup import no_warm_up

    executor = DaskExecutor(dask_cluster.scheduler_address, kill_after=30, warm_up=no_warm_up)
    executor.start()
    yield executor
    executor.shutdown()


def dask_settings(tmp_path: Path, dask_cluster: Any, **overrides: Any) -> Settings:
    """The studio on SQLite in ``tmp_path`` running its nodes on ``dask_cluster`` (the session's
    LocalCluster), with any other settings."""
    return Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}",
        STUDIO_EXECUTOR="dask",
        STUDIO_DASK_SCHEDULER=dask_cluster.scheduler_address,
        **overrides,
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Worker processes start at the first run, so tests that never run a graph do not pay for them.
    return Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        DATABASE_URL=database_url,
        STUDIO_WARM_WORKERS=False,
        STUDIO_WARM_UP=False,  # the warm-up has its own tests (tests/services/test_worker_readiness.py)
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The real app on a migrated database, driven over HTTP in-process."""
    upgrade(settings.database_url)
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
