"""Service keys (random, stored as digests, either one works) and the hourly usage figures."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from backend.services.web_services.keys import KEY_PREFIX, key_digest, key_hint, key_matches, new_key
from backend.services.web_services.usage import (
    HourUsage,
    UsageRecorder,
    bucket_of,
    bucket_value,
    hour_of,
)

# ---- keys --------------------------------------------------------------------------------------------


def test_keys_are_long_random_and_prefixed() -> None:
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert key.startswith(KEY_PREFIX) and len(key) == len(KEY_PREFIX) + 43
        assert set(key[len(KEY_PREFIX) :]) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_digest_and_hint() -> None:
    key = "csk_" + "a" * 43
    assert key_digest(key) == hashlib.sha256(key.encode()).hexdigest()
    assert key_digest("csk_abc") == "c773b81ef04a4af745e3bcc4e88a484981b120598ebef14c6e5553e6f3b74b17"
    assert key_hint(key) == "csk_aaaa"


def test_either_key_matches_and_nothing_else() -> None:
    primary, secondary, old = new_key(), new_key(), new_key()
    digests = (key_digest(primary), key_digest(secondary))
    assert key_matches(primary, *digests)
    assert key_matches(secondary, *digests)
    assert not key_matches(old, *digests)
    assert not key_matches(primary[:-1], *digests)
    assert not key_matches("", *digests)
    assert not key_matches(primary[len(KEY_PREFIX) :], *digests)  # the bare random part is not a key
    assert not key_matches(primary + "x" * 200, *digests)
    assert key_matches(primary, None, digests[0])
    assert not key_matches(primary, None, None)


# ---- usage -------------------------------------------------------------------------------------------


def test_buckets_are_five_percent_wide_from_a_hundredth_of_a_millisecond() -> None:
    assert bucket_of(0.0) == bucket_of(0.01) == bucket_of(float("nan")) == 0
    assert bucket_of(0.0104) == 0 and bucket_of(0.0106) == 1
    assert bucket_of(1.0) == math.floor(math.log(100) / math.log(1.05))  # 94
    assert bucket_of(1e12) == 500
    for latency in (0.05, 0.8, 3.3, 17.0, 250.0, 4000.0):
        assert abs(bucket_value(bucket_of(latency)) / latency - 1) <= 0.025


def test_quantiles_are_nearest_rank_within_two_and_a_half_percent() -> None:
    usage = HourUsage()
    for ms in range(1, 101):  # 1 … 100 ms
        usage.record(float(ms), rows=2, error=ms % 10 == 0)
    assert (usage.requests, usage.rows, usage.errors) == (100, 200, 10)
    p50, p95 = usage.quantile_ms(0.5), usage.quantile_ms(0.95)
    assert p50 is not None and p95 is not None
    assert abs(p50 / 50 - 1) <= 0.025 and abs(p95 / 95 - 1) <= 0.025
    assert HourUsage().quantile_ms(0.5) is None


def test_merged_hours_add_up_exactly() -> None:
    a, b, both = HourUsage(), HourUsage(), HourUsage()
    for i, ms in enumerate([1.0, 2.0, 3.0, 40.0, 41.0, 900.0]):
        (a if i % 2 else b).record(ms, rows=i, error=False)
        both.record(ms, rows=i, error=False)
    a.merge(b)
    assert a == both
    stored = HourUsage.from_stored(a.requests, a.rows, a.errors, a.histogram_json())
    assert stored == both


def test_hour_of_is_the_utc_hour() -> None:
    moment = datetime(2026, 5, 1, 14, 59, 59, 999, tzinfo=timezone(timedelta(hours=2)))
    assert hour_of(moment) == datetime(2026, 5, 1, 12, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_recorder_flushes_per_service_and_hour() -> None:
    stored: list[dict] = []
    clock = Clock()
    recorder = UsageRecorder(stored.append, clock=clock)
    recorder.record("s1", latency_ms=2.0, rows=1, error=False)
    recorder.record("s1", latency_ms=4.0, rows=10, error=True)
    recorder.record("s2", latency_ms=1.0, rows=3, error=False)
    clock.now += timedelta(hours=1)
    recorder.record("s1", latency_ms=1.0, rows=5, error=False)
    pending = recorder.pending("s1")
    assert [(h.hour, u.requests, u.rows, u.errors) for h, u in sorted(pending.items())] == [
        (9, 2, 11, 1),
        (10, 1, 5, 0),
    ]
    recorder.flush()
    assert recorder.pending("s1") == {}
    (batch,) = stored
    nine, ten = datetime(2026, 5, 1, 9, tzinfo=UTC), datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert set(batch) == {("s1", nine), ("s1", ten), ("s2", nine)}
    assert batch[("s2", nine)].rows == 3
    recorder.flush()  # nothing new: the sink is not called
    assert len(stored) == 1


def test_a_failed_flush_keeps_the_counts_for_the_next() -> None:
    stored: list[dict] = []
    failing = True

    def sink(batch: dict) -> None:
        if failing:
            raise OSError("database gone")
        stored.append(batch)

    recorder = UsageRecorder(sink, clock=Clock())
    recorder.record("s1", latency_ms=2.0, rows=1, error=False)
    recorder.flush()
    recorder.record("s1", latency_ms=3.0, rows=2, error=False)
    failing = False
    recorder.flush()
    (batch,) = stored
    (usage,) = batch.values()
    assert (usage.requests, usage.rows) == (2, 3)


def test_forget_drops_a_deleted_service() -> None:
    stored: list[dict] = []
    recorder = UsageRecorder(stored.append, clock=Clock())
    recorder.record("s1", latency_ms=2.0, rows=1, error=False)
    recorder.record("s2", latency_ms=2.0, rows=1, error=False)
    recorder.forget(["s1"])
    recorder.flush()
    assert [key[0] for key in stored[0]] == ["s2"]


def test_stop_flushes_what_is_left() -> None:
    stored: list[dict] = []
    recorder = UsageRecorder(stored.append, interval_s=3600, clock=Clock())
    recorder.start()
    recorder.record("s1", latency_ms=2.0, rows=1, error=False)
    recorder.stop()
    assert len(stored) == 1


@pytest.mark.parametrize("q", [0.0, 0.5, 1.0])
def test_one_request_is_every_quantile(q: float) -> None:
    usage = HourUsage()
    usage.record(7.0, rows=1, error=False)
    value = usage.quantile_ms(q)
    assert value is not None and abs(value / 7.0 - 1) <= 0.025


# ---- the access cache -------------------------------------------------------------------------------


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cached_access_expires_and_is_dropped() -> None:
    from types import SimpleNamespace

    from backend.services.web_services.access_cache import AccessCache

    ticks = Ticks()
    cache = AccessCache(ttl_s=2.0, clock=ticks)
    a, b = SimpleNamespace(model_id="m1"), SimpleNamespace(model_id="m2")
    cache.put("s1", a)
    cache.put("s2", b)
    assert cache.get("s1") is a and cache.get("nope") is None
    ticks.now += 1.9
    assert cache.get("s1") is a
    ticks.now += 0.2
    assert cache.get("s1") is None  # expired
    cache.put("s1", a)
    cache.drop_model("m1")
    assert cache.get("s1") is None and cache.get("s2") is None  # s2 expired too by now
    cache.put("s2", b)
    cache.drop("s2")
    assert cache.get("s2") is None
