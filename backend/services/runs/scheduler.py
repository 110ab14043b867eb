"""The coordinator of one run: which node goes next, how many run at once, and stopping.

It runs in its own thread. It submits every node whose inputs are ready to the executor (so independent
nodes run in parallel), reuses the output of an earlier node run with the same signature instead of
running a node again, marks what cannot run any more as cancelled, and on a cancel stops what runs.
Every state change goes to the database (:mod:`.records`) and to the event stream (:mod:`.events`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field

from backend.core.status import RunStatus
from backend.executor import ArtefactRef, Executor, NodeResult, NodeTask, TaskHandle
from backend.services.runs.events import DELETED, RunEvents, node_event, progress_event, run_event
from backend.services.runs.planning import RunPlan, graph_maps
from backend.services.runs.records import NodeChange, RunRecords

log = logging.getLogger(__name__)

PROGRESS_DB_INTERVAL_S = 0.5
#: How long the coordinator waits for a node to finish before it looks at cancels again.
POLL_S = 0.2


@dataclass
class LiveRun:
    """What the coordinator of a run shares with the threads that cancel it or ask how far it got."""

    run_id: int
    #: node id → primary key of its NodeRun row; every write goes through these (never reused) ids.
    node_run_ids: dict[str, int] = field(default_factory=dict)
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    #: Set when the run's rows were deleted under it: from then on the coordinator writes nothing.
    gone: bool = False
    handles: dict[str, TaskHandle] = field(default_factory=dict)
    progress: dict[str, float] = field(default_factory=dict)
    #: Artefact keys recorded as this run's outputs (released if the run is deleted under it).
    recorded_keys: set[str] = field(default_factory=set)


def final_status(states: Iterable[RunStatus], cancel_requested: bool) -> RunStatus:
    """A run failed if a node failed, was cancelled if a node was (or a cancel came), else succeeded."""
    seen = set(states)
    if RunStatus.FAILED in seen:
        return RunStatus.FAILED
    if cancel_requested or RunStatus.CANCELLED in seen:
        return RunStatus.CANCELLED
    return RunStatus.SUCCEEDED


REUSED = "Reused the output of an earlier identical run. Its log:"


def reused_log(earlier: str) -> str:
    """A reusing node's log: the reuse, then the log of the node run that computed the output (without
    its own reuse line, when it reused it too)."""
    own = earlier.removeprefix(REUSED).lstrip("\n")
    return f"{REUSED}\n{own}".rstrip("\n")


class RunCoordinator:
    def __init__(
        self,
        live: LiveRun,
        plan: RunPlan,
        *,
        records: RunRecords,
        events: RunEvents,
        executor: Executor,
        on_exit: Callable[[LiveRun], None],
    ) -> None:
        self.live = live
        self.plan = plan
        self.records = records
        self.events = events
        self.executor = executor
        self.on_exit = on_exit
        self.nodes, self.inputs = graph_maps(plan.graph)
        self.state = dict.fromkeys(plan.order, RunStatus.QUEUED)
        self.outputs: dict[str, dict[str, ArtefactRef]] = {}

    def cancel(self) -> None:
        """Stop the run: nothing more starts, and what runs is asked to stop."""
        self.live.cancel.set()
        for handle in list(self.live.handles.values()):
            handle.cancel()

    def drive(self) -> None:
        """The thread's body: run the run to its end, whatever happens."""
        try:
            self._execute()
        except Exception as exc:  # a bug here must still end the run
            log.exception("run %s failed in the coordinator", self.live.run_id)
            if not self.live.gone:
                self._finish(RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        finally:
            self.on_exit(self.live)
            self.live.finished.set()

    def _execute(self) -> None:
        live = self.live
        if not self.records.start(live.run_id):
            live.gone = True  # deleted before it started
            self._abandon()
            return
        self.events.publish(live.run_id, run_event(live.run_id, RunStatus.RUNNING))
        while not live.gone:
            if live.cancel.is_set():
                self._cancel_queued()
            for node_id in self.plan.order:
                if self.state[node_id] == RunStatus.QUEUED:
                    self._advance(node_id)
            if not live.handles:
                break
            self._collect_finished()
        if live.gone:
            self._abandon()
            return
        self._finish(final_status(self.state.values(), live.cancel.is_set()))

    # ---- which node next ---------------------------------------------------------------------------
    def _cancel_queued(self) -> None:
        for node_id, status in self.state.items():
            if status == RunStatus.QUEUED:
                self._set(
                    node_id, NodeChange(RunStatus.CANCELLED, finished=True, log="Cancelled before it ran.")
                )

    def _advance(self, node_id: str) -> None:
        """Start a queued node whose inputs are all ready; cancel it if one of them cannot come."""
        upstream = [self.state[src] for src, _ in self.inputs[node_id].values()]
        if any(status in (RunStatus.FAILED, RunStatus.CANCELLED) for status in upstream):
            self._set(
                node_id, NodeChange(RunStatus.CANCELLED, finished=True, log="Not run: an input failed.")
            )
        elif all(status == RunStatus.SUCCEEDED for status in upstream) and not self._reuse(node_id):
            self._submit(node_id)

    def _reuse(self, node_id: str) -> bool:
        """Take the outputs of an earlier identical node run, if there is one."""
        found = self.records.cached_outputs(self.plan.signatures.get(node_id))
        if found is None:
            return False
        cached, earlier_log = found
        self.outputs[node_id] = cached
        self._set(
            node_id,
            NodeChange(
                RunStatus.SUCCEEDED,
                cached=True,
                outputs=cached,
                started=True,
                finished=True,
                duration_ms=0.0,
                progress=1.0,
                log=reused_log(earlier_log),
            ),
        )
        return True

    def _submit(self, node_id: str) -> None:
        node = self.nodes[node_id]
        task = NodeTask(
            task_id=f"{self.live.run_id}:{node_id}",
            module_id=node["module"],
            params=node.get("params", {}),
            inputs={
                port: self.outputs[src][src_port] for port, (src, src_port) in self.inputs[node_id].items()
            },
            dataset_sources=self.plan.dataset_sources,
            model_sources=self.plan.model_sources,
            artefact_root=str(self.records.store.root),
            artefacts_url=self.records.store.url,
        )
        self._set(node_id, NodeChange(RunStatus.RUNNING, started=True, progress=0.0))
        self.live.handles[node_id] = self.executor.submit(task, self._progress_callback(node_id))

    def _collect_finished(self) -> None:
        """Wait a little for running nodes, and record those that finished."""
        live = self.live
        by_future = {handle.future: node_id for node_id, handle in live.handles.items()}
        done, _ = wait(list(by_future), timeout=POLL_S, return_when=FIRST_COMPLETED)
        for future in done:
            node_id = by_future[future]
            del live.handles[node_id]
            result: NodeResult = future.result()
            if live.gone:
                self._discard(result)
            else:
                self._record_result(node_id, result)

    def _record_result(self, node_id: str, result: NodeResult) -> None:
        succeeded = result.status == RunStatus.SUCCEEDED
        if succeeded:
            self.outputs[node_id] = result.outputs
        self._set(
            node_id,
            NodeChange(
                result.status,
                outputs=result.outputs or None,
                finished=True,
                duration_ms=result.duration_ms,
                timings=result.timings,
                log=result.log,
                error=result.error,
                progress=1.0 if succeeded else None,
                warnings=result.warnings,
            ),
        )

    # ---- recording and publishing ------------------------------------------------------------------
    def _set(self, node_id: str, change: NodeChange) -> None:
        """The node's new state: in the coordinator, the database and the events (unless the run is gone)."""
        live = self.live
        self.state[node_id] = change.status
        if live.gone:
            return
        if change.progress is not None:
            live.progress[node_id] = change.progress
        if change.outputs:  # known before writing, so a run deleted meanwhile still releases them
            live.recorded_keys.update(ref.key for ref in change.outputs.values())
        public = self.records.save_node(live.node_run_ids[node_id], change)
        if public is None:  # the experiment (and with it this run) was deleted
            live.gone = True
            live.cancel.set()
            return
        self.events.publish(live.run_id, node_event(public, change.warnings))

    def _progress_callback(self, node_id: str) -> Callable[[float], None]:
        live, node_run_id = self.live, self.live.node_run_ids[node_id]
        last_db = 0.0

        def on_progress(fraction: float) -> None:
            nonlocal last_db
            live.progress[node_id] = fraction
            self.events.publish(live.run_id, progress_event(node_id, fraction))
            now = time.monotonic()
            if now - last_db >= PROGRESS_DB_INTERVAL_S:
                last_db = now
                self.records.save_progress(node_run_id, fraction)

        return on_progress

    def _finish(self, status: RunStatus, error: str | None = None) -> None:
        self.records.finish(self.live.run_id, status, error)
        self.events.close(self.live.run_id, run_event(self.live.run_id, status, final=True))

    # ---- a run deleted under its coordinator -------------------------------------------------------
    def _discard(self, result: NodeResult) -> None:
        """Outputs computed for a run that no longer exists are deleted, never recorded."""
        for ref in result.outputs.values():
            self.records.store.delete_key(ref.key)

    def _abandon(self) -> None:
        """The run was deleted while it ran: stop what still runs, drop what it produced, write nothing."""
        live = self.live
        for handle in list(live.handles.values()):
            handle.cancel()
        for node_id, handle in list(live.handles.items()):
            try:
                self._discard(handle.future.result(timeout=30))
            except Exception:  # a worker that never answers is replaced by the pool; nothing to drop
                log.warning("run %s: node %s did not stop after its run was deleted", live.run_id, node_id)
        live.handles.clear()
        self.records.release_artefacts(live.recorded_keys)
        self.events.close(live.run_id, run_event(live.run_id, DELETED, final=True))
