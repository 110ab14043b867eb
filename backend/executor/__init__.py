"""Node execution: a node task is a pure function of (module, version, params, input artefacts) → output
artefacts (:func:`task.execute_node_task`); an executor runs tasks somewhere — local worker processes
today (:mod:`local`), a Dask cluster tomorrow — behind the :class:`Executor` protocol."""

from backend.executor.artefacts import ArtefactRef, ArtefactStore
from backend.executor.base import Executor, TaskHandle
from backend.executor.task import NodeResult, NodeTask, execute_node_task

__all__ = [
    "ArtefactRef",
    "ArtefactStore",
    "Executor",
    "NodeResult",
    "NodeTask",
    "TaskHandle",
    "execute_node_task",
]
