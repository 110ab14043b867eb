"""Keeping a stored object's record and its file together: both are kept, or neither."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.orm import Session

from backend.core.disk import is_disk_full
from backend.models import Base


def record_with_file(session: Session, row: Base, staging: Path, final: Path) -> None:
    """Record the row (a dataset, a saved model) and move its file into place: both are kept, or neither
    (the caller rolls back)."""
    session.add(row)
    session.flush()
    os.replace(staging, final)
    try:
        session.commit()
    except Exception:
        final.unlink(missing_ok=True)
        raise


def out_of_space(exc: BaseException) -> bool:
    """A full disk or quota, seen by the file system or by the database (SQLite, PostgreSQL)."""
    if is_disk_full(exc):
        return True
    driver_error = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's exception
    return (
        getattr(driver_error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        or getattr(driver_error, "sqlstate", None) == "53100"  # PostgreSQL disk_full
    )
