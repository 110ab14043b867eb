"""Experiments and their immutable saved versions, with optimistic concurrency on save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.core.status import ACTIVE
from backend.models import (
    DatasetUsage,
    Experiment,
    ExperimentShare,
    ExperimentVersion,
    ModelUsage,
    NodeRun,
    Run,
    User,
    utcnow,
)
from backend.services import datasets, saved_models
from modules.registry import dataset_refs, model_refs, stored_refs, with_refs_replaced


class ExperimentNotFound(Exception):
    pass


class NotAllowed(Exception):
    """The caller can see the experiment but their role does not allow this (403)."""

    def __init__(self, role: str, needed: str) -> None:
        super().__init__(f"{role} needs {needed}")
        self.role, self.needed = role, needed

    @property
    def message(self) -> str:
        def article(word: str) -> str:
            return "an" if word[0] in "aeiou" else "a"

        you = f"You are {article(self.role)} {self.role} of this experiment"
        return f"{you}; this needs {article(self.needed)} {self.needed}."


#: What each role may do includes everything the roles before it may do.
ROLE_RANK = {"viewer": 1, "editor": 2, "owner": 3}


class VersionConflict(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(current)
        self.current = current


class UnreadableReference(Exception):
    """A graph names a dataset or saved model the caller may not read: answered like any other object not
    found."""

    def __init__(self, label: str, object_id: str, node_id: str, param: str) -> None:
        super().__init__(object_id)
        self.label, self.object_id, self.node_id, self.param = label, object_id, node_id, param


#: The stored objects a node's parameters may name: parameter type → (what to call it, who may read it).
STORED_KINDS: dict[str, tuple[str, Callable[[Session, str, User], bool]]] = {
    "dataset": ("Dataset", datasets.can_read),
    "trained_model": ("Saved model", saved_models.can_read),
}


def dataset_ids_in(graph: dict[str, Any]) -> set[str]:
    """Every dataset a graph refers to, found through the parameters declared as datasets."""
    return {dataset_id for _, _, dataset_id in dataset_refs(graph)}


def model_ids_in(graph: dict[str, Any]) -> set[str]:
    """Every saved model a graph refers to, found through the parameters declared as trained models."""
    return {model_id for _, _, model_id in model_refs(graph)}


def stored_ids_in(graph: dict[str, Any]) -> set[str]:
    return dataset_ids_in(graph) | model_ids_in(graph)


def check_stored_refs(session: Session, user: User, graph: dict[str, Any], kept: set[str]) -> None:
    """Refuse a graph naming a dataset or saved model the caller cannot read (own, a sample, or shared
    by its owner).

    `kept` are the references the experiment already has: an editor may save a graph that keeps the
    owner's datasets and models in place without being their owner.
    """
    for param_type, (label, can_read) in STORED_KINDS.items():
        for node_id, param, object_id in stored_refs(graph, param_type):
            if object_id not in kept and not can_read(session, object_id, user):
                raise UnreadableReference(label, object_id, node_id, param)


def without_unreadable_refs(session: Session, user: User, graph: dict[str, Any]) -> dict[str, Any]:
    """The graph with every dataset and model parameter the user cannot read emptied (for copies they
    now own)."""
    for param_type, (_, can_read) in STORED_KINDS.items():
        unreadable = {o for _, _, o in stored_refs(graph, param_type) if not can_read(session, o, user)}
        graph = with_refs_replaced(graph, dict.fromkeys(unreadable), param_type)
    return graph


def _record_usages(session: Session, experiment_id: int, graph: dict[str, Any]) -> None:
    session.execute(delete(DatasetUsage).where(DatasetUsage.experiment_id == experiment_id))
    session.execute(delete(ModelUsage).where(ModelUsage.experiment_id == experiment_id))
    for dataset_id in sorted(dataset_ids_in(graph)):
        session.add(DatasetUsage(experiment_id=experiment_id, dataset_id=dataset_id))
    for model_id in sorted(model_ids_in(graph)):
        session.add(ModelUsage(experiment_id=experiment_id, model_id=model_id))


def role_of(session: Session, experiment: Experiment, user: User | None) -> str | None:
    """`owner`, the role it was shared with (`editor` / `viewer`), or None."""
    if user is None:
        return None
    if experiment.owner_id == user.id:
        return "owner"
    return session.scalar(
        select(ExperimentShare.role).where(
            ExperimentShare.experiment_id == experiment.id, ExperimentShare.user_id == user.id
        )
    )


def get_experiment(session: Session, experiment_id: int, user: User, need: str = "viewer") -> Experiment:
    """An experiment the user may see, if their role allows `need`; one they cannot see is 'not found'."""
    experiment = session.get(Experiment, experiment_id)
    role = role_of(session, experiment, user) if experiment is not None else None
    if experiment is None or role is None:
        raise ExperimentNotFound(experiment_id)
    if ROLE_RANK[role] < ROLE_RANK[need]:
        raise NotAllowed(role, need)
    return experiment


def current_version(session: Session, experiment: Experiment) -> ExperimentVersion:
    row = session.scalar(
        select(ExperimentVersion).where(
            ExperimentVersion.experiment_id == experiment.id,
            ExperimentVersion.version == experiment.version,
        )
    )
    assert row is not None, "every experiment has its current version stored"
    return row


def list_experiments(session: Session, user: User) -> list[tuple[Experiment, str]]:
    """The user's own experiments and those shared with them, with their role, newest save first."""
    shared = select(ExperimentShare.experiment_id).where(ExperimentShare.user_id == user.id)
    experiments = session.scalars(
        select(Experiment)
        .where((Experiment.owner_id == user.id) | Experiment.id.in_(shared))
        .order_by(Experiment.updated_at.desc())
    )
    shares = select(ExperimentShare.experiment_id, ExperimentShare.role).where(
        ExperimentShare.user_id == user.id
    )
    roles = {experiment_id: role for experiment_id, role in session.execute(shares)}
    return [(e, "owner" if e.owner_id == user.id else roles[e.id]) for e in experiments]


