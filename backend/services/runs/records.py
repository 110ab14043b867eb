"""The database side of runs: run and node-run rows, their statuses, the outputs they recorded (and which
stored artefacts those are), and the uploaded datasets each output was computed from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import modules
from backend.core.status import ACTIVE, RunStatus
from backend.executor import ArtefactRef, ArtefactStore
from backend.models import Experiment, NodeRun, NodeRunDataset, Run, User, utcnow
from backend.services.runs.planning import RunPlan


def node_public(row: NodeRun, live_progress: float | None = None) -> dict[str, Any]:
    """A node run as the API shows it (`NodeRunPublic`)."""
    error = {"code": row.error_code, "message": row.error_message or ""} if row.error_code else None
    outputs = {port: ref["type"] for port, ref in (row.outputs or {}).items()}
    return {
        "node_id": row.node_id,
        "module": row.module_id,
        "status": row.status,
        "cached": row.cached,
        "signature": row.signature,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "duration_ms": row.duration_ms,
        "progress": live_progress if live_progress is not None else row.progress,
        "error": error,
        "outputs": outputs,
        "timings": row.timings,
    }


@dataclass(frozen=True)
class NodeChange:
    """A node's new state: what its row gets (and `warnings`, which only the event carries)."""

    status: RunStatus
    cached: bool = False
    outputs: dict[str, ArtefactRef] | None = None
    #: Set `started_at` (unless already set) / `finished_at` to now.
    started: bool = False
    finished: bool = False
    #: As measured by the worker; else, when finished, the time since `started_at`.
    duration_ms: float | None = None
    #: Where the worker's time went (:meth:`backend.executor.timing.NodeTimings.to_json`).
    timings: dict[str, float] | None = None
    progress: float | None = None
    #: Appended to the node's log.
    log: str | None = None
    error: dict[str, str] | None = None
    warnings: list[str] = field(default_factory=list)

    def apply(self, row: NodeRun, now: datetime) -> None:
        row.status, row.cached = self.status, self.cached
        self._apply_times(row, now)
        if self.progress is not None:
            row.progress = self.progress
        if self.outputs is not None:
            row.outputs = {port: ref.to_json() for port, ref in self.outputs.items()}
        if self.log:
            row.log = (row.log + "\n" + self.log).strip() if row.log else self.log
        if self.error:
            row.error_code, row.error_message = self.error.get("code"), self.error.get("message")

    def _apply_times(self, row: NodeRun, now: datetime) -> None:
        if self.started and row.started_at is None:
            row.started_at = now
        if self.finished:
            row.finished_at = now
        if self.timings is not None:
            row.timings = self.timings
        if self.duration_ms is not None:
            row.duration_ms = self.duration_ms
        elif self.finished and row.started_at is not None:
            started_at = (
                row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=now.tzinfo)
            )
            row.duration_ms = (now - started_at).total_seconds() * 1000


class RunRecords:
    """Reads and writes the rows of runs; every write of a running run goes through a node run's id."""

    def __init__(self, sessions: sessionmaker, store: ArtefactStore) -> None:
        self.sessions = sessions
        self.store = store

    def create(
        self, session: Session, experiment: Experiment, user: User, plan: RunPlan
    ) -> tuple[Run, dict[str, int]]:
        """A queued run and its queued node runs with their lineage: the run and `{node id: node run id}`."""
        run = Run(
            experiment_id=experiment.id,
            experiment_version=experiment.version,
            status=RunStatus.QUEUED,
            requested_nodes=plan.requested or None,
            created_by_id=user.id,
        )
        session.add(run)
        session.flush()
        nodes = {node["id"]: node for node in plan.graph.get("nodes", [])}
        rows: dict[str, NodeRun] = {}
        for node_id in plan.order:
            declaration = modules.registry.get(nodes[node_id]["module"])
            rows[node_id] = NodeRun(
                run_id=run.id,
                node_id=node_id,
                module_id=declaration.id,
                module_version=str(declaration.version),
                signature=plan.signatures.get(node_id),
                status=RunStatus.QUEUED,
            )
        session.add_all(rows.values())
        session.flush()
        for node_id, dataset_ids in plan.lineage.items():
            session.add_all(NodeRunDataset(node_run_id=rows[node_id].id, dataset_id=d) for d in dataset_ids)
        session.commit()
        return run, {node_id: row.id for node_id, row in rows.items()}

    def mark_interrupted(self) -> None:
        """Runs left queued or running by a previous server process did not finish: say so."""
        with self.sessions() as session:
            session.execute(update(Run).where(Run.status.in_(ACTIVE)).values(status=RunStatus.INTERRUPTED))
            session.execute(
                update(NodeRun)
                .where(NodeRun.status.in_(ACTIVE))
                .values(
                    status=RunStatus.INTERRUPTED,
                    error_code="0039",
                    error_message="The server stopped during the run.",
                )
            )
            session.commit()

    def start(self, run_id: int) -> bool:
        """Mark the run running; False if it was deleted before it started."""
        with self.sessions() as session:
            started = session.execute(
                update(Run).where(Run.id == run_id).values(status=RunStatus.RUNNING, started_at=utcnow())
            )
            session.commit()
            return started.rowcount == 1  # type: ignore[attr-defined]

    def finish(self, run_id: int, status: RunStatus, error: str | None = None) -> None:
        with self.sessions() as session:
            session.execute(
                update(Run).where(Run.id == run_id).values(status=status, finished_at=utcnow(), error=error)
            )
            session.commit()

    def save_node(self, node_run_id: int, change: NodeChange) -> dict[str, Any] | None:
        """Write a node's new state: the node as the API shows it, or None if its run was deleted."""
        with self.sessions() as session:
            row = session.get(NodeRun, node_run_id)
            if row is None:  # the experiment (and with it this run) was deleted
                return None
            change.apply(row, utcnow())
            try:
                session.commit()
            except StaleDataError:  # deleted between reading the row and writing it
                session.rollback()
                return None
            return node_public(row)

    def save_progress(self, node_run_id: int, fraction: float) -> None:
        with self.sessions() as session:
            session.execute(update(NodeRun).where(NodeRun.id == node_run_id).values(progress=fraction))
            session.commit()

    def cached_outputs(self, signature: str | None) -> tuple[dict[str, ArtefactRef], str] | None:
        """The outputs of an earlier successful node run with this signature, if still all stored, and
        that node run's log (what it computed them with: e.g. the seed it drew)."""
        if signature is None:
            return None
        with self.sessions() as session:
            candidates = session.execute(
                select(NodeRun.outputs, NodeRun.log)
                .where(
                    NodeRun.signature == signature,
                    NodeRun.status == RunStatus.SUCCEEDED,
                    NodeRun.outputs.is_not(None),
                )
                .order_by(NodeRun.id.desc())
                .limit(3)
            )
            for stored, log in candidates:
                refs = {port: ArtefactRef.from_json(ref) for port, ref in (stored or {}).items()}
                if refs and all(self.store.exists(ref) for ref in refs.values()):
                    return refs, log or ""
        return None

    def referenced_keys(self) -> set[str]:
        """The artefact keys any node run refers to."""
        with self.sessions() as session:
            return {
                ref["key"]
                for outputs in session.scalars(select(NodeRun.outputs).where(NodeRun.outputs.is_not(None)))
                for ref in (outputs or {}).values()
            }

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
