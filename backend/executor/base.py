"""The executor seam: the run coordinator submits node tasks and hears back; it never knows where they ran."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol

from backend.executor.task import NodeResult, NodeTask


class TaskHandle(Protocol):
    future: Future[NodeResult]

    def cancel(self) -> None: ...


class Executor(Protocol):
    def start(self) -> None: ...

    def submit(self, task: NodeTask, on_progress: Callable[[float], None]) -> TaskHandle: ...

    def shutdown(self) -> None: ...
