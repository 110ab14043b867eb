"""Saved models and deployed services for the web-service API tests."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import User
from backend.services import saved_models
from modules.trained_model import TrainedClusterModel
from tests.services.web_service_models import iris_model


def keep_model(
    client: TestClient, username: str, model: TrainedClusterModel | None = None, name: str = "Iris"
) -> str:
    """A saved model of ``username``, kept by the service layer the save route uses (no run needed)."""
    app: Any = client.app
    with app.state.sessionmaker() as session:
        user = session.scalar(select(User).where(User.username_lower == username.lower()))
        assert user is not None
        row = saved_models.save_model(session, app.state.settings, user, model or iris_model(), name=name)
        return row.id


def deploy(client: TestClient, headers: dict[str, str], model_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(
        "/api/services", headers=headers, json={"model_id": model_id, "name": "Iris", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def score_path(service: dict[str, Any]) -> str:
    return f"/api/services/{service['id']}/score"


def wait_for_job(
    client: TestClient, headers: dict[str, str], service_id: str, job_id: str, timeout: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/services/{service_id}/batch/{job_id}", headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"batch job {job_id} did not finish in {timeout} s")
