from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from backend import __version__
from backend.api.deps import SessionDep
from backend.core.db import dialect_name

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str


@router.get("/health", response_model=Health)
def health(session: SessionDep, request: Request) -> Health:
    """Liveness plus a round trip to the database."""
    session.execute(text("SELECT 1"))
    return Health(status="ok", version=__version__, database=dialect_name(request.app.state.engine))
