from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine, text

from backend import __version__
from backend.core.db import dialect_name
from backend.core.disk import free_bytes
from backend.executor import Executor, ExecutorState

router = APIRouter(tags=["health"])

# Health answers even when the shared threadpool is full (a flood of slow requests): its database
# round trip runs on a thread of its own, and the route itself on the event loop.
_health_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")


class Health(BaseModel):
    status: str
    version: str
    database: str
    free_bytes: int = Field(description="Free space in the data folder")
    storage: str = Field(description="`ok`, or `low` below STUDIO_MIN_FREE_BYTES (uploads and runs refused)")
    executor: Literal["local", "dask"] = Field(description="Where node tasks run (STUDIO_EXECUTOR)")
    workers: int = Field(description="Workers up: the local worker processes ready, or the Dask workers")
    executor_status: Literal["ok", "unreachable"] = Field(
        description="`unreachable`: the Dask scheduler did not answer (runs fail with 0144 meanwhile)"
    )


def _check(engine: Engine, data_dir: Path, executor: Executor) -> tuple[int, ExecutorState]:
    """A database round trip; the free space in the data folder; the executor's state (a Dask
    scheduler's answer, with a short timeout)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return free_bytes(data_dir), executor.describe()


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    """Liveness plus a round trip to the database (and to a Dask scheduler)."""
    engine = request.app.state.engine
    settings = request.app.state.settings
    executor = request.app.state.runs.executor
    checked = _health_thread.submit(_check, engine, settings.data_dir, executor)
    free, state = await asyncio.wrap_future(checked)
    return Health(
        status="ok",
        version=__version__,
        database=dialect_name(engine),
        free_bytes=free,
        storage="ok" if free >= settings.min_free_bytes else "low",
        executor=state.executor,
        workers=state.workers,
        executor_status=state.status,
    )
