"""Stored objects (datasets, saved models): their record and file kept together (both, or neither), and
who may read one through a shared experiment."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.core.disk import is_disk_full
from backend.models import Base, Dataset, Experiment, ExperimentShare, SavedModel, User

Stored = TypeVar("Stored", Dataset, SavedModel)


def record_with_file(session: Session, row: Base, staging: Path, final: Path) -> None:
    """Record the row (a dataset, a saved model) and move its file into place: both are kept, or neither
    (the caller rolls back)."""
    session.add(row)
    session.flush()
    os.replace(staging, final)
    try:
        session.commit()
    except Exception:
        remove_stored(final)
        raise


def remove_stored(path: Path) -> None:
    """Remove a stored file, or a partitioned table's folder of parts; nothing if neither is there."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def out_of_space(exc: BaseException) -> bool:
    """A full disk or quota, seen by the file system or by the database (SQLite, PostgreSQL)."""
    if is_disk_full(exc):
        return True
    driver_error = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's exception
    return (
        getattr(driver_error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        or getattr(driver_error, "sqlstate", None) == "53100"  # PostgreSQL disk_full
    )


def shared_by_its_owner(
    session: Session, usage_column: InstrumentedAttribute[str], object_id: str, owner_id: int, user: User
) -> bool:
    """Whether the object's owner uses it in an experiment of theirs shared with `user` (`usage_column`:
    the object column of the usage table, e.g. ``DatasetUsage.dataset_id``).

    A share passes on only what the experiment's owner owns: an object someone else put into the graph
    (or that the owner could only read through yet another share) is not passed on.
    """
    experiment_id = usage_column.class_.experiment_id
    return (
        session.scalar(
            select(experiment_id)
            .join(ExperimentShare, ExperimentShare.experiment_id == experiment_id)
            .join(Experiment, Experiment.id == experiment_id)
            .where(
                usage_column == object_id, ExperimentShare.user_id == user.id, Experiment.owner_id == owner_id
            )
            .limit(1)
        )
        is not None
    )


def readable_row(
    session: Session,
    row_class: type[Stored],
    usage_column: InstrumentedAttribute[str],
    object_id: str,
    user: User,
    *,
    owned: bool = False,
) -> Stored | None:
    """The stored object if the user owns it, or (unless `owned`) its owner uses it in an experiment
    shared with them; None for anything else, exactly as for an object that does not exist."""
    row = session.get(row_class, object_id)
    if row is None:
        return None
    if row.owner_id == user.id:
        return row
    if not owned and shared_by_its_owner(session, usage_column, row.id, row.owner_id, user):
        return row
    return None
