"""Batch jobs of scoring services: recorded here, executed by the run executor's worker processes.

A job's files live in ``<data>/services/batch/<job id>/`` (a server-chosen name): the caller's upload
(removed when the job ends) and ``result.parquet``. Progress is kept in memory while the job runs and
written to its row every half second. A job that a stopped server left queued or running is marked
interrupted at start-up, and folders no job refers to are removed.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from backend.core.config import Settings
from backend.core.status import ACTIVE, RunStatus
from backend.executor import Executor, NodeResult, TaskHandle
from backend.models import ServiceBatchJob
from backend.services.saved_models import model_path
from backend.services.web_services.batch_task import UPLOAD, BatchScoreTask
from backend.services.web_services.records import ServiceAccess

__all__ = ["BatchInput", "BatchJobs", "RESULT_FILE"]

log = logging.getLogger(__name__)

RESULT_FILE = "result.parquet"
PROGRESS_DB_INTERVAL_S = 0.5
INTERRUPTED = "The server stopped while this job was queued or running; send it again."


@dataclass(frozen=True)
class BatchInput:
    """What a job scores: ``source`` (upload, dataset, sample), the file or sample id, and the name
    the caller knows it by (the upload's file name or the dataset's id)."""

    source: str
    location: str
    name: str


class BatchJobs:
    def __init__(self, sessions: sessionmaker, settings: Settings, executor: Executor) -> None:
        self.sessions = sessions
        self.settings = settings
        self.executor = executor
        self.root = settings.data_dir / "services" / "batch"
        self._handles: dict[str, TaskHandle] = {}
        self._progress: dict[str, float] = {}
        self._lock = threading.Lock()

    def folder(self, job_id: str) -> Path:
        return self.root / str(uuid.UUID(job_id))  # a job id is a UUID; anything else is refused here

    def result_path(self, job_id: str) -> Path:
        return self.folder(job_id) / RESULT_FILE

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Mark what a stopped server left behind as interrupted; drop folders of jobs that are gone."""
        with self.sessions() as session:
            session.execute(
                update(ServiceBatchJob)
                .where(ServiceBatchJob.status.in_(list(ACTIVE)))
                .values(
                    status=RunStatus.INTERRUPTED, error_message=INTERRUPTED, finished_at=datetime.now(UTC)
                )
            )
            session.commit()
            known = set(session.scalars(select(ServiceBatchJob.id)))
        if self.root.is_dir():
            for folder in self.root.iterdir():
                if folder.name not in known:
                    shutil.rmtree(folder, ignore_errors=True)

    # ---- jobs ------------------------------------------------------------------------------------
    def new_folder(self) -> tuple[str, Path]:
        job_id = str(uuid.uuid4())
        folder = self.folder(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        return job_id, folder

    def submit(
        self, session: Session, job_id: str, service: ServiceAccess, given: BatchInput, by: str
    ) -> ServiceBatchJob:
        """Record a queued job and hand it to a worker; returns at once."""
        row = ServiceBatchJob(
            id=job_id,
            service_id=service.service_id,
            status=RunStatus.QUEUED,
            progress=0.0,
            source=given.source,
            input_name=given.name[:255],
            submitted_by=by,
        )
        session.add(row)
        session.commit()
        task = BatchScoreTask(
            task_id=f"batch:{job_id}",
            model_path=str(model_path(self.settings, service.model_storage_key)),
            source=given.source,
            input=given.location,
            result_path=str(self.result_path(job_id)),
            append=service.append,
            max_rows=self.settings.max_rows,
            max_cells=self.settings.max_cells,
            filename=given.name if given.source == UPLOAD else "",
        )
        handle = self.executor.submit(task, self._on_progress(job_id))
        with self._lock:
            self._handles[job_id] = handle
        handle.future.add_done_callback(lambda future: self._finished(job_id, future))
        return row

    def live_progress(self, job_id: str) -> float | None:
        with self._lock:
            return self._progress.get(job_id)

    def forget(self, job_ids: list[str]) -> None:
        """Stop these jobs (their rows are gone) and remove their files."""
        for job_id in job_ids:
            with self._lock:
                handle = self._handles.get(job_id)
            if handle is not None:
                handle.cancel()
            shutil.rmtree(self.folder(job_id), ignore_errors=True)

    def _on_progress(self, job_id: str) -> Callable[[float], None]:
        last_db = 0.0

        def on_progress(fraction: float) -> None:
            nonlocal last_db
            with self._lock:
                first = job_id not in self._progress
                self._progress[job_id] = fraction
            now = time.monotonic()
            if first or now - last_db >= PROGRESS_DB_INTERVAL_S:
                last_db = now
                self._save_progress(job_id, fraction, started=first)

        return on_progress

    def _save_progress(self, job_id: str, fraction: float, *, started: bool) -> None:
        values: dict[str, object] = {"progress": fraction}
        if started:
            values.update(status=RunStatus.RUNNING, started_at=datetime.now(UTC))
        with self.sessions() as session:
            session.execute(
                update(ServiceBatchJob)
                .where(ServiceBatchJob.id == job_id, ServiceBatchJob.status.in_(list(ACTIVE)))
                .values(**values)
            )
            session.commit()

    def _finished(self, job_id: str, future: Future[NodeResult]) -> None:
        """Record how the job ended (runs in the executor's thread); its upload is removed."""
        try:
            result = future.result()
            self._record_result(job_id, result)
        except Exception:  # the job's row must not stay 'running' because of a bug here
            log.exception("batch job %s: recording its end failed", job_id)
        finally:
            with self._lock:
                self._handles.pop(job_id, None)
                self._progress.pop(job_id, None)
            for leftover in self.folder(job_id).glob("input*"):
                leftover.unlink(missing_ok=True)

    def _record_result(self, job_id: str, result: NodeResult) -> None:
        succeeded = result.status == RunStatus.SUCCEEDED
        path = self.result_path(job_id)
        n_rows = pq.ParquetFile(path).metadata.num_rows if succeeded and path.is_file() else None
        error = result.error or {}
        with self.sessions() as session:
            session.execute(
                update(ServiceBatchJob)
                .where(ServiceBatchJob.id == job_id)
                .values(
                    status=result.status,
                    progress=1.0 if succeeded else ServiceBatchJob.progress,
                    n_rows=n_rows,
                    error_code=error.get("code"),
                    error_message=error.get("message"),
                    log=result.log,
                    finished_at=datetime.now(UTC),
                )
            )
            session.commit()
