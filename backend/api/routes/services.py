"""Scoring web services: a saved model behind a URL and two keys (docs/api.md, "Web services").

The owner manages a service with their session; callers score with a service key (no session). Batch
jobs are in :mod:`backend.api.routes.service_batch`.
"""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from backend import __version__
from backend.api.deps import CurrentUser, SessionDep, SettingsDep
from backend.api.service_auth import resolve_caller, service_not_found
from backend.core.config import Settings
from backend.models import SavedModel, Service
from backend.schemas import (
    ListOf,
    ServiceCreate,
    ServicePublic,
    ServiceUpdate,
    ServiceUsageHour,
    ServiceWithKeys,
)
from backend.services import saved_models
from backend.services.web_services import records
from backend.services.web_services.errors import ScoreRequestError
from backend.services.web_services.openapi_doc import ServiceSpec, service_document
from backend.services.web_services.scoring import input_columns, output_columns, score_request

router = APIRouter(prefix="/services", tags=["services"])

SCORE_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "The rows to score: {dataframe_split: {columns, data}}, {records: [...]}, the classic "
        "{Inputs: {input1: {ColumnNames, Values}}}, or a text/csv body with a header line. Each service's "
        "own schema, with its real columns, is at GET /api/services/{id}/openapi.json.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def spec_of(service: Service, model: SavedModel, settings: Settings) -> ServiceSpec:
    return ServiceSpec(
        id=service.id,
        name=service.name,
        append=service.append,
        model_name=model.name,
        algorithm=model.algorithm,
        k=model.k,
        feature_columns=list(model.summary.get("feature_columns", [])),
        max_rows=settings.score_max_rows,
    )


def service_public(request: Request, row: Service) -> ServicePublic:
    model = row.model
    features = list(model.summary.get("feature_columns", []))
    return ServicePublic.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "model_id": row.model_id,
            "model_name": model.name,
            "append": row.append,
            "enabled": row.enabled,
            "score_url": str(request.url_for("score", service_id=row.id)),
            "batch_url": str(request.url_for("submit_batch", service_id=row.id)),
            "primary_key_hint": row.primary_key_hint,
            "secondary_key_hint": row.secondary_key_hint,
            "created_at": row.created_at,
            "input_columns": input_columns(features),
            "output_columns": output_columns(
                [str(fc["name"]) for fc in features], model.k, model.algorithm, append=row.append
            ),
        }
    )


def with_keys(request: Request, row: Service, primary: str | None, secondary: str | None) -> ServiceWithKeys:
    public = service_public(request, row)
    return ServiceWithKeys(**public.model_dump(), primary_key=primary, secondary_key=secondary)


def own_service(session: SessionDep, service_id: str, user: CurrentUser) -> Service:
    try:
        return records.get_service(session, service_id, user)
    except records.ServiceNotFound:
        raise service_not_found() from None


# ---- management (the owner's session) ----------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ServiceWithKeys)
def create_service(
    body: ServiceCreate, request: Request, user: CurrentUser, session: SessionDep
) -> ServiceWithKeys:
    """Deploy a saved model the caller may read as a scoring service; the two keys are shown only here."""
    try:
        row, primary, secondary = records.create_service(session, user, body.model_id, body.name, body.append)
    except saved_models.ModelNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Model not found") from None
    return with_keys(request, row, primary, secondary)


@router.get("", response_model=ListOf[ServicePublic])
def list_services(request: Request, user: CurrentUser, session: SessionDep) -> ListOf[ServicePublic]:
    """The caller's services, newest first."""
    rows = records.own_services(session, user)
    return ListOf(data=[service_public(request, row) for row in rows], count=len(rows))


@router.get("/{service_id}", response_model=ServicePublic)
def get_service(service_id: str, request: Request, user: CurrentUser, session: SessionDep) -> ServicePublic:
    return service_public(request, own_service(session, service_id, user))


@router.patch("/{service_id}", response_model=ServicePublic)
def update_service(
    service_id: str, body: ServiceUpdate, request: Request, user: CurrentUser, session: SessionDep
) -> ServicePublic:
    """Rename, enable or disable (scoring then answers 403), or switch appending the input columns."""
    row = own_service(session, service_id, user)
    if body.name is not None:
        row.name = body.name.strip()[:255] or row.name
    if body.enabled is not None:
        row.enabled = body.enabled
    if body.append is not None:
        row.append = body.append
    session.commit()
    return service_public(request, row)


