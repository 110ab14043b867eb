"""Password work off the event loop: Argon2 and the strength estimate run on a small executor of their own.

Argon2 is slow on purpose (tens of milliseconds of CPU and 64 MiB per hash). Run in FastAPI's shared
threadpool, a flood of sign-ins would take its 40 threads and stall every other synchronous route.
Here the work gets `workers` threads (about one per core); past `queue_limit` hashes waiting or
running, new ones are refused at once (`PasswordWorkBusy`, answered 429) instead of queueing without end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from zxcvbn import zxcvbn

from backend.core.security import hash_password, verify_password

T = TypeVar("T")

#: zxcvbn's cost grows with the length; it refuses more than 72 characters. A longer password is
#: judged by its first 72 (a long password that starts weakly is rare, and still refused only if
#: those 72 characters are easy to guess).
STRENGTH_ESTIMATE_LENGTH = 72

#: How much lower than the server's other threads the password threads run (nice 0..19).
PASSWORD_THREAD_NICENESS = 10

# zxcvbn keeps the user inputs of the call in a module-level dictionary: two estimates at once
# would mix each other's inputs. The estimate is pure Python (it holds the GIL anyway).
_zxcvbn_lock = threading.Lock()


class PasswordWorkBusy(Exception):
    """Too many hashes are already waiting: the caller should try again in a moment."""


@dataclass(frozen=True)
class WeakPassword:
    score: int
    message: str


def password_weakness(password: str, user_inputs: Sequence[str], min_score: int) -> WeakPassword | None:
    """Why `password` is too easy to guess (zxcvbn's score below `min_score`), or None when it is not.

    The message says why and gives zxcvbn's advice; it never contains the password.
    """
    with _zxcvbn_lock:
        estimate = zxcvbn(password[:STRENGTH_ESTIMATE_LENGTH], user_inputs=list(user_inputs))
    score = int(estimate["score"])
    if score >= min_score:
        return None
    feedback = estimate.get("feedback") or {}
    advice = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    advice = [line.strip().rstrip(".") + "." for line in advice if line and line.strip()]
    if not advice:
        advice = ["Add another word or two. Uncommon words are better."]
    message = f"This password is too easy to guess (strength {score} of 4, {min_score} needed). " + " ".join(
        advice
    )
    return WeakPassword(score=score, message=message)


def _yield_to_requests() -> None:
    """Run this password thread at a lower priority, so that request handling (the event loop, the
    threadpool) gets the CPU first when both want it. Linux sets nice per thread; Argon2's own lane
    threads inherit it."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PASSWORD_THREAD_NICENESS)


class PasswordWork:
    """Argon2 hashing and verifying, and the strength estimate, on a bounded executor of their own."""

    def __init__(self, workers: int, queue_limit: int) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="password", initializer=_yield_to_requests
        )
        self.queue_limit = queue_limit
        # Counted until the work has really finished (or was cancelled before it started): a caller
        # that gives up (client gone) does not free the thread its hash is still running on.
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _finished(self, _future: Future[Any]) -> None:
        with self._lock:
            self._in_flight -= 1

    async def _run(self, work: Callable[[], T]) -> T:
        with self._lock:
            if self._in_flight >= self.queue_limit:
                raise PasswordWorkBusy
            self._in_flight += 1
        future = self._executor.submit(work)
        future.add_done_callback(self._finished)
        return await asyncio.wrap_future(future)

    async def hash(self, password: str) -> str:
        return await self._run(lambda: hash_password(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(lambda: verify_password(password_hash, password))

    async def weakness(
        self, password: str, user_inputs: Sequence[str], min_score: int
    ) -> WeakPassword | None:
        return await self._run(lambda: password_weakness(password, user_inputs, min_score))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
