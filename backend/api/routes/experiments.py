from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from backend.api.deps import CurrentUser, IntId, RunsDep, SessionDep, SettingsDep
from backend.core.limits import check_graph_size
from backend.models import Experiment, ExperimentVersion, Run, User
from backend.schemas import (
    ExperimentClone,
    ExperimentCreate,
    ExperimentPublic,
    ExperimentUpdate,
    ExperimentVersionPublic,
    Graph,
    ListOf,
    RunBrief,
    UserPublic,
)
from backend.services import experiments as service
from backend.services.experiment_export import MEDIA_TYPES, RunNotFound, ScriptFormat, export_experiment

router = APIRouter(prefix="/experiments", tags=["experiments"])


def load_experiment(session: SessionDep, experiment_id: int, user: User, need: str = "viewer") -> Experiment:
    """The experiment if the caller may `need` it: 404 if they cannot see it, 403 if their role is short."""
    try:
        return service.get_experiment(session, experiment_id, user, need)
    except service.ExperimentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Experiment not found") from None
    except service.NotAllowed as exc:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=exc.message,
        ) from None


def to_public(
    session: SessionDep, experiment: Experiment, role: str, last_run: Run | None = None
) -> ExperimentPublic:
    version = service.current_version(session, experiment)
    return ExperimentPublic(
        id=experiment.id,
        name=experiment.name,
        description=experiment.description,
        graph=Graph.model_validate(version.graph),
        version=experiment.version,
        owner=UserPublic.model_validate(experiment.owner),
        my_role=role,
        created_at=experiment.created_at,
        updated_at=experiment.updated_at,
        last_run=RunBrief.model_validate(last_run, from_attributes=True) if last_run else None,
    )


def version_public(session: SessionDep, row: ExperimentVersion) -> ExperimentVersionPublic:
    author = session.get(User, row.created_by_id) if row.created_by_id is not None else None
    return ExperimentVersionPublic(
        version=row.version,
        name=row.name,
        description=row.description,
        graph=Graph.model_validate(row.graph),
        created_at=row.created_at,
        created_by=UserPublic.model_validate(author) if author is not None else None,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ExperimentPublic)
def create_experiment(
    body: ExperimentCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ExperimentPublic:
    """Create an experiment; its graph is stored as version 1."""
    check_graph_size(settings, body.graph.model_dump())
    experiment = service.create_experiment(
        session, user, body.name, body.description, body.graph.model_dump(mode="json")
    )
    return to_public(session, experiment, "owner")


@router.get("", response_model=ListOf[ExperimentPublic])
def list_experiments(user: CurrentUser, session: SessionDep) -> ListOf[ExperimentPublic]:
    """The caller's experiments and those shared with them, most recently saved first, with the last run."""
    experiments = service.list_experiments(session, user)
    runs = service.last_runs(session, [e.id for e, _ in experiments])
    data = [to_public(session, e, role, runs.get(e.id)) for e, role in experiments]
    return ListOf(data=data, count=len(data))


@router.get("/{experiment_id}", response_model=ExperimentPublic)
def get_experiment(experiment_id: IntId, user: CurrentUser, session: SessionDep) -> ExperimentPublic:
    """One experiment at its current version."""
    experiment = load_experiment(session, experiment_id, user)
    role = service.role_of(session, experiment, user) or "viewer"
    return to_public(
        session, experiment, role, service.last_runs(session, [experiment.id]).get(experiment.id)
    )


@router.put("/{experiment_id}", response_model=ExperimentPublic)
def update_experiment(
    experiment_id: IntId,
    body: ExperimentUpdate,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> ExperimentPublic:
    """Save: a new version, or 409 if `version` is not the current one (owners and editors)."""
    experiment = load_experiment(session, experiment_id, user, need="editor")
    if body.graph is not None:
        check_graph_size(settings, body.graph.model_dump())
    try:
        experiment = service.save_experiment(
            session,
            experiment,
            user,
            expected_version=body.version,
            name=body.name,
            description=body.description,
            graph=body.graph.model_dump(mode="json") if body.graph is not None else None,
        )
    except service.VersionConflict as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail={
                "message": f"Someone saved this experiment first (version {exc.current}); "
                f"your save was based on version {body.version}.",
                "current_version": exc.current,
            },
        ) from None
    return to_public(session, experiment, service.role_of(session, experiment, user) or "editor")


@router.delete("/{experiment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_experiment(experiment_id: IntId, user: CurrentUser, session: SessionDep, runs: RunsDep) -> None:
    """Delete an experiment with its versions, runs and their outputs (owner only); its runs stop first."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    runs.stop_runs(service.active_run_ids(session, experiment))
    runs.release_artefacts(service.delete_experiment(session, experiment))


@router.post("/{experiment_id}/clone", status_code=status.HTTP_201_CREATED, response_model=ExperimentPublic)
def clone_experiment(
    experiment_id: IntId, user: CurrentUser, session: SessionDep, body: ExperimentClone | None = None
) -> ExperimentPublic:
    """Save As: a new experiment owned by the caller, starting from the current version."""
    experiment = load_experiment(session, experiment_id, user)
    clone = service.clone_experiment(session, experiment, user, body.name if body else None)
    return to_public(session, clone, "owner")


@router.get("/{experiment_id}/versions", response_model=list[ExperimentVersionPublic])
def list_versions(
    experiment_id: IntId, user: CurrentUser, session: SessionDep
) -> list[ExperimentVersionPublic]:
    """Every saved version, newest first."""
    experiment = load_experiment(session, experiment_id, user)
    return [version_public(session, row) for row in service.list_versions(session, experiment)]


@router.get("/{experiment_id}/versions/{version}", response_model=ExperimentVersionPublic)
def get_version(
    experiment_id: IntId, version: IntId, user: CurrentUser, session: SessionDep
) -> ExperimentVersionPublic:
    """One saved version."""
    experiment = load_experiment(session, experiment_id, user)
    try:
        return version_public(session, service.get_version(session, experiment, version))
    except service.ExperimentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Version not found") from None


@router.get(
    "/{experiment_id}/export",
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def export_as_script(
    experiment_id: IntId,
    user: CurrentUser,
    session: SessionDep,
    format: Annotated[ScriptFormat, Query(description="py (a script) or ipynb (a notebook)")] = "py",  # noqa: A002
    run: Annotated[
        int | None,
        Query(
            ge=1,
            le=2_147_483_647,
            description="A run of this experiment: export the version it ran, with the seeds it drew",
        ),
    ] = None,
) -> Response:
    """The experiment as a Python script or Jupyter notebook that runs its graph outside the studio."""
    experiment = load_experiment(session, experiment_id, user)
    try:
        exported = export_experiment(session, experiment, user, format, run)
    except RunNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Run not found") from None
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
