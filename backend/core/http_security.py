"""What every response and every state-changing request goes through: security headers, the same-origin
check for cookie-authenticated requests, proxy addresses only when configured, and 422 bodies that
never echo what was sent (a password, a token).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backend.core.config import Settings
from backend.core.security import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: They set the session cookie: a page of another site must not sign the browser in to an account
#: of the attacker's choosing ("login CSRF"), cookie or not.
COOKIE_SETTING_PATHS = frozenset({"/api/auth/login", "/api/auth/register"})


#: The app and /docs: only their own scripts and styles, nothing from elsewhere, never in a frame.
#: (React sets styles through the DOM, which style-src does not govern; no inline <style> is needed.)
APP_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and the other security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", APP_CSP)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_session_cookie(headers: Headers) -> bool:
    # Parsed exactly as the app reads it (Request.cookies), so the check and the sign-in agree.
    return any(SESSION_COOKIE in cookie_parser(header) for header in headers.getlist("cookie"))


def _has_bearer_token(headers: Headers) -> bool:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip())


class SameOriginMiddleware:
    """Refuses (403) a state-changing request that a page of another origin made with the browser's cookie.

    Applies to POST/PUT/PATCH/DELETE (any body: JSON, none, multipart) that carry the session cookie,
    and to sign-in and sign-up. Allowed when the browser says `Sec-Fetch-Site: same-origin`, or the
    `Origin` is this server's own (the `Host` it was asked for) or one of `trusted_origins`.

    Not checked: requests with a bearer token (a page of another site cannot make the browser send
    one: scripts hold them), and requests with neither `Origin` nor `Sec-Fetch-Site`. Every browser
    the app supports sends `Origin` on a cross-origin POST (and `Sec-Fetch-Site` on every request),
    so such a request comes from a program (curl, a script with a cookie jar), which can send
    whatever headers it likes anyway; refusing it would protect nothing. The SameSite=Lax session
    cookie is the second line: browsers do not send it with cross-site POSTs at all; this check also
    covers same-site pages of other origins (another app on a sibling subdomain) and older browsers.
    """

    def __init__(self, app: ASGIApp, trusted_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted_origins = frozenset(trusted_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        needs_check = not _has_bearer_token(headers) and (
            scope["path"] in COOKIE_SETTING_PATHS or _has_session_cookie(headers)
        )
        if needs_check and not self.same_origin(headers):
            response = JSONResponse(
                {"detail": "Refused: this request came from another site (Origin / Sec-Fetch-Site)"},
                status_code=403,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def same_origin(self, headers: Headers) -> bool:
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site == "same-origin":
            return True  # the browser's own verdict (proxies that rewrite Host do not change it)
        origin = headers.get("origin")
        if origin is not None:
            origin = origin.strip().rstrip("/").lower()
            if origin in self.trusted_origins:
                return True
            host = headers.get("host", "").lower()
            parts = urlsplit(origin)
            return bool(host) and parts.scheme in ("http", "https") and parts.netloc == host
        if fetch_site is not None:
            return fetch_site == "none"  # typed or bookmarked by the user, not sent by a page
        return True  # neither header: not a browser (see the class comment)


async def validation_error_without_input(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 body without each error's `input`: it may be a password or a token."""
    assert isinstance(exc, RequestValidationError)
    errors = [{key: value for key, value in error.items() if key != "input"} for error in exc.errors()]
    return JSONResponse(status_code=422, content=jsonable_encoder({"detail": errors}))


def install_http_security(app: FastAPI, settings: Settings) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_without_input)
    app.add_middleware(SameOriginMiddleware, trusted_origins=settings.trusted_origin_list)
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost, so that everything after sees the real client address and scheme. Off unless
    # configured: X-Forwarded-For is whatever the client wrote, unless our own proxy wrote it.
    if settings.trusted_proxy_list:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
