"""Errors the services raise that any route may meet, answered the same way everywhere."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from backend.core.limits import LimitExceeded
from backend.services.experiments import UnreadableDataset


def unreadable_dataset(_request: Request, exc: Exception) -> JSONResponse:
    """A graph naming someone else's dataset is answered like the dataset itself: not found."""
    assert isinstance(exc, UnreadableDataset)
    return JSONResponse(
        status_code=status.HTTP_404_NOT_FOUND,
        content={
            "detail": {
                "code": "0003",
                "message": f"Dataset {exc.dataset_id!r} (node {exc.node_id!r}, parameter {exc.param!r}) "
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UnreadableDataset, unreadable_dataset)
    app.add_exception_handler(LimitExceeded, limit_exceeded)
