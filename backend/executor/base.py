"""The executor seam: the run coordinator submits node tasks and hears back; it never knows where they ran."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Literal, Protocol

from backend.executor.task import NodeResult


class Task(Protocol):
    """Work for a worker process: a node of a run (:class:`~backend.executor.task.NodeTask`), or a
    scoring service's batch job. It must pickle, and every failure must come back as a result."""

    task_id: str

    def execute(
        self, progress: Callable[[float], None] | None, should_stop: Callable[[], bool] | None
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
