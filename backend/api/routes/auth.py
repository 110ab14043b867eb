"""Accounts: sign up, sign in, change password, sign out (here or everywhere), who am I.

The routes that hash a password are `async`: Argon2 runs on its own bounded executor
(`backend/core/passwords.py`) and the short database steps in the threadpool, each in a session of
its own, so a flood of sign-ins holds neither the shared threadpool nor database connections while
it waits for hashing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from backend.api.deps import CurrentUser, SessionDep, client_address, request_token
from backend.core.config import Settings
from backend.core.login_throttle import Attempt, LoginThrottle, LoginThrottled
from backend.core.passwords import PasswordWork, PasswordWorkBusy
from backend.core.security import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_MAX_AGE,
    DUMMY_HASH,
    SESSION_COOKIE,
    new_token,
    token_digest,
)
from backend.models import User
from backend.schemas import Credentials, LoginBody, LoginResult, PasswordChange, UserPublic
from backend.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])

T = TypeVar("T")

Responses = dict[int | str, dict[str, Any]]
WRONG_CREDENTIALS: Responses = {401: {"description": "Wrong credentials"}}
TAKEN: Responses = {409: {"description": "The name is taken (names are unique regardless of case)"}}
WRONG_CURRENT: Responses = {400: {"description": "The current password is wrong"}}
TOO_MANY: Responses = {
    429: {"description": "Too many failed sign-ins, or too many at once: wait `Retry-After` seconds"}
}
WEAK_PASSWORD: Responses = {
    422: {"description": "Invalid body, or a password too easy to guess (the detail says why)"}
}


async def _in_session(request: Request, work: Callable[[Session], T]) -> T:
    """Run a short database step in the threadpool with a session of its own."""

    def run() -> T:
        with request.app.state.sessionmaker() as session:
            return work(session)

    return await run_in_threadpool(run)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _password_work(request: Request) -> PasswordWork:
    return request.app.state.password_work


def _throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


def _device(request: Request) -> str | None:
    cookie = request.cookies.get(DEVICE_COOKIE)
    return token_digest(cookie) if cookie else None


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _too_many(retry_after: int, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"{message} Try again in {_wait_words(retry_after)}.",
        headers={"Retry-After": str(retry_after)},
    )


def _busy() -> HTTPException:
    return _too_many(1, "The server is busy checking other passwords.")


def _begin_attempt(request: Request, account: str) -> Attempt:
    try:
        return _throttle(request).begin(account, client_address(request), _device(request))
    except LoginThrottled as throttled:
        raise _too_many(throttled.retry_after, "Too many failed sign-ins.") from None


async def _check_password(request: Request, attempt: Attempt, password_hash: str, password: str) -> bool:
    try:
        return await _password_work(request).verify(password_hash, password)
    except PasswordWorkBusy:
        attempt.cancel()
        raise _busy() from None


async def _refuse_weak(request: Request, password: str, username: str) -> None:
    settings = _settings(request)
    try:
        weak = await _password_work(request).weakness(password, [username], settings.password_min_score)
    except PasswordWorkBusy:
        raise _busy() from None
    if weak is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=weak.message)


async def _hash(request: Request, password: str) -> str:
    try:
        return await _password_work(request).hash(password)
    except PasswordWorkBusy:
        raise _busy() from None


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses=TAKEN | WEAK_PASSWORD | TOO_MANY,
)
async def register(body: Credentials, request: Request) -> User:
    """Create an account. The password must not be easy to guess (zxcvbn's estimate); it is stored as
    an Argon2 hash."""
    taken = HTTPException(status.HTTP_409_CONFLICT, detail="That username is taken")
    if await _in_session(request, lambda s: accounts.username_taken(s, body.username)):
        raise taken
    await _refuse_weak(request, body.password, body.username)
    password_hash = await _hash(request, body.password)
    try:
        return await _in_session(request, lambda s: accounts.create_user(s, body.username, password_hash))
    except accounts.UsernameTaken:
        raise taken from None


def _set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_lifetime_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


@router.post("/login", response_model=LoginResult, responses=WRONG_CREDENTIALS | TOO_MANY)
async def login(body: LoginBody, request: Request, response: Response) -> LoginResult:
    """Sign in (the name in any case): returns a bearer token and sets the same token as an HttpOnly
    cookie. Failed attempts are throttled per account and per client address (429 with `Retry-After`)."""
    settings = _settings(request)
    attempt = _begin_attempt(request, body.username.lower())
    user = await _in_session(request, lambda s: accounts.find_user(s, body.username))
    # An unknown name costs the same hash as a known one, so timing does not tell which names exist.
    right = await _check_password(request, attempt, user.password_hash if user else DUMMY_HASH, body.password)
    if user is None or not right:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Wrong username or password")
    attempt.succeeded()
    user_id = user.id
    lifetime = timedelta(hours=settings.token_lifetime_hours)
    token = await _in_session(request, lambda s: accounts.open_session(s, user_id, lifetime))
    _set_session_cookie(response, token, settings)

    device = request.cookies.get(DEVICE_COOKIE) or new_token()
    _throttle(request).trust_device(user.username_lower, token_digest(device))
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/api/auth",
    )
    return LoginResult(access_token=token, user=UserPublic.model_validate(user))


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WRONG_CURRENT | WEAK_PASSWORD | TOO_MANY,
)
async def change_password(
    body: PasswordChange, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Change the password (the current one is asked again). Every other session of the user ends;
    this one goes on."""
    user_id, username, account = user.id, user.username, user.username_lower
    password_hash = user.password_hash
    session.close()  # no database connection held while the hashes wait their turn

    attempt = _begin_attempt(request, account)
    if not await _check_password(request, attempt, password_hash, body.current_password):
        # 400, not 401: the session is fine, and a 401 would sign the browser out.
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="The current password is wrong")
    attempt.succeeded()
    await _refuse_weak(request, body.new_password, username)
    new_hash = await _hash(request, body.new_password)
    keep = request_token(request)
    await _in_session(request, lambda s: accounts.set_password(s, user_id, new_hash, keep_token=keep))
    _throttle(request).forget_devices(account, keep=_device(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, session: SessionDep, user: CurrentUser) -> Response:
    """End this session: the token stops working at once."""
    token = request_token(request)
    if token:
        accounts.end_session(session, token)
    response.status_code = status.HTTP_204_NO_CONTENT
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
def logout_all(request: Request, response: Response, session: SessionDep, user: CurrentUser) -> Response:
    """Sign out everywhere: every session of the user ends at once, this one included, and no browser
    stays trusted past the sign-in throttle."""
    accounts.end_all_sessions(session, user.id)
    _throttle(request).forget_devices(user.username_lower)
    response.status_code = status.HTTP_204_NO_CONTENT
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    """The signed-in user."""
    return user
