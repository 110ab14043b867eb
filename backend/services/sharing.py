"""Sharing and publishing: shares with users, the read-only link, the gallery, and "Open in Studio"."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.models import (
    Dataset,
    Experiment,
    ExperimentLink,
    ExperimentShare,
    Publication,
    SavedModel,
    User,
    utcnow,
)
from backend.services import experiments as experiment_service
from backend.services import saved_models
from backend.services.datasets import (
    SAMPLE_IDS,
    DatasetInfo,
    copy_dataset,
    dataset_info,
    dataset_path,
    sample_info,
)
from backend.services.stored_files import remove_stored
from modules import registry


class UserNotFound(Exception):
    pass


class CannotShareWithOwner(Exception):
    pass


class TokenNotFound(Exception):
    pass


# ---- shares -------------------------------------------------------------------------------------
def list_shares(session: Session, experiment: Experiment) -> list[ExperimentShare]:
    return list(
        session.scalars(
            select(ExperimentShare)
            .where(ExperimentShare.experiment_id == experiment.id)
            .order_by(ExperimentShare.created_at)
        )
    )


def share(session: Session, experiment: Experiment, username: str, role: str) -> ExperimentShare:
    """Give `username` (in any case) a role, or change it."""
    user = session.scalar(select(User).where(User.username_lower == username.lower()))
    if user is None:
        raise UserNotFound(username)
    if user.id == experiment.owner_id:
        raise CannotShareWithOwner(username)
    row = session.get(ExperimentShare, (experiment.id, user.id))
    if row is None:
        row = ExperimentShare(experiment_id=experiment.id, user_id=user.id, role=role)
        session.add(row)
    else:
        row.role = role
    session.commit()
    session.refresh(row)
    return row


def unshare(session: Session, experiment: Experiment, user_id: int) -> bool:
    row = session.get(ExperimentShare, (experiment.id, user_id))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


# ---- the read-only link -------------------------------------------------------------------------
def current_link(session: Session, experiment: Experiment) -> ExperimentLink | None:
    return session.get(ExperimentLink, experiment.id)


def ensure_link(session: Session, experiment: Experiment) -> ExperimentLink:
    link = session.get(ExperimentLink, experiment.id)
    if link is None:
        link = ExperimentLink(experiment_id=experiment.id, token=secrets.token_urlsafe(24))
        session.add(link)
        session.commit()
    return link


def revoke_link(session: Session, experiment: Experiment) -> None:
    link = session.get(ExperimentLink, experiment.id)
    if link is not None:
        session.delete(link)
        session.commit()


def experiment_for_token(session: Session, token: str) -> Experiment:
    """The experiment a read-only link points to; a revoked or unknown token is 'not found'."""
    link = session.scalar(select(ExperimentLink).where(ExperimentLink.token == token))
    if link is None:
        raise TokenNotFound(token)
    experiment = session.get(Experiment, link.experiment_id)
    assert experiment is not None
    return experiment


# ---- the gallery --------------------------------------------------------------------------------
def publish(
    session: Session, experiment: Experiment, title: str, summary_markdown: str, tags: list[str]
) -> Publication:
    row = session.get(Publication, experiment.id)
    if row is None:
        row = Publication(experiment_id=experiment.id, title=title, summary_markdown=summary_markdown)
        row.tags = tags
        session.add(row)
    else:
        row.title, row.summary_markdown, row.tags, row.published_at = title, summary_markdown, tags, utcnow()
    session.commit()
    session.refresh(row)
    return row


def unpublish(session: Session, experiment: Experiment) -> None:
    row = session.get(Publication, experiment.id)
    if row is not None:
        session.delete(row)
        session.commit()


def gallery(session: Session, query: str | None, tag: str | None) -> list[Publication]:
    """Published experiments, newest first, filtered by a text in the title/summary and by a tag."""
    statement = select(Publication).order_by(Publication.published_at.desc())
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.join(Experiment).where(
            or_(
                Publication.title.ilike(pattern),
                Publication.summary_markdown.ilike(pattern),
                Experiment.name.ilike(pattern),
            )
        )
    rows = list(session.scalars(statement))
    if tag:  # tags are a JSON list; filtering here keeps SQLite and PostgreSQL alike
        wanted = tag.lower()
        rows = [row for row in rows if wanted in (t.lower() for t in row.tags)]
    return rows


def published_experiment(session: Session, experiment_id: int) -> Experiment:
    if session.get(Publication, experiment_id) is None:
        raise experiment_service.ExperimentNotFound(experiment_id)
    experiment = session.get(Experiment, experiment_id)
    assert experiment is not None
    return experiment


def dataset_infos(session: Session, experiment: Experiment, graph: dict[str, Any]) -> list[DatasetInfo]:
    """The datasets a graph uses as read-only views show them on the nodes: samples and the owner's."""
    found = []
    for dataset_id in sorted(experiment_service.dataset_ids_in(graph)):
        if dataset_id in SAMPLE_IDS:
            found.append(sample_info(dataset_id))
        elif (row := session.get(Dataset, dataset_id)) is not None and row.owner_id == experiment.owner_id:
            found.append(dataset_info(row))
    return found


# ---- Open in Studio -----------------------------------------------------------------------------
def open_in_studio(session: Session, settings: Settings, experiment: Experiment, user: User) -> Experiment:
    """Copy the current graph and the owner's uploads and saved models it uses into `user`'s workspace
    (no run history).

    Only what the experiment's owner owns is copied; any other upload or model the graph names (which
    the owner could not pass on) is left out, its parameter emptied.
    """
    graph: dict[str, Any] = experiment_service.current_version(session, experiment).graph
    copied_files: list[Path] = []
    try:
        for param_type in _COPIERS:
            replaced = _copy_refs(session, settings, experiment, user, graph, param_type, copied_files)
            session.flush()
            graph = registry.with_refs_replaced(graph, replaced, param_type)
        return experiment_service.create_experiment(
            session, user, experiment.name, experiment.description, graph
        )
    except Exception:
        session.rollback()
        for path in copied_files:
            remove_stored(path)
        raise


#: How each kind of stored object a graph names is copied: its row class, the copier, where its file is.
_COPIERS: dict[
    str, tuple[type[Dataset] | type[SavedModel], Callable[..., Any], Callable[[Settings, str], Path]]
] = {
    "dataset": (Dataset, copy_dataset, dataset_path),
    "trained_model": (SavedModel, saved_models.copy_model, saved_models.model_path),
}


def _copy_refs(
    session: Session,
    settings: Settings,
    experiment: Experiment,
    user: User,
    graph: dict[str, Any],
    param_type: str,
    copied_files: list[Path],
) -> dict[str, str | None]:
    """`{old id: the copy's id, or None}` for the objects of `param_type` the graph names."""
    row_class, copy, path_of = _COPIERS[param_type]
    replaced: dict[str, str | None] = {}
    for object_id in sorted({o for _, _, o in registry.stored_refs(graph, param_type)}):
        if object_id in SAMPLE_IDS:
            continue  # everyone has the samples
        source = cast(Dataset | SavedModel | None, session.get(row_class, object_id))
        if source is not None and source.owner_id == user.id:
            continue  # already theirs
        if source is None or source.owner_id != experiment.owner_id:
            replaced[object_id] = None
            continue
        copied = copy(session, settings, source, user)
        copied_files.append(path_of(settings, copied.storage_key))
        replaced[object_id] = copied.id
    return replaced
