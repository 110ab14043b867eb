"""Failed service-key attempts, counted per client address (in memory: one server process).

A key is 256 random bits, so guessing is hopeless; this only keeps a client that sends wrong keys in a
loop from costing the server work and filling its logs. An address with more than ``max_failures``
wrong or unknown keys in ``window`` seconds is refused (429, ``Retry-After``) until the oldest of them
is ``window`` old. Right keys are never counted.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

__all__ = ["KeyThrottle", "KeyThrottled"]

#: Addresses remembered at most; the least recently failing go first.
MAX_CLIENTS = 100_000


class KeyThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class KeyThrottle:
    def __init__(
        self,
        max_failures: int = 30,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise :class:`KeyThrottled` while ``client`` has used up its failures."""
        now = self._clock()
        with self._lock:
            times = self._failures.get(client)
            if times is None:
                return
            while times and now - times[0] >= self.window:
                times.popleft()
            if not times:
                del self._failures[client]
            elif len(times) >= self.max_failures:
                raise KeyThrottled(max(1, math.ceil(times[0] + self.window - now)))

    def failed(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            times = self._failures.setdefault(client, deque(maxlen=self.max_failures))
            times.append(now)
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)
