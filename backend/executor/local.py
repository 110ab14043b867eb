"""Run node tasks in a pool of worker processes on this machine.

Each worker process runs one task at a time. Cancelling sets the worker's stop flag, which the engine
checks every iteration; a worker that has not stopped within `kill_after` seconds is killed and
replaced, so a runaway module never hurts the server.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from backend.core.status import RunStatus
from backend.executor.base import Task
from backend.executor.task import NodeResult

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.05


def _worker_main(conn: Connection, stop_flag: Any) -> None:
    """The loop inside a worker process: receive a task, run it, send progress and the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    _warm_up()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        progress = _throttled_sender(conn)
        result = message.execute(progress, stop_flag.is_set)
        conn.send(("done", result))


def _throttled_sender(conn: Connection) -> Callable[[float], None]:
    """Forward progress to the server at most every PROGRESS_INTERVAL_S (and always the final 1.0)."""
    last_sent = 0.0

    def progress(fraction: float) -> None:
        nonlocal last_sent
        now = time.monotonic()
        if fraction >= 1.0 or now - last_sent >= PROGRESS_INTERVAL_S:
            last_sent = now
            conn.send(("progress", fraction))

    return progress


def _warm_up() -> None:
    """Import the algorithms and load their compiled code before the first task arrives."""
    try:
        from modules.algorithms import warm_up

        warm_up()
    except Exception:  # warming up is an optimisation only
        log.debug("worker warm-up failed", exc_info=True)


class _Job:
    def __init__(self, task: Task, on_progress: Callable[[float], None]) -> None:
        self.task = task
        self.on_progress = on_progress
        self.future: Future[NodeResult] = Future()
        self.cancel_requested = threading.Event()

    def cancel(self) -> None:
        self.cancel_requested.set()


class _Slot(threading.Thread):
    """One worker process and the thread that feeds it jobs and listens to it."""

    def __init__(self, index: int, jobs: queue.Queue[_Job | None], kill_after: float) -> None:
        super().__init__(name=f"studio-worker-{index}", daemon=True)
        self.jobs = jobs
        self.kill_after = kill_after
        self.context = mp.get_context("spawn")
        self.process: Any = None
        self.conn: Connection | None = None
        self.stop_flag: Any = None

    def spawn(self) -> None:
        parent_conn, child_conn = self.context.Pipe()
        self.stop_flag = self.context.Event()
        self.process = self.context.Process(
            target=_worker_main, args=(child_conn, self.stop_flag), name=self.name, daemon=True
        )
        self.process.start()
        child_conn.close()
        self.conn = parent_conn

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn = None, None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                self.shutdown_worker()
                return
            if job.cancel_requested.is_set():
                job.future.set_result(
                    NodeResult(status=RunStatus.CANCELLED, log="Cancelled before it started.")
                )
                continue
            try:
                job.future.set_result(self._run_job(job))
            except Exception as exc:  # never leave a future hanging
                log.exception("worker slot failed")
                self.kill()
                job.future.set_result(
                    NodeResult(
                        status=RunStatus.FAILED, error={"code": "0039", "message": f"Worker error: {exc}"}
                    )
                )

    def _run_job(self, job: _Job) -> NodeResult:
        if self.process is None or not self.process.is_alive():
            self.spawn()
        assert self.conn is not None and self.stop_flag is not None
        self.stop_flag.clear()
        self.conn.send(job.task)
        kill_at: float | None = None
        while True:
            try:
                ready = self.conn.poll(0.05)
                message = self.conn.recv() if ready else None
            except (EOFError, OSError):
                return self._died()
            if message is not None:
                kind, payload = message
                if kind == "progress":
                    job.on_progress(payload)
                    continue
                return payload
            if not self.process.is_alive():
                return self._died()
            if job.cancel_requested.is_set():
                if kill_at is None:
                    self.stop_flag.set()
                    kill_at = time.monotonic() + self.kill_after
                elif time.monotonic() >= kill_at:
                    self.kill()
                    return NodeResult(
                        status=RunStatus.CANCELLED,
                        log=f"Cancelled: the module did not stop within {self.kill_after:g} s, "
                        "so its worker process was stopped.",
                    )

    def _died(self) -> NodeResult:
        if self.process is not None:
            self.process.join(timeout=2)  # reap it, so its exit code is known
        code = self.process.exitcode if self.process is not None else None
        self.kill()
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
        return NodeResult(
            status=RunStatus.FAILED,
            error={
                "code": "0039",
                "message": f"The worker process running this node {how}; the node did not finish.",
            },
            log="The worker process died while running this node.",
        )

    def shutdown_worker(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        if self.process is not None:
            self.process.join(timeout=2)
        self.kill()


class LocalExecutor:
    """A fixed pool of worker processes, started with the server."""

    def __init__(self, workers: int = 2, kill_after: float = 1.0, warm: bool = True) -> None:
        self.workers = max(1, workers)
        self.kill_after = kill_after
        self.warm = warm
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self.slots: list[_Slot] = []

    def start(self) -> None:
        """Start the pool (again, after a shutdown); with `warm`, worker processes start now, else lazily."""
        if self.slots:
            return
        self._jobs = queue.Queue()
        self.slots = [_Slot(i, self._jobs, self.kill_after) for i in range(self.workers)]
        for slot in self.slots:
            if self.warm:
                slot.spawn()
            slot.start()

    def submit(self, task: Task, on_progress: Callable[[float], None]) -> _Job:
        job = _Job(task, on_progress)
        self._jobs.put(job)
        return job

    def worker_pids(self) -> list[int]:
        return [pid for slot in self.slots if (pid := slot.pid) is not None]

    def shutdown(self) -> None:
        for _ in self.slots:
            self._jobs.put(None)
        for slot in self.slots:
            slot.join(timeout=5)
        self.slots = []
