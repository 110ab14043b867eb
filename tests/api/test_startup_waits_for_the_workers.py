"""With warm workers (`make run`, the Docker image) the app's start-up returns only once its worker
processes have warmed up, so uvicorn, which listens only after the start-up, never shows a page whose
first run would wait for a worker's imports and kernels (real app, real worker processes and warm-up)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade

pytestmark = pytest.mark.slow


def test_the_app_starts_once_its_workers_are_ready(tmp_path: Path) -> None:
    settings = Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}",
        STUDIO_WARM_WORKERS=True,
        STUDIO_WORKERS=2,
    )
    upgrade(settings.database_url)
    app = create_app(settings)
    with TestClient(app) as client:  # returns once the lifespan's start-up finished
        assert app.state.runs.executor.worker_states() == ["ready", "ready"]
        assert client.get("/api/health").status_code == 200
    app.state.engine.dispose()
