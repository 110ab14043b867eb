"""Failed sign-in throttling, per account and per client address (in memory: one server process).

Rules (every number is a setting):

- An account accepts at most `max_failures` failed sign-ins per `window` seconds; beyond that a
  sign-in to it is refused (429, `Retry-After`) until the oldest of those failures is `window` old.
- A client address gets at most `max_failures_per_client` failures per `window`, whatever the accounts.
- An attempt counts as a failure from the moment it starts (so a burst of concurrent guesses cannot
  slip past the count) and is taken back if the password was right; a right password also clears the
  account's failures. Refused attempts are not counted: a lock never extends itself.
- A browser that has signed in to an account before (its `studio_device` cookie, OWASP's "device
  cookie") is not held by that account's lock: it has a failure budget of its own. So an attacker
  who keeps failing on purpose locks out only the browsers that never signed in there, for at most
  `window` seconds at a time, and never the account's owner on a browser they have used.

Restarting the server forgets all of this (the locks too), which errs on the side of letting people in.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: Most keys remembered per table; the oldest go first (guessing at random names must not grow memory).
MAX_KEYS = 100_000
#: Most trusted browsers remembered per account.
MAX_DEVICES_PER_ACCOUNT = 20


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass
class Attempt:
    """One sign-in attempt in progress: counted as a failure until `succeeded()`."""

    throttle: LoginThrottle
    account_bucket: str
    client_bucket: str
    started: float

    def succeeded(self) -> None:
        self.throttle._take_back(self, clear_account=True)

    def cancel(self) -> None:
        """Not a guess after all (the server was too busy to check it)."""
        self.throttle._take_back(self, clear_account=False)


class LoginThrottle:
    def __init__(
        self,
        max_failures: int,
        max_failures_per_client: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_client = max_failures_per_client
        self.window = window_seconds
        self._clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._devices: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()
        self._lock = threading.Lock()

    # ---- attempts -------------------------------------------------------------------------------
    def begin(self, account: str, client: str, device: str | None = None) -> Attempt:
        """Start an attempt on `account` (lower-case name) from `client` (address), or raise `LoginThrottled`.

        `device` is the digest of the browser's device cookie, if it sent one.
        """
        now = self._clock()
        trusted = device is not None and self.is_trusted_device(account, device)
        account_bucket = f"device:{account}:{device}" if trusted else f"account:{account}"
        client_bucket = f"client:{client}"
        with self._lock:
            waits = [
                self._wait(account_bucket, self.max_failures, now),
                self._wait(client_bucket, self.max_failures_per_client, now),
            ]
            wait = max(waits)
            if wait > 0:
                raise LoginThrottled(max(1, math.ceil(wait)))
            self._record(account_bucket, now)
            self._record(client_bucket, now)
        return Attempt(self, account_bucket, client_bucket, now)

    def _take_back(self, attempt: Attempt, clear_account: bool) -> None:
        with self._lock:
            if clear_account:
                self._failures.pop(attempt.account_bucket, None)
            else:
                self._remove(attempt.account_bucket, attempt.started)
            # The client's count keeps its other failures: one good password (say, the attacker's own
            # account) must not wipe the guesses the same address made at other accounts.
            self._remove(attempt.client_bucket, attempt.started)

    def _recent(self, bucket: str, now: float) -> list[float]:
        times = self._failures.get(bucket)
        if times is None:
            return []
        fresh = [t for t in times if now - t < self.window]
        if fresh:
            self._failures[bucket] = fresh
        else:
            del self._failures[bucket]
        return fresh

    def _wait(self, bucket: str, limit: int, now: float) -> float:
        times = self._recent(bucket, now)
        if len(times) < limit:
            return 0.0
        # Allowed again once only `limit - 1` failures are younger than the window.
        return times[len(times) - limit] + self.window - now

    def _record(self, bucket: str, now: float) -> None:
        times = self._failures.pop(bucket, [])
        times.append(now)
        self._failures[bucket] = times  # most recently used last
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def _remove(self, bucket: str, started: float) -> None:
        times = self._failures.get(bucket)
        if times and started in times:
            times.remove(started)
            if not times:
                del self._failures[bucket]

    # ---- trusted browsers -----------------------------------------------------------------------
    def trust_device(self, account: str, device: str) -> None:
        """`device` (a cookie digest) signed in to `account` with the right password."""
        with self._lock:
            devices = self._devices.pop(account, OrderedDict())
            devices.pop(device, None)
            devices[device] = None
            while len(devices) > MAX_DEVICES_PER_ACCOUNT:
                devices.popitem(last=False)
            self._devices[account] = devices
            while len(self._devices) > MAX_KEYS:
                self._devices.popitem(last=False)

    def is_trusted_device(self, account: str, device: str) -> bool:
        with self._lock:
            return device in self._devices.get(account, {})

    def forget_devices(self, account: str, keep: str | None = None) -> None:
        """After "sign out everywhere" or a password change: only `keep` (this browser) stays trusted."""
        with self._lock:
            devices = self._devices.pop(account, None)
            if devices is not None and keep is not None and keep in devices:
                self._devices[account] = OrderedDict({keep: None})
