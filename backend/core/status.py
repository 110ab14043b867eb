"""The statuses of runs and of the nodes in them: one set for both, stored as their string values.

The models store them, the services set them and the API schemas publish them (OpenAPI `RunStatus`),
so the TypeScript client can be generated from one list.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class RunStatus(StrEnum):
    """Where a run, or one node of it, stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: The server stopped while it was queued or running.
    INTERRUPTED = "interrupted"


#: Not over yet: a coordinator drives it (or did, in a server process that stopped).
ACTIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class StatusColumn(TypeDecorator[RunStatus]):
    """A status column: the plain string in the database, a :class:`RunStatus` in Python."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else RunStatus(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> RunStatus | None:
        return None if value is None else RunStatus(value)
