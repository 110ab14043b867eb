"""Request dependencies: the database session, the settings and the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.security import SESSION_COOKIE, token_digest
from backend.models import AuthToken, User
from backend.services.runs import RunManager


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_runs(request: Request) -> RunManager:
    """The run manager: starts, cancels and stops runs, and owns the artefact store."""
    return request.app.state.runs


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
RunsDep = Annotated[RunManager, Depends(get_runs)]


def request_token(request: Request) -> str | None:
    """The bearer token of a script, else the browser's session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or the one a trusted proxy reported (STUDIO_TRUSTED_PROXIES)."""
    return request.client.host if request.client else "unknown"


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    token = request_token(request)
    if not token:
        return None
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == token_digest(token)))
    if row is None:
        return None
    if row.expires_at < datetime.now(UTC):
        return None
    return row.user


def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not signed in",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]

# Database ids are 32-bit on every backend: larger path values are simply not found (422), never a 5xx.
IntId = Annotated[int, Path(ge=1, le=2_147_483_647)]
