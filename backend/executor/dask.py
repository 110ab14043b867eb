"""Run node tasks on a Dask distributed cluster (``STUDIO_EXECUTOR=dask``).

With a scheduler address (``STUDIO_DASK_SCHEDULER``) the executor connects a
:class:`distributed.Client` to that cluster; without one it starts a ``LocalCluster`` of
``STUDIO_DASK_WORKERS`` worker processes (one thread each) and owns it. A task runs
``task.execute(progress, should_stop)`` in a worker process, exactly as a local worker runs it: the
task pickles, and its artefacts live where every worker reads them (the task's ``artefact_root``).

How things travel:

- **Progress**: the task logs worker events (``Worker.log_event``) on a topic of this executor, at most
  every PROGRESS_INTERVAL_S and always the final 1.0; the server subscribes to the topic
  (``Client.subscribe_topic``) and hands each fraction to the task's ``on_progress`` on a thread of its
  own (the client's event loop never waits for a database write). The same topic says which worker
  started the task.
- **Cancel**: one :class:`distributed.Event` per task on the scheduler; ``cancel`` sets it and the task's
  ``should_stop`` asks the scheduler at most every STOP_POLL_S (the engine checks it every iteration,
  so most checks cost nothing). A task still running ``kill_after`` seconds later is cancelled on the
  scheduler and its worker restarted by its nanny (``Client.restart_workers``): the worker is free again
  and the handle resolves CANCELLED.
- **A worker killed mid-task** (its process died, or its machine went away): Dask's own retry. The
  scheduler runs the task again on another worker — node tasks are pure and write fresh artefact keys,
  so a second run is safe, and what the lost attempt wrote is dropped by the start-up garbage
  collection. The node log says the lost worker. A task whose workers keep dying (more than the
  scheduler's ``distributed.scheduler.allowed-failures``, 3 by default: e.g. one that exhausts a
  worker's memory each time) fails with 0039 naming the last worker.
- **The scheduler unreachable** (at submit, or lost while a task runs): the node fails with 0144; the
  server keeps serving. The next submit opens a fresh client, so once the scheduler is back runs work
  again without restarting the studio.

Workers warm up once (:func:`backend.executor.warmup.warm_up_worker`, by a worker plugin: every worker,
also one that starts or restarts later, warms up before its first task).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import distributed
from distributed.diagnostics.plugin import WorkerPlugin

from backend.core.status import RunStatus
from backend.executor.base import ExecutorState, Task, throttled
from backend.executor.task import NodeResult
from backend.executor.warmup import timed_warm_up, warm_up_worker
from modules.context import MapTasks, RunContext
from modules.errors import Cancelled

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)

PROGRESS_INTERVAL_S = 0.1
#: How often a task asks the scheduler whether it was cancelled (at most).
STOP_POLL_S = 0.1
#: Connecting to the scheduler, and health's question to it, give up after this long.
CONNECT_TIMEOUT_S = 5.0
HEALTH_TIMEOUT_S = 2.0
WARM_UP_PLUGIN = "cluster-studio-warm-up"
UNREACHABLE = "0144"
#: Kernel threads of one fanned-out item task (:func:`fan_out`): each worker thread runs one item, so
#: more would only take cores from the other workers' items.
ITEM_THREADS = 1


class WarmUpPlugin(WorkerPlugin):
    """Warms a worker up when it joins (or when the plugin is registered): the worker takes no task
    before. The warm-up runs on a thread, so the worker keeps answering its scheduler meanwhile."""

    def __init__(self, warm_up: Callable[[], str]) -> None:
        self.warm_up = warm_up
        self.detail = ""

    async def setup(self, worker: distributed.Worker) -> None:
        self.detail = await asyncio.to_thread(timed_warm_up, self.warm_up)
        worker.log_event(WARM_UP_PLUGIN, {"worker": worker.address, "detail": self.detail})


def run_on_worker(task: Task, key: str, topic: str, stop_event: str) -> NodeResult:
    """The function a Dask worker runs: the task, with its progress and stop wired to the server."""
    worker = distributed.get_worker()
    worker.log_event(topic, {"key": key, "started": worker.address})
    should_stop = _stop_poller(distributed.Event(stop_event))
    if should_stop():
        result = NodeResult(status=RunStatus.CANCELLED, log="Cancelled before it started.")
    else:
        cluster = WorkerClient()
        try:
            result = task.execute(
                throttled(
                    lambda fraction: worker.log_event(topic, {"key": key, "progress": float(fraction)}),
                    PROGRESS_INTERVAL_S,
                ),
                should_stop,
                map_tasks=fan_out(stop_event),
                cluster=cluster,
            )
        except Exception as exc:  # a task reports its failures; this is a bug's last net
            result = NodeResult(status=RunStatus.FAILED, error={"code": "0039", "message": f"{exc}"})
        finally:
            cluster.close()
    result.log = f"Ran on Dask worker {worker.address}." + (f"\n{result.log}" if result.log else "")
    return result


class WorkerClient:
    """The node task's client of its cluster (:attr:`modules.RunContext.cluster`), opened on first use:
    then the task secedes from its worker's thread pool (``worker_client``), so that the part tasks it
    submits can run on its own worker too, and rejoins when it ends (:meth:`close`). A task that never
    asks keeps its thread as any task does."""

    def __init__(self) -> None:
        self._context: contextlib.AbstractContextManager[distributed.Client] | None = None
        self._client: distributed.Client | None = None

    def __call__(self) -> distributed.Client:
        if self._client is None:
            self._context = distributed.worker_client()
            self._client = self._context.__enter__()
        return self._client

    def close(self) -> None:
        context, self._context, self._client = self._context, None, None
        if context is not None:
            context.__exit__(None, None, None)


def fan_out(stop_event: str) -> MapTasks:
    """The fan-out of a node task running on a worker (:meth:`modules.RunContext.map`): ``shared`` is
    scattered once, each item becomes a task of its own, and the results are gathered in item order.

    The node task secedes from its worker's thread pool while it waits (``worker_client``), so its
    worker runs item tasks meanwhile: even a one-worker cluster cannot deadlock (though there the items
    simply run one by one here: nothing would run beside them). Each item task polls the node's stop
    event; the node task polls it between results and drops the tasks left once it is set.
    """

    def map_tasks(
        fn: Callable[[Any, Any, RunContext], Any],
        shared: Any,
        items: Sequence[Any],
        should_stop: Callable[[], bool],
        costs: Sequence[float] | None = None,
    ) -> Iterator[Any]:
        if sum(distributed.get_client().nthreads().values()) < 2:
            for item in items:
                if should_stop():
                    raise Cancelled()
                yield fn(shared, item, RunContext(stop_requested=should_stop))
            return
        with distributed.worker_client() as client:
            [data] = client.scatter([shared], hash=False)
            futures: list[distributed.Future] = [None] * len(items)  # type: ignore[list-item]
            for rank, index in enumerate(start_order(len(items), costs)):
                futures[index] = client.submit(
                    _run_item, fn, data, items[index], stop_event, pure=False, priority=-rank
                )
            try:
                yield from _in_item_order(futures, should_stop)
            finally:
                client.cancel([*futures, data], reason="the node task no longer needs them")

    return map_tasks


def _in_item_order(futures: list[distributed.Future], should_stop: Callable[[], bool]) -> Iterator[Any]:
    """The futures' results in list order, each fetched as soon as its task ends: started costliest
    first, the first item often ends last, and fetching every other result only then (a transfer and
    an unpickling each) put them all after the last task (60 ms of a 1.4 s sweep). A failed item raises
    in its turn, as it would one after another. Each future reports its own end (a callback), so
    waiting stays one queue read per item however many items there are."""
    ended: queue.SimpleQueue[int] = queue.SimpleQueue()
    for position, future in enumerate(futures):
        future.add_done_callback(lambda _, position=position: ended.put(position))
    outcomes: dict[int, tuple[bool, Any]] = {}
    for index in range(len(futures)):
        while index not in outcomes:
            if should_stop():
                raise Cancelled()
            try:
                done = ended.get(timeout=STOP_POLL_S)
            except queue.Empty:
                continue
            try:
                outcomes[done] = (True, futures[done].result())
            except Exception as exc:  # the item's own error (or a lost worker's): raised in turn
                outcomes[done] = (False, exc)
        succeeded, value = outcomes.pop(index)
        if not succeeded:
            raise value
        yield value


def start_order(n_items: int, costs: Sequence[float] | None) -> list[int]:
    """The items' indices in the order their tasks should start: the costliest first (ties, and no
    costs: in item order). Longest first, two workers end within the shortest item's time of each
    other; in item order with costs growing along the items (a sweep's k = 2..17), one worker ran the
    last, longest item alone."""
    if costs is None:
        return list(range(n_items))
    return sorted(range(n_items), key=lambda index: (-costs[index], index))


def _run_item(fn: Callable[[Any, Any, RunContext], Any], shared: Any, item: Any, stop_event: str) -> Any:
    """One item of a fan-out, on a worker: on ITEM_THREADS threads, since the other workers' items share
    the cores."""
    ctx = RunContext(stop_requested=_stop_poller(distributed.Event(stop_event)))
    with item_threads():
        return fn(shared, item, ctx)


@contextlib.contextmanager
def item_threads() -> Iterator[None]:
    """Numba's kernels (a thread-local setting) and BLAS (process-wide: the workers run one task at a
    time, one thread each) on ITEM_THREADS threads: two items' GEMMs on two threads each would fight
    over 2 cores."""
    import numba

    from modules.engine import blas_threads

    previous = numba.get_num_threads()
    numba.set_num_threads(min(ITEM_THREADS, previous))
    try:
        with blas_threads(ITEM_THREADS):
            yield
    finally:
        numba.set_num_threads(previous)


def _stop_poller(event: distributed.Event) -> Callable[[], bool]:
    """`should_stop` for the engine: asks the scheduler at most every STOP_POLL_S; once true, stays."""
    asked_at = -STOP_POLL_S
    stop = False

    def should_stop() -> bool:
        nonlocal asked_at, stop
        now = time.monotonic()
        if not stop and now - asked_at >= STOP_POLL_S:
            asked_at = now
            try:
                stop = bool(event.is_set())
            except Exception:  # the scheduler is away: the server fails the node itself
                stop = False
        return stop

    return should_stop


class DaskTaskHandle:
    """A submitted task: its result future (always resolved with a NodeResult) and its cancel."""

    def __init__(self, executor: DaskExecutor, task: Task, on_progress: Callable[[float], None]) -> None:
        self.executor = executor
        self.task = task
        self.on_progress = on_progress
        self.key = f"studio-{task.task_id}-{uuid.uuid4().hex[:12]}"
        self.stop_event = f"{self.key}-stop"
        self.future: Future[NodeResult] = Future()
        self.dask_future: distributed.Future | None = None
        self.client: distributed.Client | None = None
        #: Workers that started the task, in order (a retry after a lost worker adds one).
        self.workers: list[str] = []
        self.cancel_requested = False
        self._lock = threading.Lock()

    def cancel(self) -> None:
        if self.future.done() or self.cancel_requested:
            return
        self.cancel_requested = True
        try:
            assert self.client is not None
            distributed.Event(self.stop_event, client=self.client).set()
        except Exception:  # the scheduler is away: nothing runs that we could still reach
            self._cancel_on_scheduler()
            self.resolve(NodeResult(status=RunStatus.CANCELLED, log="Cancelled."))
            return
        timer = threading.Timer(self.executor.kill_after, self._stop_by_force)
        timer.daemon = True
        timer.start()

    def _stop_by_force(self) -> None:
        """The task did not stop in time: forget it on the scheduler, restart the worker running it."""
        if self.future.done():
            return
        self._cancel_on_scheduler()
        if not self.workers:
            self.resolve(NodeResult(status=RunStatus.CANCELLED, log="Cancelled before it started."))
            return
        worker = self.workers[-1]
        with contextlib.suppress(Exception):
            assert self.client is not None
            self.client.restart_workers([worker], timeout=60, raise_for_error=False)
        self.resolve(
            NodeResult(
                status=RunStatus.CANCELLED,
                log=f"Ran on Dask worker {worker}.\nCancelled: the module did not stop within "
                f"{self.executor.kill_after:g} s, so its worker was restarted.",
            )
        )

    def _cancel_on_scheduler(self) -> None:
        if self.dask_future is not None and self.client is not None:
            with contextlib.suppress(Exception):
                self.client.cancel([self.dask_future], reason="cancelled by the studio")

    def resolve(self, result: NodeResult) -> None:
        """Give the handle its result (the first one wins); forget the task on the cluster: its result
        (else a worker restarted later would make the scheduler compute the lost key again) and its
        stop event."""
        with self._lock:
            if self.future.done():
                return
            self.future.set_result(result)
            dask_future, self.dask_future = self.dask_future, None
        if dask_future is not None:
            with contextlib.suppress(Exception):
                dask_future.release()
        self.executor.forget(self)

    def on_event(self, message: dict[str, Any]) -> None:
        if "started" in message:
            self.workers.append(str(message["started"]))
        elif "progress" in message and not self.future.done():
            self.on_progress(float(message["progress"]))

    def on_done(self, dask_future: distributed.Future) -> None:
        """The Dask future ended: turn how into a NodeResult."""
        try:
            result = dask_future.result()
        except distributed.client.FutureCancelledError as exc:
            if self.cancel_requested:
                return  # the forced stop resolves the handle
            result = self.executor.unreachable(f"the task was cancelled on the cluster ({exc.reason})")
        except distributed.KilledWorker as exc:
            last = getattr(exc.last_worker, "address", exc.last_worker)
            result = NodeResult(
                status=RunStatus.FAILED,
                error={
                    "code": "0039",
                    "message": f"The Dask worker {last} running this node died, as {exc.allowed_failures} "
                    "before it had: the node did not finish.",
                },
                log=self._lost_workers_line(""),
            )
        except Exception as exc:
            result = NodeResult(
                status=RunStatus.FAILED,
                error={"code": "0039", "message": f"Dask error: {type(exc).__name__}: {exc}"},
            )
        else:
            first, _, rest = result.log.partition("\n")  # "Ran on Dask worker <address>."
            if lost := self._lost_workers_line(first):
                result.log = "\n".join(line for line in (first, lost, rest) if line)
        self.executor.after_events(self.resolve, result)

    def _lost_workers_line(self, ran_on: str) -> str:
        """A log line naming the workers lost in the middle of this task (those `ran_on` does not name)."""
        lost = [worker for worker in self.workers if f" {worker}." not in ran_on]
        if not lost:
            return ""
        return f"Dask ran it again after losing worker {', '.join(lost)} in the middle of it."


class DaskExecutor:
    """Node tasks on a Dask cluster: an existing one (`scheduler_address`) or a LocalCluster of its own."""

    def __init__(
        self,
        scheduler_address: str = "",
        workers: int = 2,
        kill_after: float = 1.0,
        warm_up: Callable[[], str] = warm_up_worker,
    ) -> None:
        self.scheduler_address = scheduler_address
        self.n_workers = max(1, workers)
        self.kill_after = kill_after
        self.warm_up = warm_up
        self.cluster: distributed.LocalCluster | None = None
        self.client: distributed.Client | None = None
        self.topic = f"cluster-studio-tasks-{uuid.uuid4().hex[:12]}"
        self._handles: dict[str, DaskTaskHandle] = {}
        self._lock = threading.Lock()
        self._connecting = threading.Lock()
        #: Progress reaches the run coordinator from here, never from the client's event loop.
        self._progress_thread: ThreadPoolExecutor | None = None

    @property
    def address(self) -> str:
        if self.cluster is not None:
            return str(self.cluster.scheduler_address)
        return self.scheduler_address

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the LocalCluster (without an address) and connect; an unreachable scheduler is only
        logged: the server serves, and each submit tries again."""
        self._progress_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-dask-progress")
        if not self.scheduler_address and self.cluster is None:
            self.cluster = distributed.LocalCluster(
                n_workers=self.n_workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
        try:
            self._connected()
        except OSError as exc:
            log.warning("Cluster Studio: the Dask scheduler %s cannot be reached (%s)", self.address, exc)

    def shutdown(self) -> None:
        with self._lock:
            handles = list(self._handles.values())
        for handle in handles:
            handle.cancel_requested = True
            handle.resolve(NodeResult(status=RunStatus.CANCELLED, log="Cancelled: the server is stopping."))
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=10)
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=30)
            self.cluster = None
        if self._progress_thread is not None:
            self._progress_thread.shutdown(wait=False)

    def _connected(self, timeout: float = CONNECT_TIMEOUT_S, warm_up_now: bool = True) -> distributed.Client:
        """The client, or a fresh one if there is none or the old one lost its scheduler for good
        (OSError if the scheduler cannot be reached within `timeout`). A fresh client registers the
        warm-up: waiting for the workers' warm-up with `warm_up_now`, else on a thread of its own."""
        client = self.client
        if client is not None and client.status == "running":
            return client
        if not self._connecting.acquire(timeout=timeout):
            raise OSError("still connecting")
        try:
            if self.client is not None and self.client.status == "running":
                return self.client
            if self.client is not None:
                with contextlib.suppress(Exception):
                    self.client.close(timeout=2)
                self.client = None
            try:
                client = distributed.Client(self.address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise OSError(str(exc) or type(exc).__name__) from exc
            client.subscribe_topic(self.topic, self._on_event)
            client.subscribe_topic(WARM_UP_PLUGIN, _log_warm_up)
            if warm_up_now:
                self._register_warm_up(client)
            else:
                threading.Thread(target=self._register_warm_up, args=(client,), daemon=True).start()
            self.client = client
            return client
        finally:
            self._connecting.release()

    def _register_warm_up(self, client: distributed.Client) -> None:
        try:
            client.register_plugin(WarmUpPlugin(self.warm_up), name=WARM_UP_PLUGIN)
        except Exception as exc:  # warming up is an optimisation only
            log.warning("Cluster Studio: the Dask workers' warm-up failed: %s", exc)

    # ---- tasks -----------------------------------------------------------------------------------
    def submit(self, task: Task, on_progress: Callable[[float], None]) -> DaskTaskHandle:
        handle = DaskTaskHandle(self, task, on_progress)
        try:
            client = self._connected()
        except OSError as exc:
            handle.future.set_result(self.unreachable(str(exc)))
            return handle
        handle.client = client
        with self._lock:
            self._handles[handle.key] = handle
        try:
            handle.dask_future = client.submit(
                run_on_worker, task, handle.key, self.topic, handle.stop_event, key=handle.key, pure=False
            )
        except Exception as exc:
            handle.resolve(self.unreachable(str(exc)))
            return handle
        handle.dask_future.add_done_callback(handle.on_done)
        return handle

    def unreachable(self, why: str) -> NodeResult:
        return NodeResult(
            status=RunStatus.FAILED,
            error={
                "code": UNREACHABLE,
                "message": f"The compute cluster (Dask scheduler {self.address}) cannot be reached: {why}. "
                "The node did not run to its end; run it again once the cluster is back.",
            },
        )

    def forget(self, handle: DaskTaskHandle) -> None:
        with self._lock:
            self._handles.pop(handle.key, None)
        if handle.cancel_requested and handle.client is not None:
            with contextlib.suppress(Exception):
                distributed.Event(handle.stop_event, client=handle.client).clear()

    def after_events(self, deliver: Callable[[NodeResult], None], result: NodeResult) -> None:
        """Deliver `result` after the task's events that came before it (its last progress first)."""
        try:
            assert self._progress_thread is not None
            self._progress_thread.submit(deliver, result)
        except (AssertionError, RuntimeError):  # not started, or shut down meanwhile
            deliver(result)

    def _on_event(self, event: tuple[float, dict[str, Any]]) -> None:
        """On the client's event loop: hand the message to its task's handle on the progress thread."""
        message = event[1]
        handle = self._handles.get(message.get("key", ""))
        if handle is not None and self._progress_thread is not None:
            with contextlib.suppress(RuntimeError):  # shut down meanwhile
                self._progress_thread.submit(handle.on_event, message)

    # ---- health ----------------------------------------------------------------------------------
    def describe(self) -> ExecutorState:
        """How many workers the scheduler has: a short round trip (a fresh client if need be), 0 and
        "unreachable" if it fails."""
        try:
            client = self._connected(timeout=HEALTH_TIMEOUT_S, warm_up_now=False)
            scheduler: Any = client.scheduler
            identity = client.sync(scheduler.identity, n_workers=0, callback_timeout=HEALTH_TIMEOUT_S)
        except Exception:
            return ExecutorState(executor="dask", workers=0, status="unreachable")
        return ExecutorState(executor="dask", workers=int(identity["n_workers"]), status="ok")

    def worker_pids(self) -> dict[str, int]:
        """Each worker's address → its process id."""
        return dict(self._connected().run(os.getpid))


def _log_warm_up(event: tuple[float, dict[str, str]]) -> None:
    message = event[1]
    log.info("Dask worker %s %s", message.get("worker"), message.get("detail"))
