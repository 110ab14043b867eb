"""The FastAPI application: API routes under /api and the single-page app for everything else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend import __version__
from backend.api.body_guard import BodyGuard
from backend.api.errors import install_error_handlers
from backend.api.main import api_router
from backend.api.service_setup import SCORE_PATH, install_services, start_services, stop_services
from backend.api_docs import mount_api_docs
from backend.core.config import Settings, get_settings
from backend.core.db import make_engine, make_sessionmaker
from backend.core.http_security import install_http_security
from backend.core.login_throttle import LoginThrottle
from backend.core.passwords import PasswordWork
from backend.executor.local import LocalExecutor
from backend.services.runs import RunManager
from backend.spa import mount_spa


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runs.start()
        start_services(app)
        try:
            yield
        finally:
            stop_services(app)
            app.state.runs.shutdown()
            app.state.password_work.shutdown()
            app.state.engine.dispose()

    app = FastAPI(
        title="Cluster Studio",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,  # served from local files: backend/api_docs.py
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.runs = RunManager(
        app.state.sessionmaker, settings, LocalExecutor(workers=settings.workers, warm=settings.warm_workers)
    )
    install_error_handlers(app)
    app.add_middleware(BodyGuard, settings=settings, own_json_check=SCORE_PATH)
    app.state.password_work = PasswordWork(settings.password_hash_workers, settings.password_hash_queue)
    app.state.login_throttle = LoginThrottle(
        settings.login_max_failures, settings.login_max_failures_per_client, settings.login_lockout_seconds
    )
    install_http_security(app, settings)
    app.include_router(api_router)
    install_services(app)
    mount_api_docs(app)
    mount_spa(app, settings.frontend_dist)
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn (`--factory`), so importing this module has no side effects."""
    return create_app()
