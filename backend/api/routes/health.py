from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

from backend import __version__
from backend.api.deps import SessionDep
from backend.core.db import dialect_name
from backend.core.disk import free_bytes

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    free_bytes: int = Field(description="Free space in the data folder")
    storage: str = Field(description="`ok`, or `low` below STUDIO_MIN_FREE_BYTES (uploads and runs refused)")


@router.get("/health", response_model=Health)
def health(session: SessionDep, request: Request) -> Health:
    """Liveness plus a round trip to the database."""
    session.execute(text("SELECT 1"))
    settings = request.app.state.settings
    free = free_bytes(settings.data_dir)
    return Health(
        status="ok",
        version=__version__,
        database=dialect_name(request.app.state.engine),
        free_bytes=free,
        storage="ok" if free >= settings.min_free_bytes else "low",
    )
