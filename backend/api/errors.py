"""Errors the services raise that any route may meet, answered the same way everywhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from backend.core.disk import InsufficientStorage
from backend.core.limits import LimitExceeded
from backend.services.experiments import UnreadableReference


def unreadable_reference(_request: Request, exc: Exception) -> JSONResponse:
    """A graph naming someone else's dataset or model is answered like the object itself: not found."""
    assert isinstance(exc, UnreadableReference)
    return JSONResponse(
        status_code=status.HTTP_404_NOT_FOUND,
        content={
            "detail": {
                "code": "0003",
                "message": f"{exc.label} {exc.object_id!r} (node {exc.node_id!r}, parameter {exc.param!r}) "
                "does not exist or is not yours.",
                "node_id": exc.node_id,
                "param": exc.param,
            }
        },
    )


def limit_exceeded(_request: Request, exc: Exception) -> JSONResponse:
    """A cap on what a client may send: its status, code, setting and a message saying which."""
    assert isinstance(exc, LimitExceeded)
    return JSONResponse(status_code=exc.status, content={"detail": exc.to_detail()})


log = logging.getLogger(__name__)

#: How SQLite and PostgreSQL say they have no room left (SQLITE_FULL; SQLSTATE class 53, e.g. DiskFull).
DATABASE_FULL = ("database or disk is full", "No space left on device", "DiskFull", "could not extend file")


def insufficient_storage(_request: Request, exc: Exception) -> JSONResponse:
    """The data folder is full or below its floor: 507, saying so."""
    assert isinstance(exc, InsufficientStorage)
    return JSONResponse(status_code=507, content={"detail": exc.message})


def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database refused the work (full, gone, locked too long): 503, never a bare 500."""
    full = any(sign in str(exc) for sign in DATABASE_FULL)
    log.error("database error: %s", exc)
    message = (
        "The database has no space left; nothing was saved. Ask the administrator to free disk space."
        if full
        else "The database is not available right now; nothing was saved. Try again shortly."
    )
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": message},
        headers={"Retry-After": "30"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UnreadableReference, unreadable_reference)
    app.add_exception_handler(LimitExceeded, limit_exceeded)
    app.add_exception_handler(InsufficientStorage, insufficient_storage)
    app.add_exception_handler(OperationalError, database_unavailable)
