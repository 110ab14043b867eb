"""Shares with users, the read-only link, publishing, the gallery and "Open in Studio"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.deps import CurrentUser, IntId, SessionDep, SettingsDep
from backend.api.routes.datasets import dataset_public
from backend.api.routes.experiments import load_experiment, to_public
from backend.api.routes.runs import (
    LabelQuery,
    agreement_of,
    output_ref,
    profile_of,
    rows_of,
    run_public,
    silhouette_of,
    store,
)
from backend.executor import ArtefactRef
from backend.models import Experiment, Publication, Run
from backend.schemas import (
    ExperimentPublic,
    GalleryEntry,
    Graph,
    LinkPublic,
    ListOf,
    PublicExperiment,
    PublishBody,
    ShareBody,
    SharePublic,
    UserPublic,
)
from backend.services import experiments as experiment_service
from backend.services import node_outputs as outputs
from backend.services import sharing as service

router = APIRouter(tags=["sharing"])


def _share_public(row: Any) -> SharePublic:
    return SharePublic(user=UserPublic.model_validate(row.user), role=row.role)


# ---- shares (owner only) ------------------------------------------------------------------------
@router.get("/experiments/{experiment_id}/shares", response_model=list[SharePublic])
def list_shares(experiment_id: IntId, user: CurrentUser, session: SessionDep) -> list[SharePublic]:
    """Who else can open this experiment, and as what."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    return [_share_public(row) for row in service.list_shares(session, experiment)]


@router.post("/experiments/{experiment_id}/shares", response_model=SharePublic)
def add_share(experiment_id: IntId, body: ShareBody, user: CurrentUser, session: SessionDep) -> SharePublic:
    """Share with a user by name as `viewer` or `editor` (or change their role)."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    try:
        return _share_public(service.share(session, experiment, body.username, body.role))
    except service.UserNotFound:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"No user is called {body.username!r}"
        ) from None
    except service.CannotShareWithOwner:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="The owner already has every right") from None


@router.delete("/experiments/{experiment_id}/shares/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_share(experiment_id: IntId, user_id: IntId, user: CurrentUser, session: SessionDep) -> None:
    """Revoke a user's access."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    if not service.unshare(session, experiment, user_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="That user has no share")


# ---- the read-only link (owner only) ------------------------------------------------------------
def _link_public(request: Request, token: str) -> LinkPublic:
    return LinkPublic(token=token, url=str(request.base_url).rstrip("/") + f"/shared/{token}")


@router.get("/experiments/{experiment_id}/link", response_model=LinkPublic | None)
def get_link(
    experiment_id: IntId, request: Request, user: CurrentUser, session: SessionDep
) -> LinkPublic | None:
    """The read-only link, or null when there is none."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    link = service.current_link(session, experiment)
    return _link_public(request, link.token) if link else None


@router.post("/experiments/{experiment_id}/link", response_model=LinkPublic)
def create_link(experiment_id: IntId, request: Request, user: CurrentUser, session: SessionDep) -> LinkPublic:
    """Create (or return) the unguessable read-only link."""
    link = service.ensure_link(session, load_experiment(session, experiment_id, user, need="owner"))
    return _link_public(request, link.token)


@router.delete("/experiments/{experiment_id}/link", status_code=status.HTTP_204_NO_CONTENT)
def delete_link(experiment_id: IntId, user: CurrentUser, session: SessionDep) -> None:
    """Revoke the link: it stops working at once."""
    service.revoke_link(session, load_experiment(session, experiment_id, user, need="owner"))


# ---- publishing (owner only) and the gallery (anyone) -------------------------------------------
def _entry(row: Publication) -> GalleryEntry:
    return GalleryEntry(
        id=row.experiment_id,
        title=row.title,
        tags=row.tags,
        summary_markdown=row.summary_markdown,
        owner=UserPublic.model_validate(row.experiment.owner),
        published_at=row.published_at,
        experiment_name=row.experiment.name,
    )


@router.get("/experiments/{experiment_id}/publish", response_model=GalleryEntry | None)
def get_publication(experiment_id: IntId, user: CurrentUser, session: SessionDep) -> GalleryEntry | None:
    """The gallery entry of this experiment, or null when it is not published."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    row = session.get(Publication, experiment.id)
    return _entry(row) if row else None


