"""Batch jobs of a scoring service: a table too large for one request, scored by a worker process.

Sent with a service key or by the owner: a CSV/TSV/Parquet upload (multipart field `file`) or
`{"dataset_id": ...}` (a dataset the service's owner may read, or a sample). The result streams as
CSV, or comes as Parquet (`Accept: application/vnd.apache.parquet` or `?format=parquet`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.deps import SessionDep
from backend.api.service_auth import Caller, resolve_caller
from backend.core.config import Settings
from backend.core.disk import InsufficientStorage
from backend.core.status import RunStatus
from backend.models import ServiceBatchJob, User
from backend.schemas import BatchFromDataset, BatchJobPublic, ListOf
from backend.services import datasets
from backend.services.outputs import iter_csv
from backend.services.uploads import BadUpload, UploadTooLarge, ensure_room_for_upload, receive_file
from backend.services.web_services.batch import BatchInput, BatchJobs
from backend.services.web_services.batch_task import DATASET, SAMPLE, UPLOAD

router = APIRouter(prefix="/services", tags=["services"])

PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"
JOB_NOT_FOUND = HTTPException(status.HTTP_404_NOT_FOUND, detail="Batch job not found")
BATCH_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/json": {"schema": BatchFromDataset.model_json_schema()},
        },
    }
}


def jobs_of(request: Request) -> BatchJobs:
    return request.app.state.batch_jobs


def caller_of(request: Request, service_id: str) -> Caller:
    caller = resolve_caller(request, service_id)
    if caller.by == "key" and not caller.access.enabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="The service is disabled.")
    return caller


def job_public(request: Request, row: ServiceBatchJob) -> BatchJobPublic:
    live = jobs_of(request).live_progress(row.id)
    succeeded = row.status == RunStatus.SUCCEEDED
    result_url = (
        str(request.url_for("batch_result", service_id=row.service_id, job_id=row.id)) if succeeded else None
    )
    error = (
        None if row.error_message is None else {"code": row.error_code or "", "message": row.error_message}
    )
    return BatchJobPublic.model_validate(
        {
            **{name: getattr(row, name) for name in ("id", "service_id", "status", "source", "input_name")},
            **{name: getattr(row, name) for name in ("submitted_by", "n_rows", "created_at")},
            "progress": live if live is not None else row.progress,
            "error": error,
            "result_url": result_url,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
        }
    )


def job_of(session: Session, service_id: str, job_id: str) -> ServiceBatchJob:
    row = session.get(ServiceBatchJob, job_id)
    if row is None or row.service_id != service_id:
        raise JOB_NOT_FOUND
    return row


@router.post(
    "/{service_id}/batch",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BatchJobPublic,
    openapi_extra=BATCH_BODY_DOC,
)
async def submit_batch(service_id: str, request: Request, session: SessionDep) -> BatchJobPublic:
    """Score a whole table in a worker process: 202 with the job; poll it, then fetch its result."""
    caller = await run_in_threadpool(caller_of, request, service_id)
    access = caller.access
    if not access.enabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="The service is disabled.")
    jobs = jobs_of(request)
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        job_id, given = await _received_upload(request, jobs)
    elif content_type in ("application/json", ""):
        body = await _dataset_body(request)
        given = await run_in_threadpool(
            _dataset_input, session, request.app.state.settings, access.owner_id, body
        )
        job_id, _ = jobs.new_folder()
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="Send a file as multipart/form-data (field 'file') or JSON {\"dataset_id\": ...}.",
        )
    row = await run_in_threadpool(jobs.submit, session, job_id, access, given, caller.by)
    return job_public(request, row)


async def _received_upload(request: Request, jobs: BatchJobs) -> tuple[str, BatchInput]:
    settings = request.app.state.settings
    try:
        ensure_room_for_upload(settings, request.headers.get("content-length", ""))
        upload = await receive_file(request, settings.data_dir / "tmp", settings.max_upload_bytes)
    except UploadTooLarge:
        limit_mb = settings.max_upload_bytes / 1024**2
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, detail=f"The file is larger than the {limit_mb:g} MB limit."
        ) from None
    except BadUpload as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    except InsufficientStorage as exc:
        raise HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, detail=exc.message) from None
    job_id, folder = jobs.new_folder()
    suffix = "".join(c for c in Path(upload.filename).suffix.lower() if c.isalnum() or c == ".")[:16]
    stored = folder / f"input{suffix}"
    upload.path.replace(stored)
    return job_id, BatchInput(UPLOAD, str(stored), Path(upload.filename).name or "upload")


async def _dataset_body(request: Request) -> BatchFromDataset:
    try:
        return BatchFromDataset.model_validate(await request.json())
    except (ValueError, ValidationError) as exc:
        errors = exc.errors(include_input=False) if isinstance(exc, ValidationError) else str(exc)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=errors) from None


def _dataset_input(session: Session, settings: Settings, owner_id: int, body: BatchFromDataset) -> BatchInput:
    """A sample, or a dataset the service's owner may read (others are 'not found')."""
    if body.dataset_id in datasets.SAMPLE_IDS:
        return BatchInput(SAMPLE, body.dataset_id, body.dataset_id)
    owner = session.get(User, owner_id)
    try:
        if owner is None:
            raise datasets.DatasetNotFound(body.dataset_id)
        row = datasets.get_dataset_row(session, body.dataset_id, owner)
    except datasets.DatasetNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Dataset not found") from None
    return BatchInput(DATASET, str(datasets.dataset_path(settings, row.storage_key)), row.id)


