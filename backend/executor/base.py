"""The executor seam: the run coordinator submits node tasks and hears back; it never knows where they ran."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from backend.executor.task import NodeResult
from modules.context import MapTasks


class Task(Protocol):
    """Work for a worker process: a node of a run (:class:`~backend.executor.task.NodeTask`), or a
    scoring service's batch job. It must pickle, and every failure must come back as a result.
    ``map_tasks``: the executor's fan-out for the module's :meth:`modules.RunContext.map`, if it has one;
    ``cluster``: the Dask client of the cluster it runs on (:attr:`modules.RunContext.cluster`), if any."""

    task_id: str

    def execute(
        self,
        progress: Callable[[float], None] | None,
        should_stop: Callable[[], bool] | None,
        map_tasks: MapTasks | None = None,
        cluster: Callable[[], Any] | None = None,
    ) -> NodeResult: ...


class TaskHandle(Protocol):
    future: Future[NodeResult]

    def cancel(self) -> None: ...


@dataclass(frozen=True)
class ExecutorState:
    """What health reports of the executor."""

    executor: Literal["local", "dask"]
    #: Workers up and able to take a task.
    workers: int
    #: "unreachable": a Dask scheduler that did not answer.
    status: Literal["ok", "unreachable"]


class Executor(Protocol):
    def start(self) -> None: ...

    def submit(self, task: Task, on_progress: Callable[[float], None]) -> TaskHandle: ...

    def shutdown(self) -> None: ...

    def describe(self) -> ExecutorState:
        """For health; may take a short round trip (call it off the event loop)."""
        ...


def throttled(send: Callable[[float], None], interval_s: float) -> Callable[[float], None]:
    """A progress callback that passes a fraction on to ``send`` at most every ``interval_s`` seconds
    (and always the final 1.0): a module may report far more often than is worth a message."""
    last_sent = 0.0

    def progress(fraction: float) -> None:
        nonlocal last_sent
        now = time.monotonic()
        if fraction >= 1.0 or now - last_sent >= interval_s:
            last_sent = now
            send(fraction)

    return progress
