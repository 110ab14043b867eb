"""The FastAPI application: API routes under /api and the single-page app for everything else."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
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
from backend.executor import Executor
from backend.executor.factory import make_executor
from backend.executor.local import LocalExecutor
from backend.executor.warmup import warm_up_views
from backend.services.runs import RunManager
from backend.spa import mount_spa

log = logging.getLogger(__name__)
# Said even where the root logger keeps only warnings (alembic.ini's configuration), as the pool's lines.
log.setLevel(logging.INFO)
#: The longest the server waits for its workers' warm-up before it listens anyway: far above a warm-up
#: from the install step's kernel cache (1-3 s), above one compiling a small run's kernels into an
#: empty cache on a quiet 2-core machine (~20 s); runs started before a worker is ready wait for it.
WORKERS_WAIT_S = 30.0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runs.start()
        start_services(app)
        if settings.warm_up:
            threading.Thread(target=warm_up_views, name="warm-up-views", daemon=True).start()
        await _workers_ready(executor)
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
    executor = make_executor(settings)
    app.state.runs = RunManager(app.state.sessionmaker, settings, executor)
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


async def _workers_ready(executor: Executor) -> None:
    """With warm workers, wait (at most WORKERS_WAIT_S) until they have warmed up: uvicorn accepts
    connections only once the lifespan started, so by the time the page shows, a run clicked at once
    starts at once instead of waiting seconds for a worker's imports and kernels, and shares the CPU
    with no warm-up (all of them: a run's first nodes may go to two workers at once). A Dask executor's
    start has waited for its workers' warm-up already."""
    if not isinstance(executor, LocalExecutor) or not executor.warm:
        return
    started = time.perf_counter()
    ready = await asyncio.to_thread(executor.wait_for_workers, WORKERS_WAIT_S)
    waited = time.perf_counter() - started
    message = "Cluster Studio: %d of %d worker processes ready (waited %.1f s); serving"
    log.log(logging.INFO if ready else logging.WARNING, message, ready, executor.workers, waited)


def app_factory() -> FastAPI:
    """Entry point for uvicorn (`--factory`), so importing this module has no side effects."""
    return create_app()
