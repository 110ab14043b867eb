"""The run manager: the one object the API and the server's lifecycle talk to about runs.

It records a new run (:mod:`.planning` decides it, :mod:`.records` writes it), hands it to a
:class:`~.scheduler.RunCoordinator` thread, and answers for the runs live in this process: cancel, stop
and wait, live progress. At start-up it marks runs a stopped server left behind and drops artefacts
nothing refers to.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from backend.core.config import Settings
from backend.executor import ArtefactStore, Executor
from backend.models import Experiment, Run, User
from backend.services.runs.events import RunEvents
from backend.services.runs.planning import plan_run
from backend.services.runs.records import RunRecords
from backend.services.runs.scheduler import LiveRun, RunCoordinator
from backend.services.stored_files import remove_stored

log = logging.getLogger(__name__)


class RunManager:
    def __init__(self, sessions: sessionmaker, settings: Settings, executor: Executor) -> None:
        self.sessions = sessions
        self.settings = settings
        self.executor = executor
        self.store = ArtefactStore(settings.artefact_dir, settings.artefacts_url)
        self.records = RunRecords(sessions, self.store)
        self.events = RunEvents()
        self._live: dict[int, RunCoordinator] = {}
        self._lock = threading.Lock()

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self.records.mark_interrupted()
        self.collect_garbage()
        self.executor.start()

    def shutdown(self) -> None:
        with self._lock:
            live = list(self._live.values())
        for coordinator in live:
            coordinator.live.cancel.set()
        self.executor.shutdown()

    def collect_garbage(self) -> None:
        """At start-up (nothing runs): drop artefacts no node run references, e.g. of deleted experiments."""
        referenced = self.records.referenced_keys()
        if self.store.remote is None:
            removed = self.store.collect_garbage(referenced)
        else:  # the shared location out of reach does not keep the studio from starting: runs say so
            removed = 0
            try:
                removed = self.store.collect_garbage(referenced)
                if uploaded := self.store.upload_missing():
                    log.info("put %d artefact files at %s", uploaded, self.settings.artefacts_url)
            except Exception as exc:
                log.warning("artefacts at %s not cleaned up: %s", self.settings.artefacts_url, exc)
        for leftover in (self.settings.data_dir / "tmp").glob("*"):
            remove_stored(leftover)  # uploads cut off by a stop (a parsed one may be a folder of parts)
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
        plan = plan_run(session, self.settings, graph, selected)
        run, node_run_ids = self.records.create(session, experiment, user, plan)
        coordinator = RunCoordinator(
            LiveRun(run.id, node_run_ids=node_run_ids),
            plan,
            records=self.records,
            events=self.events,
            executor=self.executor,
            on_exit=self._forget,
        )
        with self._lock:
            self._live[run.id] = coordinator
        self.events.open(run.id)
        threading.Thread(target=coordinator.drive, name=f"run-{run.id}", daemon=True).start()
        return run

    def cancel(self, run_id: int) -> bool:
        with self._lock:
            coordinator = self._live.get(run_id)
        if coordinator is None:
            return False
        coordinator.cancel()
        return True

    def stop_runs(self, run_ids: list[int], timeout: float = 10.0) -> None:
        """Cancel these runs and wait until their coordinators have stopped (before deleting them)."""
        with self._lock:
            live = [self._live[run_id] for run_id in run_ids if run_id in self._live]
        for coordinator in live:
            coordinator.cancel()
        deadline = time.monotonic() + timeout
        for coordinator in live:
            # A coordinator that outlives the wait still writes nothing once its rows are gone.
            coordinator.live.finished.wait(max(0.0, deadline - time.monotonic()))

    def release_artefacts(self, keys: set[str]) -> int:
        """Delete the stored outputs among `keys` that no remaining node run refers to."""
        return self.records.release_artefacts(keys)

    def is_live(self, run_id: int) -> bool:
        """Whether a coordinator in this process still drives the run."""
        with self._lock:
            return run_id in self._live

    def live_progress(self, run_id: int) -> dict[str, float]:
        with self._lock:
            coordinator = self._live.get(run_id)
            return dict(coordinator.live.progress) if coordinator else {}

    def _forget(self, live: LiveRun) -> None:
        with self._lock:
            self._live.pop(live.run_id, None)
