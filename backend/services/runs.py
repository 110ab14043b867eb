"""Runs: reuse cached outputs, execute the rest through the executor, record everything.

A coordinator thread drives each run: it submits every node whose inputs are ready, reuses the output
of an earlier successful node with the same signature (module, version, filled parameters, and the
signatures of its whole ancestry), records status/progress/timings/logs in the database and publishes
each change for the Server-Sent Events stream.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import modules
from backend.core.config import Settings
from backend.executor import ArtefactRef, ArtefactStore, Executor, NodeResult, NodeTask, TaskHandle
from backend.executor.task import SAMPLE_SOURCE
from backend.models import Dataset, Experiment, NodeRun, NodeRunDataset, Run, User, utcnow
from backend.services.datasets import SAMPLE_IDS, dataset_path
from backend.services.events import RunEvents
from backend.services.run_planning import (
    dataset_fingerprints,
    graph_maps,
    node_signatures,
    plan_nodes,
    upload_lineage,
    uploaded,
)

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
PROGRESS_DB_INTERVAL_S = 0.5


def node_public(row: NodeRun, live_progress: float | None = None) -> dict[str, Any]:
    error = {"code": row.error_code, "message": row.error_message or ""} if row.error_code else None
    outputs = {port: ref["type"] for port, ref in (row.outputs or {}).items()}
    return {
        "node_id": row.node_id,
        "module": row.module_id,
        "status": row.status,
        "cached": row.cached,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "duration_ms": row.duration_ms,
        "progress": live_progress if live_progress is not None else row.progress,
        "error": error,
        "outputs": outputs,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class _LiveRun:
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


class RunManager:
    def __init__(self, sessions: sessionmaker, settings: Settings, executor: Executor) -> None:
        self.sessions = sessions
        self.settings = settings
        self.executor = executor
        self.store = ArtefactStore(settings.artefact_dir)
        self.events = RunEvents()
        self._live: dict[int, _LiveRun] = {}
        self._lock = threading.Lock()

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self.mark_interrupted()
        self.collect_garbage()
        self.executor.start()

    def shutdown(self) -> None:
        with self._lock:
            live = list(self._live.values())
        for run in live:
            run.cancel.set()
        self.executor.shutdown()

    def mark_interrupted(self) -> None:
        """Runs left queued or running by a previous server process did not finish: say so."""
        with self.sessions() as session:
            session.execute(update(Run).where(Run.status.in_(ACTIVE)).values(status="interrupted"))
            session.execute(
                update(NodeRun)
                .where(NodeRun.status.in_(ACTIVE))
                .values(
                    status="interrupted",
                    error_code="0039",
                    error_message="The server stopped during the run.",
                )
            )
            session.commit()

    def collect_garbage(self) -> None:
        """At start-up (nothing runs): drop artefacts no node run references, e.g. of deleted experiments."""
        with self.sessions() as session:
            referenced = {
                ref["key"]
                for outputs in session.scalars(select(NodeRun.outputs).where(NodeRun.outputs.is_not(None)))
                for ref in (outputs or {}).values()
            }
        removed = self.store.collect_garbage(referenced)
        for leftover in (self.settings.data_dir / "tmp").glob("*"):
            leftover.unlink(missing_ok=True)  # uploads cut off by a stop
            removed += 1
        if removed:
            log.info("removed %d unreferenced files", removed)

    # ---- requests --------------------------------------------------------------------------------
    def create_run(
        self,
        session: Session,
        experiment: Experiment,
        user: User,
        graph: dict[str, Any],
        selected: list[str] | None,
    ) -> Run:
        """Record a queued run of `graph` and start driving it; returns at once."""
        order = plan_nodes(graph, selected)
        fingerprints = dataset_fingerprints(session, graph)
        signatures = node_signatures(graph, order, fingerprints)
        nodes, _ = graph_maps(graph)
        run = Run(
            experiment_id=experiment.id,
            experiment_version=experiment.version,
            status="queued",
            requested_nodes=selected or None,
            created_by_id=user.id,
        )
        session.add(run)
        session.flush()
        rows: dict[str, NodeRun] = {}
        for node_id in order:
            declaration = modules.registry.get(nodes[node_id]["module"])
            rows[node_id] = NodeRun(
                run_id=run.id,
                node_id=node_id,
                module_id=declaration.id,
                module_version=str(declaration.version),
                signature=signatures[node_id],
                status="queued",
            )
        session.add_all(rows.values())
        session.flush()
        for node_id, dataset_ids in upload_lineage(graph, order, uploaded(fingerprints)).items():
            session.add_all(NodeRunDataset(node_run_id=rows[node_id].id, dataset_id=d) for d in dataset_ids)
        session.commit()
        live = _LiveRun(run.id, node_run_ids={node_id: row.id for node_id, row in rows.items()})
        with self._lock:
            self._live[run.id] = live
        self.events.open(run.id)
        threading.Thread(
            target=self._drive, args=(live, graph, order), name=f"run-{run.id}", daemon=True
        ).start()
        return run

    def cancel(self, run_id: int) -> bool:
        with self._lock:
            live = self._live.get(run_id)
        if live is None:
            return False
        live.cancel.set()
        for handle in list(live.handles.values()):
            handle.cancel()
        return True

    def stop_runs(self, run_ids: list[int], timeout: float = 10.0) -> None:
        """Cancel these runs and wait until their coordinators have stopped (before deleting them)."""
        with self._lock:
            live = [self._live[run_id] for run_id in run_ids if run_id in self._live]
        for run in live:
            self.cancel(run.run_id)
        deadline = time.monotonic() + timeout
        for run in live:
            # A coordinator that outlives the wait still writes nothing once its rows are gone.
            run.finished.wait(max(0.0, deadline - time.monotonic()))

    def release_artefacts(self, keys: set[str]) -> int:
        """Delete the stored outputs among `keys` that no remaining node run refers to."""
        with self.sessions() as session:
            still_used = {
                key
                for key in keys
                if session.scalar(
                    select(NodeRun.id).where(cast(NodeRun.outputs, String).contains(key)).limit(1)
                )
                is not None
            }
        released = keys - still_used
        for key in released:
            self.store.delete_key(key)
        return len(released)

    def is_live(self, run_id: int) -> bool:
        """Whether a coordinator in this process still drives the run."""
        with self._lock:
            return run_id in self._live

    def live_progress(self, run_id: int) -> dict[str, float]:
        with self._lock:
            live = self._live.get(run_id)
            return dict(live.progress) if live else {}

    # ---- the coordinator -------------------------------------------------------------------------
    def _drive(self, live: _LiveRun, graph: dict[str, Any], order: list[str]) -> None:
        try:
            self._execute(live, graph, order)
        except Exception as exc:  # a bug here must still end the run
            log.exception("run %s failed in the coordinator", live.run_id)
            if not live.gone:
                self._finish_run(live, "failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._live.pop(live.run_id, None)
            live.finished.set()

    def _execute(self, live: _LiveRun, graph: dict[str, Any], order: list[str]) -> None:
        nodes, inputs = graph_maps(graph)
        with self.sessions() as session:
            started = session.execute(
                update(Run).where(Run.id == live.run_id).values(status="running", started_at=utcnow())
            )
            session.commit()
            if started.rowcount != 1:  # type: ignore[attr-defined]
                live.gone = True  # deleted before it started
                self._abandon(live)
                return
            rows = {
                r.node_id: r for r in session.scalars(select(NodeRun).where(NodeRun.run_id == live.run_id))
            }
            signatures = {node_id: rows[node_id].signature for node_id in order}
            sources = self._dataset_sources(session, graph)
        self._publish_run(live, "running")

        outputs: dict[str, dict[str, ArtefactRef]] = {}
        state = {node_id: "queued" for node_id in order}
        while not live.gone:
            if live.cancel.is_set():
                for node_id, status in state.items():
                    if status == "queued":
                        state[node_id] = "cancelled"
                        self._record(
                            live, node_id, status="cancelled", finished=True, log="Cancelled before it ran."
                        )
            for node_id in order:
                if state[node_id] != "queued":
                    continue
                upstream = inputs[node_id].values()
                if any(state[src] in ("failed", "cancelled") for src, _ in upstream):
                    state[node_id] = "cancelled"
                    self._record(
                        live, node_id, status="cancelled", finished=True, log="Not run: an input failed."
                    )
                    continue
                if not all(state[src] == "succeeded" for src, _ in upstream):
                    continue
                cached = self._cached_outputs(signatures[node_id])
                if cached is not None:
                    state[node_id], outputs[node_id] = "succeeded", cached
                    self._record(
                        live,
                        node_id,
                        status="succeeded",
                        cached=True,
                        outputs=cached,
                        started=True,
                        finished=True,
                        duration_ms=0.0,
                        progress=1.0,
                        log="Reused the output of an earlier identical run.",
                    )
                    continue
                task = NodeTask(
                    task_id=f"{live.run_id}:{node_id}",
                    module_id=nodes[node_id]["module"],
                    params=nodes[node_id].get("params", {}),
                    inputs={
                        port: outputs[src][src_port] for port, (src, src_port) in inputs[node_id].items()
                    },
                    dataset_sources=sources,
                    artefact_root=str(self.store.root),
                )
                state[node_id] = "running"
                self._record(live, node_id, status="running", started=True, progress=0.0)
                live.handles[node_id] = self.executor.submit(task, self._progress_callback(live, node_id))
            if not live.handles:
                break
            by_future = {handle.future: node_id for node_id, handle in live.handles.items()}
            done, _ = wait(list(by_future), timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                node_id = by_future[future]
                del live.handles[node_id]
                result: NodeResult = future.result()
                if live.gone:
                    self._discard(result)
                    continue
                state[node_id] = result.status
                if result.status == "succeeded":
                    outputs[node_id] = result.outputs
                self._record(
                    live,
                    node_id,
                    status=result.status,
                    outputs=result.outputs or None,
                    finished=True,
                    duration_ms=result.duration_ms,
                    log=result.log,
                    error=result.error,
                    progress=1.0 if result.status == "succeeded" else None,
                    warnings=result.warnings,
                )
        if live.gone:
            self._abandon(live)
            return
        statuses = set(state.values())
        if "failed" in statuses:
            final = "failed"
        elif live.cancel.is_set() or "cancelled" in statuses:
            final = "cancelled"
        else:
            final = "succeeded"
        self._finish_run(live, final)

    def _dataset_sources(self, session: Session, graph: dict[str, Any]) -> dict[str, str]:
        from backend.services.experiments import dataset_ids_in

        sources: dict[str, str] = {}
        for dataset_id in dataset_ids_in(graph):
            if dataset_id in SAMPLE_IDS:
                sources[dataset_id] = SAMPLE_SOURCE
            elif (row := session.get(Dataset, dataset_id)) is not None:
                sources[dataset_id] = str(dataset_path(self.settings, row.storage_key))
        return sources

    def _cached_outputs(self, signature: str | None) -> dict[str, ArtefactRef] | None:
        if signature is None:
            return None
        with self.sessions() as session:
            candidates = session.scalars(
                select(NodeRun.outputs)
                .where(
                    NodeRun.signature == signature,
                    NodeRun.status == "succeeded",
                    NodeRun.outputs.is_not(None),
                )
                .order_by(NodeRun.id.desc())
                .limit(3)
            )
            for stored in candidates:
                refs = {port: ArtefactRef.from_json(ref) for port, ref in (stored or {}).items()}
                if refs and all(self.store.exists(ref) for ref in refs.values()):
                    return refs
        return None

    def _progress_callback(self, live: _LiveRun, node_id: str):  # type: ignore[no-untyped-def]
        last_db = [0.0]

        def on_progress(fraction: float) -> None:
            live.progress[node_id] = fraction
            self.events.publish(
                live.run_id, {"type": "node", "node_id": node_id, "status": "running", "progress": fraction}
            )
            now = time.monotonic()
            if now - last_db[0] >= PROGRESS_DB_INTERVAL_S:
                last_db[0] = now
                with self.sessions() as session:
                    session.execute(
                        update(NodeRun)
                        .where(NodeRun.id == live.node_run_ids[node_id])
                        .values(progress=fraction)
                    )
                    session.commit()

        return on_progress

    def _record(
        self,
        live: _LiveRun,
        node_id: str,
        *,
        status: str,
        cached: bool = False,
        outputs: dict[str, ArtefactRef] | None = None,
        started: bool = False,
        finished: bool = False,
        duration_ms: float | None = None,
        progress: float | None = None,
        log: str | None = None,
        error: dict[str, str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        """Write one node's new state and publish it (nothing, if the run was deleted meanwhile)."""
        if live.gone:
            return
        with self.sessions() as session:
            row = session.get(NodeRun, live.node_run_ids[node_id])
            if row is None:  # the experiment (and with it this run) was deleted
                live.gone = True
                live.cancel.set()
                return
            now = utcnow()
            row.status, row.cached = status, cached
            if started and row.started_at is None:
                row.started_at = now
            if finished:
                row.finished_at = now
            if duration_ms is not None:
                row.duration_ms = duration_ms
            elif finished and row.started_at is not None:
                started_at = (
                    row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=now.tzinfo)
                )
                row.duration_ms = (now - started_at).total_seconds() * 1000
            if progress is not None:
                row.progress = progress
                live.progress[node_id] = progress
            if outputs is not None:
                row.outputs = {port: ref.to_json() for port, ref in outputs.items()}
                live.recorded_keys.update(ref.key for ref in outputs.values())
            if log:
                row.log = (row.log + "\n" + log).strip() if row.log else log
            if error:
                row.error_code, row.error_message = error.get("code"), error.get("message")
            try:
                session.commit()
            except StaleDataError:  # deleted between reading the row and writing it
                session.rollback()
                live.gone = True
                live.cancel.set()
                return
            event = {"type": "node", **node_public(row)}
            if warnings:
                event["warnings"] = warnings
        event["started_at"], event["finished_at"] = _iso(event["started_at"]), _iso(event["finished_at"])
        self.events.publish(live.run_id, event)

    def _discard(self, result: NodeResult) -> None:
        """Outputs computed for a run that no longer exists are deleted, never recorded."""
        for ref in result.outputs.values():
            self.store.delete_key(ref.key)

    def _abandon(self, live: _LiveRun) -> None:
        """The run was deleted while it ran: stop what still runs, drop what it produced, write nothing."""
        for handle in list(live.handles.values()):
            handle.cancel()
        for node_id, handle in list(live.handles.items()):
            try:
                self._discard(handle.future.result(timeout=30))
            except Exception:  # a worker that never answers is replaced by the pool; nothing to drop
                log.warning("run %s: node %s did not stop after its run was deleted", live.run_id, node_id)
        live.handles.clear()
        self.release_artefacts(live.recorded_keys)
        self.events.close(
            live.run_id, {"type": "run", "run_id": live.run_id, "status": "deleted", "final": True}
        )

    def _publish_run(self, live: _LiveRun, status: str) -> None:
        self.events.publish(live.run_id, {"type": "run", "run_id": live.run_id, "status": status})

    def _finish_run(self, live: _LiveRun, status: str, error: str | None = None) -> None:
        with self.sessions() as session:
            session.execute(
                update(Run)
                .where(Run.id == live.run_id)
                .values(status=status, finished_at=utcnow(), error=error)
            )
            session.commit()
        self.events.close(
            live.run_id, {"type": "run", "run_id": live.run_id, "status": status, "final": True}
        )