@router.delete("/{service_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_service(service_id: str, request: Request, user: CurrentUser, session: SessionDep) -> None:
    """Delete a service: its keys stop at once; its usage and batch jobs (with their files) go too."""
    row = own_service(session, service_id, user)
    job_ids = records.delete_service(session, row)
    request.app.state.service_usage.forget([service_id])
    request.app.state.batch_jobs.forget(job_ids)


@router.post("/{service_id}/keys/{which}", response_model=ServiceWithKeys)
def regenerate_key(
    service_id: str,
    which: Literal["primary", "secondary"],
    request: Request,
    user: CurrentUser,
    session: SessionDep,
) -> ServiceWithKeys:
    """A new primary or secondary key (in full, this once); the old one answers 401 from now on."""
    row = own_service(session, service_id, user)
    key = records.regenerate_key(session, row, which)
    return with_keys(request, row, key if which == "primary" else None, key if which == "secondary" else None)


@router.get("/{service_id}/usage", response_model=ListOf[ServiceUsageHour])
def service_usage(
    service_id: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    hours: int = Query(168, ge=1, le=24 * 366, description="How many hours back, this one included."),
) -> ListOf[ServiceUsageHour]:
    """Requests, rows, errors and latency p50/p95 per UTC hour, oldest first (hours without requests
    are left out)."""
    row = own_service(session, service_id, user)
    figures = records.usage_figures(session, request.app.state.service_usage, row.id, hours)
    return ListOf(data=[ServiceUsageHour(**hour) for hour in figures], count=len(figures))


@router.get("/{service_id}/openapi.json")
def service_openapi(
    service_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """The service's own OpenAPI document: its score operation with the model's real columns (for the
    owner, or a holder of one of its keys)."""
    caller = resolve_caller(request, service_id)
    if caller.by == "key" and not caller.access.enabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="The service is disabled.")
    row = session.get(Service, service_id)
    if row is None:  # deleted in between
        raise service_not_found()
    return JSONResponse(service_document(spec_of(row, row.model, settings), __version__))


# ---- scoring ----------------------------------------------------------------------------------------


@router.post(
    "/{service_id}/score",
    openapi_extra=SCORE_BODY_DOC,
    responses={
        200: {"description": "The rows' assignments and scores, in the shape they were sent in"},
        400: {"description": "Malformed; missing columns (named); a wrong type (row and column named)"},
        401: {"description": "No key, or an unknown or regenerated one"},
        403: {"description": "The service is disabled"},
        413: {"description": "More rows than STUDIO_SCORE_MAX_ROWS, or a body over STUDIO_MAX_JSON_BYTES"},
    },
)
async def score(service_id: str, request: Request) -> Response:
    """Score rows with the service's model: `Authorization: Bearer <service key>` (or the owner's
    session). The answer is what Assign Data to Clusters gives for the same rows."""
    started = time.perf_counter()
    body = await request.body()
    return await run_in_threadpool(_score, request, service_id, body, started)


def _score(request: Request, service_id: str, body: bytes, started: float) -> Response:
    state = request.app.state
    settings: Settings = state.settings
    access = resolve_caller(request, service_id).access
    refusal = None
    if not access.enabled:
        refusal = "The service is disabled."
    elif access.model_owner_id != access.owner_id:
        with state.sessionmaker() as session:
            if not records.model_still_readable(session, access):
                refusal = "The service's model is no longer shared with its owner."
    usage = state.service_usage
    if refusal is not None:
        usage.record(service_id, latency_ms=(time.perf_counter() - started) * 1000, rows=0, error=True)
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=refusal)
    try:
        trained = saved_models.load_trained(settings, access.model_stub())
    except FileNotFoundError:  # the model (and so the service) was deleted a moment ago
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="The service no longer exists.") from None
    content_type = request.headers.get("content-type", "")
    try:
        scored = score_request(
            trained, body, content_type, append=access.append, max_rows=settings.score_max_rows
        )
    except ScoreRequestError as exc:
        usage.record(service_id, latency_ms=(time.perf_counter() - started) * 1000, rows=0, error=True)
        return JSONResponse({"detail": exc.to_detail()}, status_code=exc.status)
    usage.record(service_id, latency_ms=(time.perf_counter() - started) * 1000, rows=scored.rows, error=False)
    return Response(scored.body, media_type=scored.media_type)