@router.post("/experiments/{experiment_id}/publish", response_model=GalleryEntry)
def publish(experiment_id: IntId, body: PublishBody, user: CurrentUser, session: SessionDep) -> GalleryEntry:
    """Publish to the gallery with a title, a markdown summary and tags (again: update)."""
    experiment = load_experiment(session, experiment_id, user, need="owner")
    tags = sorted({tag.strip() for tag in body.tags if tag.strip()})
    return _entry(service.publish(session, experiment, body.title, body.summary_markdown, tags))


@router.delete("/experiments/{experiment_id}/publish", status_code=status.HTTP_204_NO_CONTENT)
def unpublish(experiment_id: IntId, user: CurrentUser, session: SessionDep) -> None:
    """Take the experiment out of the gallery."""
    service.unpublish(session, load_experiment(session, experiment_id, user, need="owner"))


@router.get("/gallery", response_model=ListOf[GalleryEntry])
def gallery(
    session: SessionDep,
    q: str | None = Query(None, max_length=200),
    tag: str | None = Query(None, max_length=40),
) -> ListOf[GalleryEntry]:
    """Published experiments, searchable by name and tag; no sign-in needed."""
    data = [_entry(row) for row in service.gallery(session, q, tag)]
    return ListOf(data=data, count=len(data))


def _published(session: Session, experiment_id: int) -> Experiment:
    """A published experiment; one not in the gallery is 'not found'."""
    try:
        return service.published_experiment(session, experiment_id)
    except experiment_service.ExperimentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Not in the gallery") from None


def _public_view(request: Request, session: Session, experiment: Experiment) -> PublicExperiment:
    version = experiment_service.current_version(session, experiment)
    run = session.scalar(
        select(Run).where(Run.experiment_id == experiment.id).order_by(Run.id.desc()).limit(1)
    )
    return PublicExperiment(
        id=experiment.id,
        name=experiment.name,
        description=experiment.description,
        graph=Graph.model_validate(version.graph),
        version=experiment.version,
        owner=UserPublic.model_validate(experiment.owner),
        updated_at=experiment.updated_at,
        run=run_public(session, run) if run else None,  # type: ignore[arg-type]
        output_summaries=outputs.run_summaries(session, store(request), run) if run else {},
        datasets={
            info.id: dataset_public(info)
            for info in service.dataset_infos(session, experiment, version.graph)
        },
        publication=_entry(publication) if (publication := session.get(Publication, experiment.id)) else None,
    )


@router.get("/gallery/{experiment_id}", response_model=PublicExperiment)
def gallery_entry(experiment_id: IntId, request: Request, session: SessionDep) -> PublicExperiment:
    """A published experiment's graph and latest run, read-only; no sign-in needed."""
    return _public_view(request, session, _published(session, experiment_id))


@router.post(
    "/gallery/{experiment_id}/open", status_code=status.HTTP_201_CREATED, response_model=ExperimentPublic
)
def open_from_gallery(
    experiment_id: IntId, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ExperimentPublic:
    """Open in Studio: your own copy of the graph and the uploaded datasets it uses (no run history)."""
    copy = service.open_in_studio(session, settings, _published(session, experiment_id), user)
    return to_public(session, copy, "owner")


# ---- the read-only link, for whoever holds it ---------------------------------------------------
def _linked(session: Session, token: str) -> Experiment:
    try:
        return service.experiment_for_token(session, token)
    except service.TokenNotFound:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="This link does not exist or was revoked"
        ) from None


def linked_experiment(token: str, session: SessionDep) -> Experiment:
    return _linked(session, token)


def published_experiment(experiment_id: IntId, session: SessionDep) -> Experiment:
    return _published(session, experiment_id)


