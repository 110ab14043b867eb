"""Services in the database: created from a saved model, changed and deleted by their owner, found by a
scoring request, and their hourly usage stored and read back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import SavedModel, Service, ServiceBatchJob, ServiceUsage, User
from backend.services import saved_models
from backend.services.web_services.keys import key_digest, key_hint, new_key
from backend.services.web_services.usage import HourUsage, Key, UsageRecorder, hour_of

__all__ = [
    "KEY_NAMES",
    "ScoringTarget",
    "ServiceNotFound",
    "create_service",
    "delete_service",
    "get_service",
    "own_services",
    "regenerate_key",
    "scoring_target",
    "store_usage",
    "usage_figures",
]

KEY_NAMES = ("primary", "secondary")


class ServiceNotFound(Exception):
    pass


def create_service(
    session: Session, user: User, model_id: str, name: str, append: bool
) -> tuple[Service, str, str]:
    """A new enabled service of a model the user may read; returns it with its two keys (shown once).

    Raises :class:`~backend.services.saved_models.ModelNotFound` for a model the user may not read.
    """
    model = saved_models.get_model_row(session, model_id, user)
    primary, secondary = new_key(), new_key()
    row = Service(
        id=str(uuid.uuid4()),
        owner_id=user.id,
        model_id=model.id,
        name=name.strip()[:255] or model.name,
        append=append,
        enabled=True,
        primary_key_hash=key_digest(primary),
        secondary_key_hash=key_digest(secondary),
        primary_key_hint=key_hint(primary),
        secondary_key_hint=key_hint(secondary),
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row, primary, secondary


def own_services(session: Session, user: User) -> list[Service]:
    """The user's services, newest first (services are never shared)."""
    return list(
        session.scalars(
            select(Service).where(Service.owner_id == user.id).order_by(Service.created_at.desc(), Service.id)
        )
    )


def get_service(session: Session, service_id: str, user: User) -> Service:
    """One of the user's services; anyone else's is 'not found', like one that does not exist."""
    row = session.get(Service, service_id)
    if row is None or row.owner_id != user.id:
        raise ServiceNotFound(service_id)
    return row


def regenerate_key(session: Session, row: Service, which: str) -> str:
    """A new primary or secondary key; the old one stops working with this commit."""
    key = new_key()
    setattr(row, f"{which}_key_hash", key_digest(key))
    setattr(row, f"{which}_key_hint", key_hint(key))
    session.commit()
    return key


def delete_service(session: Session, row: Service) -> list[str]:
    """Delete a service with its usage and jobs; returns the ids of its batch jobs (their files go next)."""
    job_ids = list(session.scalars(select(ServiceBatchJob.id).where(ServiceBatchJob.service_id == row.id)))
    session.execute(delete(ServiceUsage).where(ServiceUsage.service_id == row.id))
    session.execute(delete(ServiceBatchJob).where(ServiceBatchJob.service_id == row.id))
    session.delete(row)
    session.commit()
    return job_ids


# ---- what a scoring request needs, in one query ---------------------------------------------------


@dataclass(frozen=True)
class ScoringTarget:
    service: Service
    model: SavedModel


def scoring_target(session: Session, service_id: str) -> ScoringTarget | None:
    """The service and its model (None if there is no such service)."""
    found = session.execute(
        select(Service, SavedModel)
        .join(SavedModel, SavedModel.id == Service.model_id)
        .where(Service.id == service_id)
    ).one_or_none()
    return None if found is None else ScoringTarget(found[0], found[1])


def model_still_readable(session: Session, target: ScoringTarget) -> bool:
    """Whether the service's owner may still read its model (a shared one can be unshared)."""
    if target.model.owner_id == target.service.owner_id:
        return True
    owner = session.get(User, target.service.owner_id)
    return owner is not None and saved_models.can_read(session, target.model.id, owner)


# ---- usage ------------------------------------------------------------------------------------------


def store_usage(sessions: sessionmaker, batch: dict[Key, HourUsage]) -> None:
    """Add a flush of counts to the stored hours (the :class:`UsageRecorder`'s sink)."""
    with sessions() as session:
        ids = {service_id for service_id, _ in batch}
        alive = set(session.scalars(select(Service.id).where(Service.id.in_(ids))))
        for (service_id, hour), usage in batch.items():
            if service_id not in alive:  # deleted since: its counts go with it
                continue
            row = session.get(ServiceUsage, (service_id, hour))
            if row is None:
                session.add(
                    ServiceUsage(
                        service_id=service_id,
                        hour=hour,
                        requests=usage.requests,
                        rows=usage.rows,
                        errors=usage.errors,
                        latency_histogram=usage.histogram_json(),
                    )
                )
                continue
            total = HourUsage.from_stored(row.requests, row.rows, row.errors, row.latency_histogram)
            total.merge(usage)
            row.requests, row.rows, row.errors = total.requests, total.rows, total.errors
            row.latency_histogram = total.histogram_json()
        session.commit()


def usage_figures(
    session: Session, recorder: UsageRecorder, service_id: str, hours: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The last ``hours`` hours that saw requests, oldest first: stored counts plus those not flushed yet."""
    since = hour_of(now or datetime.now(UTC)) - timedelta(hours=hours - 1)
    rows = session.scalars(
        select(ServiceUsage).where(ServiceUsage.service_id == service_id, ServiceUsage.hour >= since)
    )
    figures = {
        row.hour: HourUsage.from_stored(row.requests, row.rows, row.errors, row.latency_histogram)
        for row in rows
    }
    for hour, usage in recorder.pending(service_id).items():
        if hour >= since:
            figures.setdefault(hour, HourUsage()).merge(usage)
    return [
        {
            "hour": hour,
            "requests": usage.requests,
            "rows": usage.rows,
            "errors": usage.errors,
            "p50_ms": usage.quantile_ms(0.5),
            "p95_ms": usage.quantile_ms(0.95),
        }
        for hour, usage in sorted(figures.items())
    ]
