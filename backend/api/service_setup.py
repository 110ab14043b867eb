"""What scoring services add to the app: usage counting, batch jobs, the key throttle, and their
operations in /openapi.json."""

from __future__ import annotations

import re
from functools import partial

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from backend.api.deps import get_optional_user
from backend.api.routes.services import spec_of
from backend.models import SavedModel, Service
from backend.services.web_services.batch import BatchJobs
from backend.services.web_services.key_throttle import KeyThrottle
from backend.services.web_services.openapi_doc import merged_document
from backend.services.web_services.records import store_usage
from backend.services.web_services.usage import UsageRecorder

__all__ = ["SCORE_PATH", "install_services", "start_services", "stop_services"]

#: The scoring route, whose JSON the route reads and checks itself (backend/api/body_guard.py).
SCORE_PATH = re.compile(r"^/api/services/[^/]+/score$")


def install_services(app: FastAPI) -> None:
    """Call once the routers are included (needs ``app.state.runs`` for its executor)."""
    state = app.state
    state.service_usage = UsageRecorder(partial(store_usage, state.sessionmaker))
    state.batch_jobs = BatchJobs(state.sessionmaker, state.settings, state.runs.executor)
    state.key_throttle = KeyThrottle()
    _serve_openapi_with_services(app)


def start_services(app: FastAPI) -> None:
    """At start-up, after the run executor started."""
    app.state.batch_jobs.start()
    app.state.service_usage.start()


def stop_services(app: FastAPI) -> None:
    """At shutdown, before the database goes: what usage is still in memory is stored."""
    app.state.service_usage.stop()


def _serve_openapi_with_services(app: FastAPI) -> None:
    """/openapi.json adds the score operations of the signed-in caller's enabled services (their
    columns are the owner's business, so nobody else sees them); the rest stays cached."""
    url = app.openapi_url or "/openapi.json"
    app.router.routes[:] = [route for route in app.router.routes if getattr(route, "path", None) != url]

    @app.get(url, include_in_schema=False)
    def openapi_document(request: Request) -> JSONResponse:
        base = app.openapi()
        with app.state.sessionmaker() as session:
            user = get_optional_user(request, session)
            rows = (
                []
                if user is None
                else session.execute(
                    select(Service, SavedModel)
                    .join(SavedModel, SavedModel.id == Service.model_id)
                    .where(Service.owner_id == user.id, Service.enabled.is_(True))
                    .order_by(Service.created_at, Service.id)
                ).all()
            )
            specs = [spec_of(service, model, app.state.settings) for service, model in rows]
        return JSONResponse(merged_document(base, specs))
