from __future__ import annotations

from functools import partial

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from backend.api.deps import CurrentUser, RunsDep, SessionDep, SettingsDep
from backend.core.disk import InsufficientStorage
from backend.schemas import DatasetPublic, RowsPage, UserPublic
from backend.services import datasets as service
from backend.services.table_import import InvalidDataset
from backend.services.uploads import (
    BadUpload,
    UploadTooLarge,
    ensure_room_for_upload,
    receive_file_consumed,
)

router = APIRouter(prefix="/datasets", tags=["datasets"])

NOT_FOUND = HTTPException(status.HTTP_404_NOT_FOUND, detail="Dataset not found")


def dataset_public(info: service.DatasetInfo) -> DatasetPublic:
    owner = UserPublic.model_validate(info.owner) if info.owner is not None else None
    return DatasetPublic(**{**info.__dict__, "owner": owner})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DatasetPublic,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "name": {"type": "string"},
                        },
                    }
                }
            },
            "required": True,
        }
    },
)
async def upload_dataset(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> DatasetPublic:
    """Upload a CSV, TSV or Parquet file (multipart field `file`, optional `name`).

    400/413 (with a code) for a file that cannot be used or claims more than the limits; 507 while the
    server's data folder is below its free-space floor or when the disk fills up.
    """
    # The file is parsed while it arrives. A fault of the body itself is answered first, then the
    # free-space floor, then the file's own faults (as when parsing followed receiving).
    try:
        ensure_room_for_upload(settings, request.headers.get("content-length", ""))
        upload, staging = await receive_file_consumed(
            request,
            settings.data_dir / "tmp",
            settings.max_upload_bytes,
            partial(service.stage_upload, settings),
        )
        try:
            ensure_room_for_upload(settings, "")  # the received file took its share
        except InsufficientStorage:
            upload.discard()
            if staging.value is not None:
                staging.value.discard()
            raise
    except UploadTooLarge:
        limit_mb = settings.max_upload_bytes / 1024**2
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, detail=f"The file is larger than the {limit_mb:g} MB limit."
        ) from None
    except BadUpload as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    except InsufficientStorage as exc:
        raise HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, detail=exc.message) from None
    try:
        staged = staging.result()  # the file's own faults, found while it arrived
        info = await run_in_threadpool(
            service.create_dataset, session, settings, user, upload, staged, upload.fields.get("name")
        )
    except InvalidDataset as exc:
        raise HTTPException(exc.status_code, detail={"code": exc.code, "message": exc.message}) from None
    except InsufficientStorage as exc:
        raise HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, detail=exc.message) from None
    finally:
        upload.discard()  # kept by no outcome
    return dataset_public(info)


@router.get("", response_model=list[DatasetPublic])
def list_datasets(user: CurrentUser, session: SessionDep) -> list[DatasetPublic]:
    """The samples and the caller's uploads."""
    return [dataset_public(info) for info in service.list_datasets(session, user)]


@router.get("/{dataset_id}", response_model=DatasetPublic)
def get_dataset(dataset_id: str, user: CurrentUser, session: SessionDep) -> DatasetPublic:
    """One dataset's columns and size."""
    try:
        return dataset_public(service.get_dataset(session, dataset_id, user))
    except service.DatasetNotFound:
        raise NOT_FOUND from None


@router.get("/{dataset_id}/rows", response_model=RowsPage)
def dataset_rows(
    dataset_id: str,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> dict:
    """A page of rows."""
    try:
        return service.rows_page(session, settings, dataset_id, user, offset, limit)
    except service.DatasetNotFound:
        raise NOT_FOUND from None


@router.delete("/{dataset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_dataset(
    dataset_id: str, user: CurrentUser, session: SessionDep, settings: SettingsDep, runs: RunsDep
) -> None:
    """Delete an upload and the run outputs computed from it, unless one of your experiments uses it (409)."""
    if dataset_id in service.SAMPLE_IDS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Sample datasets cannot be deleted")
    try:
        row = service.deletable_dataset(session, dataset_id, user)
    except service.DatasetNotFound:
        raise NOT_FOUND from None
    except service.DatasetInUse as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"The dataset is used by your experiment {exc.experiment_name!r}; remove it there first.",
        ) from None
    runs.stop_runs(service.active_runs_using(session, dataset_id))
    keys = service.delete_dataset(session, settings, row)
    # A run that read the file just before it went: stopped, and what it recorded detached too.
    runs.stop_runs(service.active_runs_using(session, dataset_id))
    keys |= service.forget_outputs_from(session, dataset_id)
    session.commit()
    runs.release_artefacts(keys)
