"""Run node tasks in a pool of worker processes on this machine.

Each worker process runs one task at a time. Cancelling sets the worker's stop flag, which the engine
checks every iteration; a worker that has not stopped within `kill_after` seconds is killed and
replaced, so a runaway module never hurts the server.

A worker first warms up (:mod:`backend.executor.warmup`: a tiny pipeline run, every compiled kernel
loaded) and then says "ready"; its slot hands it no task before that. A task submitted meanwhile waits
(in the queue, for whichever worker is ready first; or, with lazily started workers, for the one just
started): it runs late, it never fails for it. A worker replaced after a kill warms up the same way.
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
from backend.executor.base import ExecutorState, Task, throttled
from backend.executor.task import NodeResult
from backend.executor.warmup import timed_warm_up, warm_up_worker

log = logging.getLogger(__name__)
# Each worker's "ready" line says how long its warm-up took and whether the install step's kernel cache
# was complete: shown even where the root logger keeps only warnings (alembic.ini's configuration).
log.setLevel(logging.INFO)
PROGRESS_INTERVAL_S = 0.05


def _worker_main(conn: Connection, stop_flag: Any, warm_up: Callable[[], str]) -> None:
    """The loop inside a worker process: warm up and say so, then receive a task, run it, send progress
    and the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    conn.send(("ready", timed_warm_up(warm_up)))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        conn.send(("started", None))  # the slot now knows this worker took the task
        progress = throttled(lambda fraction: conn.send(("progress", fraction)), PROGRESS_INTERVAL_S)
        result = message.execute(progress, stop_flag.is_set)
        conn.send(("done", result))


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

    def __init__(
        self,
        index: int,
        jobs: queue.Queue[_Job | None],
        kill_after: float,
        warm: bool,
        warm_up: Callable[[], str],
    ) -> None:
        super().__init__(name=f"studio-worker-{index}", daemon=True)
        self.jobs = jobs
        self.kill_after = kill_after
        #: Keep a warmed-up worker at hand (else start one when a job comes).
        self.warm = warm
        self.warm_up = warm_up
        self.context = mp.get_context("spawn")
        self.process: Any = None
        self.conn: Connection | None = None
        self.stop_flag: Any = None
        self.ready = False
        self.busy = False
        #: Workers in a row that died while warming up (then one starts only when a job comes).
        self.failed_starts = 0
        self.closing = threading.Event()

    def spawn(self) -> None:
        parent_conn, child_conn = self.context.Pipe()
        self.stop_flag = self.context.Event()
        self.process = self.context.Process(
            target=_worker_main, args=(child_conn, self.stop_flag, self.warm_up), name=self.name, daemon=True
        )
        self.ready = False
        self.process.start()
        child_conn.close()
        self.conn = parent_conn

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn, self.ready = None, None, False

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def state(self) -> str:
        """ "stopped" (no worker process), "warming up", "ready" (waits for a task) or "busy"."""
        if self.process is None:
            return "stopped"
        if not self.ready:
            return "warming up"
        return "busy" if self.busy else "ready"

    def run(self) -> None:
        while True:
            if self.warm and self.process is None and not self.failed_starts and not self.closing.is_set():
                self.spawn()  # the replacement of a killed worker warms up before the next job, too
            if self.process is not None and not self.ready:
                self._await_ready(None)  # take no job before: a ready slot takes it meanwhile
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

    def _await_ready(self, job: _Job | None) -> NodeResult | None:
        """Wait for the worker's "ready"; None once it came, else why `job` (if any) cannot run now."""
        assert self.conn is not None
        while not self.ready:
            try:
                if self.conn.poll(0.05):
                    kind, payload = self.conn.recv()
                    if kind == "ready":
                        # said before it counts as ready: whoever waits for the workers then finds the line
                        log.info("%s (pid %s) %s", self.name, self.pid, payload)
                        self.ready, self.failed_starts = True, 0
                    continue
            except (EOFError, OSError):
                return self._died(starting=True)
            if not self.process.is_alive():
                return self._died(starting=True)
            if self.closing.is_set():
                self.kill()
                return NodeResult(status=RunStatus.CANCELLED, log="Cancelled: the server is stopping.")
            if job is not None and job.cancel_requested.is_set():
                return NodeResult(status=RunStatus.CANCELLED, log="Cancelled before it started.")
        return None

    def _run_job(self, job: _Job) -> NodeResult:
        # A worker that died idle (found dead here, or dying before it took the task) is replaced,
        # and the task goes to the replacement once it is ready: the task itself never began.
        for attempt in (1, 2):
            if self.process is None or not self.process.is_alive():
                self.kill()  # reap a worker that died idle
                self.spawn()
            if not self.ready and (waited := self._await_ready(job)) is not None:
                return waited
            self.busy = True
            try:
                result = self._drive(job, retry_allowed=attempt == 1)
            finally:
                self.busy = False
            if result is not None:
                return result
        raise AssertionError("unreachable: the second attempt always returns a result")

    def _drive(self, job: _Job, retry_allowed: bool) -> NodeResult | None:
        """Send the job to the ready worker; relay its progress and cancels until it answers.

        None if the worker died before it took the task (and `retry_allowed`).
        """
        assert self.conn is not None and self.stop_flag is not None
        self.stop_flag.clear()
        taken = False
        with contextlib.suppress(OSError):  # else its end of the pipe is gone: it died idle
            self.conn.send(job.task)
        kill_at: float | None = None
        while True:
            try:
                ready = self.conn.poll(0.05)
                message = self.conn.recv() if ready else None
            except (EOFError, OSError):
                return self._lost(retry_allowed and not taken)
            if message is not None:
                kind, payload = message
                if kind == "started":
                    taken = True
                elif kind == "progress":
                    job.on_progress(payload)
                else:
                    return payload
                continue
            if not self.process.is_alive():
                return self._lost(retry_allowed and not taken)
            if job.cancel_requested.is_set():
                kill_at = kill_at or time.monotonic() + self.kill_after
                self.stop_flag.set()
                if time.monotonic() >= kill_at:
                    self.kill()
                    return NodeResult(
                        status=RunStatus.CANCELLED,
                        log=f"Cancelled: the module did not stop within {self.kill_after:g} s, "
                        "so its worker process was stopped.",
                    )

    def _lost(self, retry: bool) -> NodeResult | None:
        """The worker is gone: None (retry on a new one) if it never took the task, else the failure."""
        if retry:
            self.kill()
            return None
        return self._died()

    def _died(self, starting: bool = False) -> NodeResult:
        if self.process is not None:
            self.process.join(timeout=2)  # reap it, so its exit code is known
        code = self.process.exitcode if self.process is not None else None
        self.kill()
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
        if starting:
            self.failed_starts += 1
            log.warning("%s: the worker process %s while warming up", self.name, how)
            message = f"The worker process starting for this node {how}; the node did not run."
            what = "The worker process died while starting."
        else:
            message = f"The worker process running this node {how}; the node did not finish."
            what = "The worker process died while running this node."
        return NodeResult(status=RunStatus.FAILED, error={"code": "0039", "message": message}, log=what)

    def shutdown_worker(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        if self.process is not None:
            self.process.join(timeout=2)
        self.kill()


class LocalExecutor:
    """A fixed pool of worker processes, started with the server.

    With `warm`, the worker processes start (and warm up) with the pool and a killed one is replaced at
    once; else each starts when its first job comes. Either way a worker warms up with `warm_up` (a
    module-level function, run in the worker process) before it takes a task.
    """

    def __init__(
        self,
        workers: int = 2,
        kill_after: float = 1.0,
        warm: bool = True,
        warm_up: Callable[[], str] = warm_up_worker,
    ) -> None:
        self.workers = max(1, workers)
        self.kill_after = kill_after
        self.warm = warm
        self.warm_up = warm_up
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self.slots: list[_Slot] = []

    def start(self) -> None:
        """Start the pool (again, after a shutdown); with `warm`, worker processes start now, else lazily."""
        if self.slots:
            return
        self._jobs = queue.Queue()
        self.slots = [
            _Slot(i, self._jobs, self.kill_after, self.warm, self.warm_up) for i in range(self.workers)
        ]
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

    def worker_states(self) -> list[str]:
        """Each slot's worker: "stopped", "warming up", "ready" or "busy"."""
        return [slot.state for slot in self.slots]

    def describe(self) -> ExecutorState:
        """For health: the worker processes ready for a task (warmed up, idle or busy)."""
        return ExecutorState(executor="local", workers=sum(slot.ready for slot in self.slots), status="ok")

    def wait_for_workers(self, timeout: float) -> int:
        """Block until every worker has warmed up or died trying, at most `timeout` seconds; how many are
        ready then (0 at once where workers start lazily: none starts before a job)."""
        deadline = time.monotonic() + timeout
        while self.warm and self.slots and time.monotonic() < deadline:
            if all(slot.ready or slot.failed_starts for slot in self.slots):
                break
            time.sleep(0.02)
        return sum(slot.ready for slot in self.slots)

    def shutdown(self) -> None:
        for slot in self.slots:
            slot.closing.set()  # a worker still warming up is stopped, not waited for
        for _ in self.slots:
            self._jobs.put(None)
        for slot in self.slots:
            slot.join(timeout=5)
        self.slots = []