@router.get("/{service_id}/batch", response_model=ListOf[BatchJobPublic])
def list_batch_jobs(service_id: str, request: Request, session: SessionDep) -> ListOf[BatchJobPublic]:
    """The service's batch jobs, newest first."""
    caller_of(request, service_id)
    rows = list(
        session.scalars(
            select(ServiceBatchJob)
            .where(ServiceBatchJob.service_id == service_id)
            .order_by(ServiceBatchJob.created_at.desc(), ServiceBatchJob.id)
        )
    )
    return ListOf(data=[job_public(request, row) for row in rows], count=len(rows))


@router.get("/{service_id}/batch/{job_id}", response_model=BatchJobPublic)
def get_batch_job(service_id: str, job_id: str, request: Request, session: SessionDep) -> BatchJobPublic:
    """One job: its status and progress."""
    caller_of(request, service_id)
    return job_public(request, job_of(session, service_id, job_id))


@router.delete("/{service_id}/batch/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_batch_job(service_id: str, job_id: str, request: Request, session: SessionDep) -> None:
    """Stop a job if it still runs, and delete it with its result."""
    caller_of(request, service_id)
    row = job_of(session, service_id, job_id)
    session.delete(row)
    session.commit()
    jobs_of(request).forget([job_id])


@router.get(
    "/{service_id}/batch/{job_id}/result",
    responses={200: {"content": {"text/csv": {}, PARQUET_MEDIA_TYPE: {}}}},
)
def batch_result(
    service_id: str,
    job_id: str,
    request: Request,
    session: SessionDep,
    format: str | None = Query(None, pattern="^(csv|parquet)$", description="Overrides the Accept header."),
    raw: bool = Query(
        False, description="CSV: write text exactly as stored (no apostrophe before a formula)."
    ),
) -> Any:
    """The scored table: CSV (streamed) or Parquet; 409 while the job has not succeeded."""
    caller_of(request, service_id)
    row = job_of(session, service_id, job_id)
    path = jobs_of(request).result_path(row.id)
    if row.status != RunStatus.SUCCEEDED or not path.is_file():
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail=f"The job has no result: it is {row.status.value}."
        )
    wanted = format or ("parquet" if PARQUET_MEDIA_TYPE in request.headers.get("accept", "") else "csv")
    filename = f"batch-{row.id}.{wanted}"
    if wanted == "parquet":
        return FileResponse(path, media_type=PARQUET_MEDIA_TYPE, filename=filename)
    return StreamingResponse(
        _csv_chunks(path, raw=raw),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_chunks(path: Path, *, raw: bool) -> Iterator[bytes]:
    """The Parquet file as CSV, one row group at a time (the header once)."""
    parquet = pq.ParquetFile(path)
    yield next(iter_csv(parquet.schema_arrow.empty_table().to_pandas(), raw=raw))
    for group in range(parquet.num_row_groups):
        chunks = iter_csv(parquet.read_row_group(group).to_pandas(), raw=raw)
        next(chunks)  # the header, written once above
        yield from chunks
