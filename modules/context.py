"""What a running module may use from its caller: datasets, saved models, progress, cancellation, the
node log."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd

from modules.errors import Cancelled

__all__ = ["MapTasks", "RunContext", "TaskFn"]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

#: One task of :meth:`RunContext.map`: ``fn(shared, item, ctx)``. It must be a picklable, pure function
#: (a module-level one): it may run in another process. Of ``ctx`` it may use ``should_stop`` and
#: ``progress`` (the fraction of this item) only; what it has to say goes into its result.
TaskFn = Callable[[S, T, "RunContext"], R]


class MapTasks(Protocol):
    """The caller's fan-out: ``fn(shared, item, ctx)`` for every item, spread over its workers (``shared``
    sent to them once), the results yielded in item order; a task's exception is raised when its turn
    comes. It stops and raises ``Cancelled`` once ``should_stop`` says so. ``costs`` (one per item, or
    None: all alike) are the items' expected relative costs: the costliest start first."""

    def __call__(
        self,
        fn: Callable[[Any, Any, RunContext], Any],
        shared: Any,
        items: Sequence[Any],
        should_stop: Callable[[], bool],
        costs: Sequence[float] | None = None,
    ) -> Iterator[Any]: ...


@dataclass
class RunContext:
    """The environment of one module run.

    Every hook defaults to a no-op. ``logs`` and ``warnings`` collect what the module reported (the
    node log and the warnings shown on the node); ``on_*`` callbacks additionally forward them live,
    e.g. to a Server-Sent Events stream.
    """

    load_dataset: Callable[[str], pd.DataFrame] | None = None
    #: A saved model by id (a :class:`modules.trained_model.TrainedClusterModel`).
    load_model: Callable[[str], Any] | None = None
    on_progress: Callable[[float], None] | None = None
    stop_requested: Callable[[], bool] | None = None
    on_log: Callable[[str], None] | None = None
    on_warn: Callable[[str], None] | None = None
    #: Runs the tasks of :meth:`map` in parallel (an executor with several workers); None: one by one.
    map_tasks: MapTasks | None = None
    #: The part files of a dataset stored partitioned, in row order (None for one stored whole).
    dataset_parts: Callable[[str], list[Path] | None] | None = None
    #: The Dask client of the cluster this node runs on (None: not on the Dask executor). Tables stored
    #: partitioned then travel as :class:`modules.partitioned.PartitionedTable` and the modules that can
    #: run part by part do (:class:`modules.module.Partitioned`). Calling it the first time hands the
    #: node's worker thread back to its worker while the node waits on the cluster (``worker_client``).
    cluster: Callable[[], Any] | None = None
    logs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    last_progress: float = 0.0

    def progress(self, fraction: float) -> None:
        """Report the fraction done, clamped to [0, 1]."""
        fraction = min(1.0, max(0.0, float(fraction)))
        self.last_progress = fraction
        if self.on_progress is not None:
            self.on_progress(fraction)

    def should_stop(self) -> bool:
        """True when the run was cancelled; long loops check it and raise ``Cancelled``."""
        return bool(self.stop_requested()) if self.stop_requested is not None else False

    def log(self, message: str) -> None:
        """Append a line to the node log."""
        self.logs.append(message)
        if self.on_log is not None:
            self.on_log(message)

    def warn(self, message: str) -> None:
        """Show a warning on the node (it also goes to the log)."""
        self.warnings.append(message)
        self.log(f"WARNING: {message}")
        if self.on_warn is not None:
            self.on_warn(message)

    def map(
        self, fn: TaskFn[S, T, R], shared: S, items: Sequence[T], costs: Sequence[float] | None = None
    ) -> Iterator[R]:
        """``fn(shared, item, ctx)`` for each item, results in item order; progress is the fraction of
        items done. In parallel where the caller can (:attr:`map_tasks`: the module does not know where
        the tasks run), else here one after another; either way the results are the same. ``costs``
        (one per item) are the items' expected relative costs: run in parallel, the costliest start
        first, so the workers finish together instead of one running the last long item alone."""
        n = len(items)
        if costs is not None and len(costs) != n:
            raise ValueError(f"{len(costs)} costs for {n} items")
        results: Iterator[R]
        if self.map_tasks is not None and n > 1:
            results = self.map_tasks(fn, shared, items, self.should_stop, costs)
        else:
            results = self._map_here(fn, shared, items)
        try:
            for done, result in enumerate(results, start=1):
                yield result
                self.progress(done / n)
        finally:  # stopped early (an error, a cancel): the tasks still running are dropped now
            close = getattr(results, "close", None)
            if close is not None:
                close()

    def _map_here(self, fn: TaskFn[S, T, R], shared: S, items: Sequence[T]) -> Iterator[R]:
        n = len(items)
        for done, item in enumerate(items):
            if self.should_stop():
                raise Cancelled()

            def item_progress(fraction: float, done: int = done) -> None:
                self.progress((done + fraction) / n)

            yield fn(shared, item, RunContext(stop_requested=self.stop_requested, on_progress=item_progress))
