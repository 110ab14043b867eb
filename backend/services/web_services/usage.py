"""Usage of each service per hour: requests, rows scored, errors, and latency p50/p95.

Latencies are kept as a histogram with logarithmic buckets (each 5% wider than the one before, from
0.01 ms), so an hour's figures add up exactly across flushes and restarts and a percentile is read
back within 2.5% of the true value. Recording is a dictionary update under a lock; the counts reach
the database when :meth:`UsageRecorder.flush` runs (a background thread every few seconds, and at
shutdown). What is not flushed yet is merged in when usage is read, so figures are always current.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["HourUsage", "UsageRecorder", "bucket_of", "bucket_value", "hour_of"]

log = logging.getLogger(__name__)

HISTOGRAM_BASE_MS = 0.01
HISTOGRAM_RATIO = 1.05
#: The last bucket (latencies beyond about an hour all fall into it).
MAX_BUCKET = 500
FLUSH_INTERVAL_S = 10.0

_LOG_RATIO = math.log(HISTOGRAM_RATIO)


def bucket_of(latency_ms: float) -> int:
    """The histogram bucket of a latency: ``base·r^i ≤ latency < base·r^(i+1)``."""
    if not latency_ms > HISTOGRAM_BASE_MS:  # also NaN
        return 0
    return min(MAX_BUCKET, int(math.log(latency_ms / HISTOGRAM_BASE_MS) / _LOG_RATIO))


def bucket_value(bucket: int) -> float:
    """The latency a bucket stands for: its geometric middle."""
    return HISTOGRAM_BASE_MS * HISTOGRAM_RATIO ** (bucket + 0.5)


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour ``moment`` falls in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class HourUsage:
    """One service's figures for one hour."""

    requests: int = 0
    rows: int = 0
    errors: int = 0
    latency: dict[int, int] = field(default_factory=dict)  # bucket → requests

    def record(self, latency_ms: float, rows: int, error: bool) -> None:
        self.requests += 1
        self.rows += rows
        self.errors += int(error)
        bucket = bucket_of(latency_ms)
        self.latency[bucket] = self.latency.get(bucket, 0) + 1

    def merge(self, other: HourUsage) -> None:
        self.requests += other.requests
        self.rows += other.rows
        self.errors += other.errors
        for bucket, count in other.latency.items():
            self.latency[bucket] = self.latency.get(bucket, 0) + count

    def quantile_ms(self, q: float) -> float | None:
        """The latency below which a fraction ``q`` of the requests fall (nearest rank), or None."""
        total = sum(self.latency.values())
        if total == 0:
            return None
        rank = max(1, math.ceil(q * total))
        seen = 0
        for bucket in sorted(self.latency):
            seen += self.latency[bucket]
            if seen >= rank:
                return round(bucket_value(bucket), 3)
        return None  # unreachable: the counts sum to total

    def histogram_json(self) -> dict[str, int]:
        """The histogram as stored (JSON object keys are text)."""
        return {str(bucket): count for bucket, count in sorted(self.latency.items())}

    @classmethod
    def from_stored(cls, requests: int, rows: int, errors: int, histogram: Mapping[str, int]) -> HourUsage:
        return cls(requests, rows, errors, {int(bucket): int(count) for bucket, count in histogram.items()})


Key = tuple[str, datetime]  # (service id, hour)
Sink = Callable[[dict[Key, HourUsage]], None]


class UsageRecorder:
    """Counts in memory, handed to ``sink`` (which adds them to the stored figures) on each flush."""

    def __init__(
        self,
        sink: Sink,
        interval_s: float = FLUSH_INTERVAL_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sink = sink
        self.interval_s = interval_s
        self.clock = clock
        self._pending: dict[Key, HourUsage] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, service_id: str, *, latency_ms: float, rows: int, error: bool) -> None:
        key = (service_id, hour_of(self.clock()))
        with self._lock:
            usage = self._pending.get(key)
            if usage is None:
                usage = self._pending[key] = HourUsage()
            usage.record(latency_ms, rows, error)

    def pending(self, service_id: str) -> dict[datetime, HourUsage]:
        """What this process counted for a service and has not flushed yet, by hour (copies)."""
        with self._lock:
            found = {hour: usage for (sid, hour), usage in self._pending.items() if sid == service_id}
            return {hour: _copy(usage) for hour, usage in found.items()}

    def forget(self, service_ids: Iterable[str]) -> None:
        """Drop what was counted for deleted services."""
        gone = set(service_ids)
        with self._lock:
            for key in [key for key in self._pending if key[0] in gone]:
                del self._pending[key]

    def flush(self) -> None:
        """Hand the pending counts to the sink; if it fails they stay pending for the next flush."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                self.sink(batch)
            except Exception:
                log.exception("service usage could not be stored; kept for the next try")
                with self._lock:
                    for key, usage in batch.items():
                        self._pending.setdefault(key, HourUsage()).merge(usage)

    # ---- the background flush ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="service-usage", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and flush what is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.flush()


def _copy(usage: HourUsage) -> HourUsage:
    return HourUsage(usage.requests, usage.rows, usage.errors, dict(usage.latency))
