from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from backend.api.deps import CurrentUser, SessionDep, SettingsDep, request_token
from backend.core.security import (
    DUMMY_HASH,
    SESSION_COOKIE,
    TOKEN_LIFETIME_DAYS,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from backend.models import AuthToken, User
from backend.schemas import Credentials, LoginBody, LoginResult, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
def register(body: Credentials, session: SessionDep) -> User:
    """Create an account (the password is stored as an Argon2 hash)."""
    user = User(username=body.username, password_hash=hash_password(body.password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail="That username is taken") from None
    return user


@router.post("/login", response_model=LoginResult)
def login(body: LoginBody, response: Response, session: SessionDep, settings: SettingsDep) -> LoginResult:
    """Sign in: returns a bearer token and sets the same token as an HttpOnly cookie."""
    user = session.scalar(select(User).where(User.username == body.username))
    if not verify_password(user.password_hash if user else DUMMY_HASH, body.password) or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Wrong username or password")
    token = new_token()
    expires = datetime.now(UTC) + timedelta(days=TOKEN_LIFETIME_DAYS)
    session.add(AuthToken(token_hash=token_digest(token), user_id=user.id, expires_at=expires))
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=TOKEN_LIFETIME_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return LoginResult(access_token=token, user=UserPublic.model_validate(user))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, session: SessionDep, user: CurrentUser) -> Response:
    """End this session: the token stops working at once."""
    token = request_token(request)
    if token:
        session.execute(delete(AuthToken).where(AuthToken.token_hash == token_digest(token)))
        session.commit()
    response.status_code = status.HTTP_204_NO_CONTENT
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    """The signed-in user."""
    return user
