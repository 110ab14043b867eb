"""Node execution: a node task is a pure function of (module, version, params, input artefacts) → output
artefacts (:func:`task.execute_node_task`); an executor runs tasks somewhere — local worker processes
(:mod:`local`, the default) or a Dask cluster (:mod:`dask`) — behind the :class:`Executor` protocol. Any
:class:`Task` runs the same way (a scoring service's batch job is one)."""

from backend.executor.artefacts import ArtefactRef, ArtefactStore
from backend.executor.base import Executor, ExecutorState, Task, TaskHandle
from backend.executor.task import NodeResult, NodeTask, execute_node_task

__all__ = [
    "ArtefactRef",
    "ArtefactStore",
    "Executor",
    "ExecutorState",
    "NodeResult",
    "NodeTask",
    "Task",
    "TaskHandle",
    "execute_node_task",
]
