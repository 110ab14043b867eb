"""In-process publish/subscribe of run events, replayable from the start while a run is live."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

KEEP_CLOSED_S = 120.0


@dataclass
class _Channel:
    events: list[dict[str, Any]] = field(default_factory=list)
    closed_at: float | None = None


class RunEvents:
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
