"""Accounts and their sessions: the database side of sign-up, sign-in, password change and sign-out.

Names are unique regardless of case ("Ada" and "ada" are one account): lookups go through
`User.username_lower`; the name keeps the case its owner chose for display.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.core.security import new_token, token_digest
from backend.models import AuthToken, User


class UsernameTaken(Exception):
    pass


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username_lower == username.lower()))


def username_taken(session: Session, username: str) -> bool:
    return find_user(session, username) is not None


def create_user(session: Session, username: str, password_hash: str) -> User:
    user = User(username=username, password_hash=password_hash)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise UsernameTaken(username) from None
    return user


def open_session(session: Session, user_id: int, lifetime: timedelta) -> str:
    """A new session token for `user_id` (only its digest is stored)."""
    token = new_token()
    expires = datetime.now(UTC) + lifetime
    session.add(AuthToken(token_hash=token_digest(token), user_id=user_id, expires_at=expires))
    session.commit()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(AuthToken).where(AuthToken.token_hash == token_digest(token)))
    session.commit()


def end_all_sessions(session: Session, user_id: int, keep_token: str | None = None) -> int:
    """Revoke every session of the user (but `keep_token`'s); returns how many ended."""
    query = delete(AuthToken).where(AuthToken.user_id == user_id)
    if keep_token is not None:
        query = query.where(AuthToken.token_hash != token_digest(keep_token))
    ended = session.execute(query).rowcount  # type: ignore[attr-defined]
    session.commit()
    return int(ended or 0)


def set_password(session: Session, user_id: int, password_hash: str, keep_token: str | None) -> None:
    """Store the new hash and end the user's other sessions, in one transaction."""
    session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
    query = delete(AuthToken).where(AuthToken.user_id == user_id)
    if keep_token is not None:
        query = query.where(AuthToken.token_hash != token_digest(keep_token))
    session.execute(query)
    session.commit()
