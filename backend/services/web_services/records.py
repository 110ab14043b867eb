"""Services in the database: created from a saved model, changed and deleted by their owner, found by a
scoring request, and their hourly usage stored and read back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import SavedModel, Service, ServiceBatchJob, ServiceUsage, User
from backend.services import saved_models
from backend.services.web_services.keys import key_digest, key_hint, new_key
from backend.services.web_services.usage import HourUsage, Key, UsageRecorder, hour_of

__all__ = [
    "KEY_NAMES",
    "ServiceAccess",
    "ServiceNotFound",
    "create_service",
    "delete_service",
    "get_service",
    "own_services",
    "model_still_readable",
    "regenerate_key",
    "service_access",
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


# ---- what a call to a service needs, in one query ------------------------------------------------


@dataclass(frozen=True)
class ServiceAccess:
    """A service as a call sees it (plain values: read with one Core query, no ORM objects)."""

    service_id: str
    owner_id: int
    enabled: bool
    append: bool
    primary_key_hash: str
    secondary_key_hash: str
    model_id: str
    model_owner_id: int
    model_storage_key: str

    def model_stub(self) -> SavedModel:
        """Enough of the model's row for :func:`~backend.services.saved_models.load_trained`."""
        return SavedModel(id=self.model_id, owner_id=self.model_owner_id, storage_key=self.model_storage_key)


_ACCESS = (
    select(
        Service.id,
        Service.owner_id,
        Service.enabled,
        Service.append,
        Service.primary_key_hash,
        Service.secondary_key_hash,
        SavedModel.id,
        SavedModel.owner_id,
        SavedModel.storage_key,
    )
    .join(SavedModel, SavedModel.id == Service.model_id)
    .where(Service.id == bindparam("service_id"))
)


def service_access(connection: Connection, service_id: str) -> ServiceAccess | None:
    """The service ``service_id`` and its model, or None."""
    row = connection.execute(_ACCESS, {"service_id": service_id}).one_or_none()
    return None if row is None else ServiceAccess(*row)


def model_still_readable(session: Session, access: ServiceAccess) -> bool:
    """Whether the service's owner may still read its model (a shared one can be unshared)."""
    if access.model_owner_id == access.owner_id:
        return True
    owner = session.get(User, access.owner_id)
    return owner is not None and saved_models.can_read(session, access.model_id, owner)


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
