"""Saved models: trained models kept out of a run, listed in the palette's Trained Models."""

from __future__ import annotations

import re
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from backend.api.deps import CurrentUser, SessionDep, SettingsDep
from backend.api.routes.runs import load_run, output_ref, store
from backend.core.disk import InsufficientStorage
from backend.models import SavedModel, User
from backend.schemas import ListOf, SavedModelCreate, SavedModelPublic, SavedModelUpdate
from backend.services import saved_models as service
from backend.services.node_outputs import read
from backend.services.uploads import BadUpload, UploadTooLarge, receive_file
from modules.export import FORMATS, ExportFormat, ExportUnsupported, ModelImportError
from modules.export import export_model as export_portable
from modules.export import import_model as import_portable
from modules.trained_model import TrainedClusterModel

router = APIRouter(prefix="/models", tags=["models"])


def model_public(row: SavedModel, user: User) -> SavedModelPublic:
    summary: dict[str, Any] = row.summary
    source = (
        None
        if row.source_run_id is None
        else {
            "experiment_id": row.source_experiment_id,
            "run_id": row.source_run_id,
            "node_id": row.source_node_id,
        }
    )
    return SavedModelPublic.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "description": row.description,
            "algorithm": row.algorithm,
            "algorithm_name": summary.get("algorithm_name", row.algorithm),
            "k": row.k,
            "feature_columns": summary.get("feature_columns", []),
            "metric": (summary.get("parameters") or {}).get("metric"),
            "normalize": bool(summary.get("normalize", False)),
            "label_column": summary.get("label_column"),
            "created_at": row.created_at,
            "source": source,
            "owner": row.owner,
            "owned": row.owner_id == user.id,
            "size_bytes": row.size_bytes,
            "summary": summary,
        }
    )


def load_model(session: SessionDep, model_id: str, user: User, *, owned: bool = False) -> SavedModel:
    """A saved model the caller may read (or, with `owned`, change); anything else is 'not found'."""
    try:
        return service.get_model_row(session, model_id, user, owned=owned)
    except service.ModelNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Model not found") from None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SavedModelPublic)
async def save_model(
    body: SavedModelCreate, request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SavedModelPublic:
    """Keep a trained model output of a run (Train, Sweep) as a saved model: a copy that outlives the run."""
    run = load_run(session, body.run_id, user)
    ref = output_ref(request, session, run, body.node_id, body.port)
    model = await run_in_threadpool(read, store(request), ref)
    saved_from = service.SavedFrom(run.experiment_id, run.id, body.node_id)
    try:
        row = await run_in_threadpool(
            service.save_model,
            session,
            settings,
            user,
            model,
            name=body.name,
            description=body.description,
            saved_from=saved_from,
        )
    except service.NotATrainedModel:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail=f"Output {body.port!r} is not a trained clustering model"
        ) from None
    except InsufficientStorage as exc:
        raise HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, detail=exc.message) from None
    return model_public(row, user)


@router.post("/import", status_code=status.HTTP_201_CREATED, response_model=SavedModelPublic)
async def import_model(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SavedModelPublic:
    """Keep a model file a studio exported (multipart `file`: the JSON export or .npz; optional `name`)."""
    try:
        upload = await receive_file(request, settings.data_dir / "tmp", settings.max_model_bytes)
    except UploadTooLarge:
        limit_mb = settings.max_model_bytes / 1024**2
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"The model file is larger than the {limit_mb:g} MB limit (STUDIO_MAX_MODEL_BYTES).",
        ) from None
    except BadUpload as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    try:
        model = await run_in_threadpool(import_model_file, upload.path)
        name = upload.fields.get("name") or PurePath(upload.filename).stem or "Imported model"
        row = await run_in_threadpool(service.save_model, session, settings, user, model, name=name)
    except ModelImportError as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail={"code": exc.code, "message": exc.message}
        ) from None
    except InsufficientStorage as exc:
        raise HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, detail=exc.message) from None
    finally:
        upload.discard()
    return model_public(row, user)


def import_model_file(path: Path) -> TrainedClusterModel:
    return import_portable(path.read_bytes())


@router.get("", response_model=ListOf[SavedModelPublic])
def list_models(user: CurrentUser, session: SessionDep) -> ListOf[SavedModelPublic]:
    """The caller's saved models and those shared with them through an experiment, newest first."""
    rows = service.list_models(session, user)
    return ListOf(data=[model_public(row, user) for row in rows], count=len(rows))


@router.get("/{model_id}", response_model=SavedModelPublic)
def get_model(model_id: str, user: CurrentUser, session: SessionDep) -> SavedModelPublic:
    """One saved model the caller may read."""
    return model_public(load_model(session, model_id, user), user)


@router.patch("/{model_id}", response_model=SavedModelPublic)
def update_model(
    model_id: str, body: SavedModelUpdate, user: CurrentUser, session: SessionDep
) -> SavedModelPublic:
    """Rename or re-describe one of the caller's saved models."""
    row = load_model(session, model_id, user, owned=True)
    if body.name is not None:
        row.name = body.name.strip()[:255] or row.name
    if body.description is not None:
        row.description = body.description
    session.commit()
    return model_public(row, user)


@router.delete("/{model_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_model(model_id: str, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> None:
    """Delete one of the caller's saved models (experiments naming it then say so when run)."""
    service.delete_model(session, settings, load_model(session, model_id, user, owned=True))


@router.get(
    "/{model_id}/export",
    responses={200: {"content": {media: {} for media, _ in FORMATS.values()}}},
)
def export_model(
    model_id: str,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    format: Annotated[ExportFormat, Query(description="onnx, pmml or json")] = "json",  # noqa: A002
) -> Response:
    """The saved model as ONNX, PMML 4.4 or the studio's JSON; 400 saying why if the format cannot hold it."""
    row = load_model(session, model_id, user)
    try:
        exported = export_portable(service.load_trained(settings, row), format)
    except ExportUnsupported as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail={"code": exc.code, "message": exc.message}
        ) from None
    filename = f"{safe_file_stem(row.name)}.{exported.extension}"
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def safe_file_stem(name: str) -> str:
    """A file name from letters, digits and -_. only (never a path)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80]
    return stem or "model"
