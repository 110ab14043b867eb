"""Who calls a service: a service key (``Authorization: Bearer csk_…``, no session needed), or its
owner signed in (the service page's test form and downloads). Keys are checked in constant time;
wrong ones are counted per client address (:mod:`backend.services.web_services.key_throttle`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, Request, status

from backend.api.deps import client_address, get_optional_user
from backend.services.web_services.access_cache import ACCESS_CACHE
from backend.services.web_services.key_throttle import KeyThrottle, KeyThrottled
from backend.services.web_services.keys import KEY_PREFIX, key_matches
from backend.services.web_services.records import ServiceAccess, service_access

__all__ = ["Caller", "resolve_caller", "service_not_found"]


@dataclass(frozen=True)
class Caller:
    access: ServiceAccess
    by: Literal["key", "owner"]


def service_not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="Service not found")


def _presented_key(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value.startswith(KEY_PREFIX) else None


def resolve_caller(request: Request, service_id: str) -> Caller:
    """The caller of service ``service_id``: 401 without a valid key or session, 404 for a service that
    is not the signed-in user's, 429 for an address that sent too many wrong keys.

    The service comes from :data:`ACCESS_CACHE` or one Core query (the scoring path is meant to be as
    cheap as the health check); a session costs the usual sign-in lookup.
    """
    key = _presented_key(request)
    access = ACCESS_CACHE.get(service_id)
    if access is None:
        with request.app.state.engine.connect() as connection:
            access = service_access(connection, service_id)
        if access is not None:
            ACCESS_CACHE.put(service_id, access)
    if key is not None:
        return _key_caller(request, access, key)
    with request.app.state.sessionmaker() as session:
        user = get_optional_user(request, session)
        user_id = None if user is None else user.id
    if user_id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Send the service's key: Authorization: Bearer <key> (or sign in as its owner).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if access is None or access.owner_id != user_id:
        raise service_not_found()
    return Caller(access, "owner")


def _key_caller(request: Request, access: ServiceAccess | None, key: str) -> Caller:
    throttle: KeyThrottle = request.app.state.key_throttle
    client = client_address(request)
    try:
        throttle.check(client)
    except KeyThrottled as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many wrong service keys from this address; try again later.",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
    digests = (access.primary_key_hash, access.secondary_key_hash) if access else (None, None)
    if access is None or not key_matches(key, *digests):  # an unknown service costs the same check
        throttle.failed(client)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Unknown service key: it is not a key of this service, or it was regenerated.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(access, "key")
