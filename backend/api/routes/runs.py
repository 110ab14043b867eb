from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.deps import CurrentUser, IntId, SessionDep, SettingsDep
from backend.api.routes.datasets import dataset_public
from backend.api.routes.experiments import load_experiment
from backend.core.disk import ensure_free_space
from backend.executor import ArtefactRef, ArtefactStore
from backend.models import NodeRun, Run, User
from backend.schemas import DatasetPublic, RunCreate, RunPublic, SaveAsDataset
from backend.services import datasets, run_comparison
from backend.services import experiments as experiment_service
from backend.services import node_outputs as outputs
from backend.services import outputs as output_service
from backend.services.outputs.profiles import profile_frame
from backend.services.runs import NothingToRun, RunManager, node_public
from backend.services.runs.events import UNKNOWN
from backend.services.table_import import InvalidDataset
from backend.services.validation import validate_graph

router = APIRouter(tags=["runs"])


def manager(request: Request) -> RunManager:
    return request.app.state.runs


def load_run(session: SessionDep, run_id: int, user: User, need: str = "viewer") -> Run:
    """A run of an experiment the caller may see; anything else is 'not found'."""
    run = session.get(Run, run_id)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Run not found")
    try:
        experiment_service.get_experiment(session, run.experiment_id, user, need)
    except experiment_service.ExperimentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Run not found") from None
    except experiment_service.NotAllowed as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=exc.message) from None
    return run


def run_public(session: SessionDep, run: Run, live: dict[str, float] | None = None) -> dict[str, Any]:
    live = live or {}
    rows = session.scalars(select(NodeRun).where(NodeRun.run_id == run.id).order_by(NodeRun.id))
    return {
        "id": run.id,
        "experiment_id": run.experiment_id,
        "experiment_version": run.experiment_version,
        "status": run.status,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "requested_nodes": run.requested_nodes,
        "error": run.error,
        "nodes": {row.node_id: node_public(row, live.get(row.node_id)) for row in rows},
    }


@router.post(
    "/experiments/{experiment_id}/runs", status_code=status.HTTP_202_ACCEPTED, response_model=RunPublic
)
def start_run(
    experiment_id: IntId,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    body: RunCreate | None = None,
) -> dict[str, Any]:
    """Run the saved graph (or only `nodes` and what they need); answers at once. Owners and editors."""
    experiment = load_experiment(session, experiment_id, user, need="editor")
    ensure_free_space(request.app.state.settings, "new runs")
    graph = experiment_service.current_version(session, experiment).graph
    validation = validate_graph(session, user, graph, settings=request.app.state.settings)
    if not validation["valid"]:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail={
                "message": "The graph has problems; fix them before running.",
                "errors": validation["errors"],
            },
        )
    try:
        run = manager(request).create_run(session, experiment, user, graph, body.nodes if body else None)
    except NothingToRun as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    return run_public(session, run)


@router.get("/experiments/{experiment_id}/runs", response_model=list[RunPublic])
def list_runs(
    experiment_id: IntId, user: CurrentUser, session: SessionDep, limit: int = Query(50, ge=1, le=500)
) -> list[dict[str, Any]]:
    """The experiment's run history, newest first."""
    experiment = load_experiment(session, experiment_id, user)
    runs = session.scalars(
        select(Run).where(Run.experiment_id == experiment.id).order_by(Run.id.desc()).limit(limit)
    )
    return [run_public(session, run) for run in runs]


