"""What a call needs of a service, kept in memory so a scoring request does not wait for the database.

Looking the service up took a third of a one-row request's time on the server. An entry is dropped
the moment this process changes the service (a key regenerated, enabled or append switched, the
service deleted) or deletes its model — the ORM tells us (``after_update`` / ``after_delete``) — so
within the one server process a regenerated key stops at once. Entries also expire after ``TTL_S``
seconds, which bounds how long a change made by another process on the same database goes unseen.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from backend.models import SavedModel, Service

__all__ = ["ACCESS_CACHE", "AccessCache"]

TTL_S = 2.0
MAX_ENTRIES = 10_000


class AccessCache:
    def __init__(self, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, service_id: str) -> Any | None:
        with self._lock:
            found = self._entries.get(service_id)
            if found is None:
                return None
            if self.clock() - found[0] >= self.ttl_s:
                del self._entries[service_id]
                return None
            return found[1]

    def put(self, service_id: str, access: Any) -> None:
        with self._lock:
            self._entries[service_id] = (self.clock(), access)
            self._entries.move_to_end(service_id)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def drop(self, service_id: str) -> None:
        with self._lock:
            self._entries.pop(service_id, None)

    def drop_model(self, model_id: str) -> None:
        """Forget every service of a model (deleting the model deletes them)."""
        with self._lock:
            for service_id in [sid for sid, (_, a) in self._entries.items() if a.model_id == model_id]:
                del self._entries[service_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process's cache (service ids are UUIDs: apps on different databases cannot mix them up).
ACCESS_CACHE = AccessCache()


_PENDING = "web_services.dropped"


def _drop(target: Service | SavedModel) -> None:
    """Drop now, and again once the change is committed: a request reading the old row in between
    must not keep it."""
    drop = ACCESS_CACHE.drop if isinstance(target, Service) else ACCESS_CACHE.drop_model
    drop(target.id)
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_PENDING, []).append((drop, target.id))


@event.listens_for(Service, "after_update")
@event.listens_for(Service, "after_delete")
def _service_changed(_mapper: Any, _connection: Any, target: Service) -> None:
    _drop(target)


@event.listens_for(SavedModel, "after_delete")
def _model_deleted(_mapper: Any, _connection: Any, target: SavedModel) -> None:
    _drop(target)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    for drop, key in session.info.pop(_PENDING, []):
        drop(key)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