def last_runs(session: Session, experiment_ids: list[int]) -> dict[int, Run]:
    """The newest run of each experiment."""
    if not experiment_ids:
        return {}
    runs = session.scalars(select(Run).where(Run.experiment_id.in_(experiment_ids)).order_by(Run.id.desc()))
    newest: dict[int, Run] = {}
    for run in runs:
        newest.setdefault(run.experiment_id, run)
    return newest


def create_experiment(
    session: Session, user: User, name: str, description: str, graph: dict[str, Any]
) -> Experiment:
    check_stored_refs(session, user, graph, kept=set())
    experiment = Experiment(owner_id=user.id, name=name, description=description, version=1)
    session.add(experiment)
    session.flush()
    session.add(
        ExperimentVersion(
            experiment_id=experiment.id,
            version=1,
            name=name,
            description=description,
            graph=graph,
            created_by_id=user.id,
        )
    )
    _record_usages(session, experiment.id, graph)
    session.commit()
    return experiment


def save_experiment(
    session: Session,
    experiment: Experiment,
    user: User,
    *,
    expected_version: int,
    name: str | None,
    description: str | None,
    graph: dict[str, Any] | None,
) -> Experiment:
    """Store a new version; if someone saved since `expected_version`, nothing is written."""
    previous = current_version(session, experiment)
    if graph is not None:
        check_stored_refs(session, user, graph, kept=stored_ids_in(previous.graph))
    now = utcnow()
    new_version = expected_version + 1
    bumped = session.execute(
        update(Experiment)
        .where(Experiment.id == experiment.id, Experiment.version == expected_version)
        .values(
            version=new_version,
            updated_at=now,
            name=name if name is not None else experiment.name,
            description=description if description is not None else experiment.description,
        )
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(experiment)
        raise VersionConflict(experiment.version)
    new_graph = graph if graph is not None else previous.graph
    session.add(
        ExperimentVersion(
            experiment_id=experiment.id,
            version=new_version,
            name=name if name is not None else previous.name,
            description=description if description is not None else previous.description,
            graph=new_graph,
            created_by_id=user.id,
        )
    )
    _record_usages(session, experiment.id, new_graph)
    session.commit()
    session.refresh(experiment)
    return experiment


def clone_experiment(session: Session, experiment: Experiment, user: User, name: str | None) -> Experiment:
    graph = without_unreadable_refs(session, user, current_version(session, experiment).graph)
    return create_experiment(
        session, user, name or f"{experiment.name} (copy)", experiment.description, graph
    )


def active_run_ids(session: Session, experiment: Experiment) -> list[int]:
    """Runs of the experiment that are queued or running."""
    return list(
        session.scalars(select(Run.id).where(Run.experiment_id == experiment.id, Run.status.in_(ACTIVE)))
    )


def delete_experiment(session: Session, experiment: Experiment) -> set[str]:
    """Delete it with its versions and runs; returns the artefact keys those runs referred to."""
    outputs = session.scalars(
        select(NodeRun.outputs)
        .join(Run, Run.id == NodeRun.run_id)
        .where(Run.experiment_id == experiment.id, NodeRun.outputs.is_not(None))
    )
    keys = {ref["key"] for stored in outputs for ref in (stored or {}).values()}
    session.delete(experiment)
    session.commit()
    return keys


def list_versions(session: Session, experiment: Experiment) -> list[ExperimentVersion]:
    return list(
        session.scalars(
            select(ExperimentVersion)
            .where(ExperimentVersion.experiment_id == experiment.id)
            .order_by(ExperimentVersion.version.desc())
        )
    )


def get_version(session: Session, experiment: Experiment, version: int) -> ExperimentVersion:
    row = session.scalar(
        select(ExperimentVersion).where(
            ExperimentVersion.experiment_id == experiment.id, ExperimentVersion.version == version
        )
    )
    if row is None:
        raise ExperimentNotFound(experiment.id)
    return row