@router.get("/runs/{run_id}", response_model=RunPublic)
def get_run(run_id: IntId, request: Request, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """A run with every node's status, progress, timings and error."""
    run = load_run(session, run_id, user)
    return run_public(session, run, manager(request).live_progress(run.id))


@router.post("/runs/{run_id}/cancel", response_model=RunPublic)
def cancel_run(run_id: IntId, request: Request, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Stop a run; finished nodes keep their outputs."""
    run = load_run(session, run_id, user, need="editor")
    manager(request).cancel(run.id)
    session.refresh(run)
    return run_public(session, run)


def _sse(event: dict[str, Any]) -> bytes:
    kind = "run" if event.get("type") == "run" else "node"
    return f"event: {kind}\ndata: {json.dumps(event, default=str)}\n\n".encode()


@router.get("/runs/{run_id}/events", response_class=StreamingResponse)
async def run_events(
    run_id: IntId, request: Request, user: CurrentUser, session: SessionDep
) -> StreamingResponse:
    """Server-Sent Events: the current state, every node change, then the run's final status."""
    run = load_run(session, run_id, user)
    snapshot = await run_in_threadpool(run_public, session, run)
    runs = manager(request)

    async def stream() -> AsyncIterator[bytes]:
        yield _sse({"type": "snapshot", **snapshot})
        index, idle = 0, 0.0
        while True:
            live = runs.events.read(run_id, index)
            if live is None:  # not running in this process: it is over (or was never started here)
                final = await run_in_threadpool(_final_status, request, run_id)
                yield _sse({"type": "run", "run_id": run_id, "status": final, "final": True})
                return
            events, closed = live
            for event in events:
                yield _sse(event)
            index += len(events)
            if closed:
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.05)
            idle = 0.0 if events else idle + 0.05
            if idle >= 15:
                idle = 0.0
                yield b": keep-alive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def _final_status(request: Request, run_id: IntId) -> str:
    with request.app.state.sessionmaker() as session:
        run = session.get(Run, run_id)
        return run.status if run else UNKNOWN


@router.get("/runs/{run_id}/nodes/{node_id}/log", response_class=PlainTextResponse)
def node_log(run_id: IntId, node_id: str, user: CurrentUser, session: SessionDep) -> str:
    """The node's log text."""
    try:
        return outputs.node_run(session, load_run(session, run_id, user), node_id).log or ""
    except outputs.OutputNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None


# ---- outputs ------------------------------------------------------------------------------------
def store(request: Request) -> ArtefactStore:
    return request.app.state.runs.store


def output_ref(request: Request, session: Session, run: Run, node_id: str, port: str) -> ArtefactRef:
    """The artefact behind a port of a run the caller may read (checked before)."""
    try:
        return outputs.output_ref(session, store(request), run, node_id, port)
    except outputs.OutputNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None


def viewed_output(
    run_id: IntId, node_id: str, port: str, request: Request, user: CurrentUser, session: SessionDep
) -> ArtefactRef:
    """The output a route reads, of a run the caller may see (404 otherwise)."""
    return output_ref(request, session, load_run(session, run_id, user), node_id, port)


#: A route's output as a dependency (a default, as postponed annotations cannot resolve a local alias).
ViewedOutput = Depends(viewed_output)


def output_filename(run_id: int, node_id: str, port: str, extension: str) -> str:
    """A file name for an output, from letters, digits and -_. only."""
    name = f"run{run_id}-{node_id}-{port}.{extension}"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def profile_of(request: Request, ref: ArtefactRef) -> dict[str, Any]:
    try:
        return outputs.profile(store(request), ref)
    except outputs.NotATable as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None


def silhouette_of(request: Request, ref: ArtefactRef) -> dict[str, Any]:
    try:
        return outputs.silhouette(store(request), ref)
    except outputs.NotATable as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None


def agreement_of(request: Request, ref: ArtefactRef, label: str) -> dict[str, Any]:
    try:
        return outputs.agreement(store(request), ref, label)
    except outputs.NotATable as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None


#: The label column named in a query: a column name, so as long as one may be.
LabelQuery = Query(..., min_length=1, max_length=1024, description="The column holding the known labels")


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}")
def output_summary(request: Request, ref: ArtefactRef = ViewedOutput) -> dict[str, Any]:
    """A summary of one output: table statistics and preview, or the model's parameters and what it learnt."""
    return outputs.summary(store(request), ref)


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/rows")
def output_rows(
    request: Request,
    ref: ArtefactRef = ViewedOutput,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """A page of rows of a table output."""
    return rows_of(request, ref, offset, limit)


def rows_of(request: Request, ref: ArtefactRef, offset: int, limit: int) -> dict[str, Any]:
    """A page of a table output, read from the row groups (or parts) that hold it (400 for a model)."""
    try:
        return outputs.rows(store(request), ref, offset, limit)
    except outputs.NotATable as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/download")
def output_download(
    run_id: IntId,
    node_id: str,
    port: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    format: str = Query("csv", pattern="^csv$"),
    raw: bool = Query(
        False,
        description="Write text exactly as stored. By default a cell starting with = + - @ tab or CR "
        "gets a leading apostrophe, so a spreadsheet shows it instead of running it as a formula.",
    ),
) -> StreamingResponse:
    """The whole table as CSV, streamed; text that looks like a spreadsheet formula is made inert."""
    ref = output_ref(request, session, load_run(session, run_id, user), node_id, port)
    try:
        chunks = outputs.csv_chunks(store(request), ref, raw=raw)
    except outputs.NotATable as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    filename = output_filename(run_id, node_id, port, "csv")
    return StreamingResponse(
        chunks,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/profile", response_model=None)
def output_profile(
    run_id: IntId,
    node_id: str,
    port: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    format: str = Query("json", pattern="^(json|csv)$"),
) -> dict[str, Any] | StreamingResponse:
    """Each cluster's size, per-feature statistics and what sets it apart (400 unless a clustering result)."""
    ref = output_ref(request, session, load_run(session, run_id, user), node_id, port)
    profile = profile_of(request, ref)
    if format == "json":
        return profile
    filename = output_filename(run_id, node_id, port, "csv").replace(".csv", "-profiles.csv")
    return StreamingResponse(
        output_service.iter_csv(profile_frame(profile)),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/silhouette")
def output_silhouette(request: Request, ref: ArtefactRef = ViewedOutput) -> dict[str, Any]:
    """Each row's silhouette, sorted within its cluster, and each cluster's worst-fitting rows."""
    return silhouette_of(request, ref)


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/compare")
def compare_output(
    run_id: IntId,
    node_id: str,
    port: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    other_run: int = Query(..., ge=1, le=2_147_483_647, description="The run whose output to compare with"),
    other_node: str | None = Query(None, max_length=64, description="Its node (default: the same node)"),
    other_port: str | None = Query(None, max_length=64, description="Its port (default: the same port)"),
) -> dict[str, Any]:
    """Two clustering results of the same rows side by side: parameters that differ, metrics, their ARI."""
    run_a, run_b = load_run(session, run_id, user), load_run(session, other_run, user)
    ref_a = output_ref(request, session, run_a, node_id, port)
    ref_b = output_ref(request, session, run_b, other_node or node_id, other_port or port)
    try:
        metrics = outputs.result_metrics(store(request), ref_a), outputs.result_metrics(store(request), ref_b)
        if outputs.stored_parts(store(request), ref_a) or outputs.stored_parts(store(request), ref_b):
            chunks_a = outputs.assignment_chunks(store(request), ref_a)
            chunks_b = outputs.assignment_chunks(store(request), ref_b)
            return run_comparison.compare_chunked(session, run_a, chunks_a, run_b, chunks_b, metrics)
        frame_a, frame_b = outputs.table(store(request), ref_a), outputs.table(store(request), ref_b)
        return run_comparison.compare_results(session, run_a, frame_a, run_b, frame_b, metrics)
    except (run_comparison.NotComparable, outputs.NotATable) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/agreement")
def output_agreement(
    request: Request, ref: ArtefactRef = ViewedOutput, label: str = LabelQuery
) -> dict[str, Any]:
    """Adjusted Rand index, NMI, homogeneity, completeness, V-measure, purity and the contingency table of
    the clusters against a label column of the same table."""
    return agreement_of(request, ref, label)


@router.post(
    "/runs/{run_id}/nodes/{node_id}/outputs/{port}/save-as-dataset",
    status_code=status.HTTP_201_CREATED,
    response_model=DatasetPublic,
)
def save_output_as_dataset(
    run_id: IntId,
    node_id: str,
    port: str,
    body: SaveAsDataset,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> DatasetPublic:
    """Keep a table output as one of the caller's datasets: a copy that outlives the run (400 for a model)."""
    ref = output_ref(request, session, load_run(session, run_id, user), node_id, port)
    if not outputs.is_table(ref):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="This output is a model, not a table")
    try:
        with outputs.as_parquet(store(request), ref) as source:
            info = datasets.save_table_as_dataset(
                session, settings, user, source, body.name, output_filename(run_id, node_id, port, "parquet")
            )
    except InvalidDataset as exc:
        raise HTTPException(exc.status_code, detail={"code": exc.code, "message": exc.message}) from None
    return dataset_public(info)


@router.get("/runs/{run_id}/nodes/{node_id}/outputs/{port}/visualization")
def output_visualization(
    run_id: IntId,
    node_id: str,
    port: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    all_points: bool = False,
) -> Response:
    """What the charts need, computed here: clusters (PCA), sweep series, column histograms or the model."""
    run = load_run(session, run_id, user)
    ref = output_ref(request, session, run, node_id, port)
    model_ref = outputs.sibling_model_ref(session, store(request), run, node_id)
    payload = outputs.visualization(store(request), ref, all_points, model_ref)
    return Response(payload, media_type="application/json")