@router.get("/public/{token}", response_model=PublicExperiment)
def public_experiment(token: str, request: Request, session: SessionDep) -> PublicExperiment:
    """The experiment behind a read-only link: graph, latest run and its output summaries."""
    return _public_view(request, session, _linked(session, token))


def add_read_only_output_routes(prefix: str, source: Callable[..., Experiment], audience: str) -> None:
    """Summary, rows and chart data of a run's outputs, for whoever may see the experiment `source` finds."""
    # A local Annotated alias would not resolve under postponed annotations: use a default instead.
    source_dependency = Depends(source)

    def run_of(session: Session, experiment: Experiment, run_id: int) -> Run:
        run = session.get(Run, run_id)
        if run is None or run.experiment_id != experiment.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Run not found")
        return run

    outputs_path = prefix + "/runs/{run_id}/nodes/{node_id}/outputs/{port}"

    def shared_output(
        run_id: IntId,
        node_id: str,
        port: str,
        request: Request,
        session: SessionDep,
        experiment: Experiment = source_dependency,
    ) -> ArtefactRef:
        """The output a read-only route reads: of a run of the experiment `source` finds."""
        return output_ref(request, session, run_of(session, experiment, run_id), node_id, port)

    output_dependency = Depends(shared_output)

    @router.get(outputs_path, name=f"{audience}_output_summary")
    def summary(request: Request, ref: ArtefactRef = output_dependency) -> dict:
        return outputs.summary(store(request), ref)

    @router.get(outputs_path + "/rows", name=f"{audience}_output_rows")
    def rows(
        request: Request,
        ref: ArtefactRef = output_dependency,
        offset: int = Query(0, ge=0),
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict:
        return rows_of(request, ref, offset, limit)

    @router.get(outputs_path + "/visualization", name=f"{audience}_output_visualization")
    def visualization(
        run_id: IntId,
        node_id: str,
        port: str,
        request: Request,
        session: SessionDep,
        experiment: Experiment = source_dependency,
        all_points: bool = False,
    ) -> Response:
        run = run_of(session, experiment, run_id)
        ref = output_ref(request, session, run, node_id, port)
        model_ref = outputs.sibling_model_ref(session, store(request), run, node_id)
        payload = outputs.visualization(store(request), ref, all_points, model_ref)
        return Response(payload, media_type="application/json")

    @router.get(outputs_path + "/profile", name=f"{audience}_output_profile")
    def profile(request: Request, ref: ArtefactRef = output_dependency) -> dict:
        return profile_of(request, ref)

    @router.get(outputs_path + "/agreement", name=f"{audience}_output_agreement")
    def label_agreement(
        request: Request, ref: ArtefactRef = output_dependency, label: str = LabelQuery
    ) -> dict:
        return agreement_of(request, ref, label)

    @router.get(outputs_path + "/silhouette", name=f"{audience}_output_silhouette")
    def silhouette(request: Request, ref: ArtefactRef = output_dependency) -> dict:
        return silhouette_of(request, ref)

    summary.__doc__ = f"An output's summary, {audience}."
    silhouette.__doc__ = f"The silhouette plot of a results output, {audience}."
    label_agreement.__doc__ = f"How a results output's clusters agree with a label column, {audience}."
    profile.__doc__ = f"The cluster profiles of a results output, {audience}."
    rows.__doc__ = f"A page of rows of a table output, {audience}."
    visualization.__doc__ = f"The chart payload of an output, {audience}."


add_read_only_output_routes("/public/{token}", linked_experiment, "through a read-only link")
add_read_only_output_routes("/gallery/{experiment_id}", published_experiment, "of a published experiment")


@router.post("/public/{token}/open", status_code=status.HTTP_201_CREATED, response_model=ExperimentPublic)
def open_from_link(
    token: str, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ExperimentPublic:
    """Open in Studio from a read-only link."""
    return to_public(
        session, service.open_in_studio(session, settings, _linked(session, token), user), "owner"
    )
