"""Run events: what the Server-Sent Events stream says, and the in-process channels that carry it.

A channel keeps every event of a live run, so a client that connects late replays them from the start.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.core.status import RunStatus

KEEP_CLOSED_S = 120.0

#: The final status the stream gives a run deleted while it ran (it has no stored status any more).
DELETED = "deleted"
#: The final status the stream gives a run it cannot find any more.
UNKNOWN = "unknown"


def run_event(run_id: int, status: RunStatus | str, *, final: bool = False) -> dict[str, Any]:
    """The run's status changed (to `DELETED` too); `final`: the last event of the stream."""
    event: dict[str, Any] = {"type": "run", "run_id": run_id, "status": status}
    if final:
        event["final"] = True
    return event


def node_event(node: dict[str, Any], warnings: list[str] | None = None) -> dict[str, Any]:
    """A node's new state (:func:`records.node_public`), timestamps as ISO text, and its warnings."""
    event = {"type": "node", **node}
    if warnings:
        event["warnings"] = warnings
    event["started_at"], event["finished_at"] = _iso(event["started_at"]), _iso(event["finished_at"])
    return event


def progress_event(node_id: str, fraction: float) -> dict[str, Any]:
    """How far a running node has got (0–1)."""
    return {"type": "node", "node_id": node_id, "status": RunStatus.RUNNING, "progress": fraction}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class _Channel:
    events: list[dict[str, Any]] = field(default_factory=list)
    closed_at: float | None = None


class RunEvents:
    """Publish/subscribe of run events, replayable from the start while a run is live."""

    def __init__(self) -> None:
        self._channels: dict[int, _Channel] = {}
        self._lock = threading.Lock()

    def open(self, run_id: int) -> None:
        with self._lock:
            self._channels.setdefault(run_id, _Channel())
            self._forget_old()

    def publish(self, run_id: int, event: dict[str, Any]) -> None:
        with self._lock:
            channel = self._channels.setdefault(run_id, _Channel())
            channel.events.append(event)

    def close(self, run_id: int, final_event: dict[str, Any]) -> None:
        with self._lock:
            channel = self._channels.setdefault(run_id, _Channel())
            channel.events.append(final_event)
            channel.closed_at = time.monotonic()

    def read(self, run_id: int, start: int) -> tuple[list[dict[str, Any]], bool] | None:
        """Events from index `start`, and whether the run is over; None if the run is not live here."""
        with self._lock:
            channel = self._channels.get(run_id)
            if channel is None:
                return None
            return channel.events[start:], channel.closed_at is not None

    def _forget_old(self) -> None:
        now = time.monotonic()
        for run_id in [
            r for r, c in self._channels.items() if c.closed_at and now - c.closed_at > KEEP_CLOSED_S
        ]:
            del self._channels[run_id]
