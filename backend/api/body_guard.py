"""Every request body is bounded and every JSON body well-formed before any route sees it.

A pure ASGI middleware: it reads a body (refusing it past STUDIO_MAX_JSON_BYTES), checks JSON for
what Python's parser accepts but the rest of the studio cannot store or show (nesting deeper than
STUDIO_MAX_JSON_DEPTH, strings longer than STUDIO_MAX_STRING_CHARS, NUL characters, lone UTF-16
surrogates, NaN/Infinity, integers beyond ±2^53), then hands the same bytes on. Multipart uploads
are streamed by their own route, which enforces the upload limit.

Paths matching ``own_json_check`` (a scoring service's score route) get the size cap only: their route
parses the body once with a strict parser and answers every fault itself; walking a 10,000-row body
here as well would cost more than scoring it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.config import Settings
from backend.core.limits import LimitExceeded

#: The largest integer a browser (a JavaScript number) holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
#: Bodies larger than this are checked in a worker thread, not on the event loop.
THREAD_AFTER_BYTES = 16 * 1024
BODYLESS_METHODS = {"GET", "HEAD", "OPTIONS", "DELETE"}


class BadJson(Exception):
    """JSON the studio refuses; answered like FastAPI's validation errors (a 422 with `loc`)."""

    def __init__(self, code: str, message: str, loc: tuple[str | int, ...] = ("body",)) -> None:
        super().__init__(message)
        self.code, self.message, self.loc = code, message, loc

    def to_detail(self) -> list[dict[str, object]]:
        return [{"type": self.code, "loc": list(self.loc), "msg": self.message}]


class BodyGuard:
    def __init__(
        self, app: ASGIApp, settings: Settings, own_json_check: re.Pattern[str] | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.own_json_check = own_json_check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _content_type(scope).startswith("multipart/form-data"):
            await self.app(scope, receive, send)
            return
        if scope["method"] in BODYLESS_METHODS and not _declared_length(scope):
            await self.app(scope, receive, send)
            return
        try:
            body, tail = await self._read(scope, receive)
            if body and _is_json(_content_type(scope)) and not self._checks_own_json(scope):
                check = self._checker(body)
                if len(body) > THREAD_AFTER_BYTES:
                    await anyio.to_thread.run_sync(check)
                else:
                    check()
        except LimitExceeded as exc:
            await _answer(send, exc.status, exc.to_detail())
            return
        except BadJson as exc:
            await _answer(send, 422, exc.to_detail())
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return tail or await receive()

        await self.app(scope, replay, send)

    def _checks_own_json(self, scope: Scope) -> bool:
        return self.own_json_check is not None and bool(self.own_json_check.match(scope["path"]))

    async def _read(self, scope: Scope, receive: Receive) -> tuple[bytes, Message | None]:
        cap = self.settings.max_json_bytes
        declared = _declared_length(scope)
        if declared is not None and declared > cap:
            raise _too_large(cap)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the route hear it
                return b"".join(chunks), message
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise _too_large(cap)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None

    def _checker(self, body: bytes) -> Callable[[], None]:
        settings = self.settings

        def check() -> None:
            try:
                value = json.loads(body, parse_constant=_refuse_constant)
            except RecursionError:
                raise BadJson(
                    "json_too_deep",
                    f"The JSON body is nested more than {settings.max_json_depth} levels deep "
                    "(STUDIO_MAX_JSON_DEPTH).",
                ) from None
            except ValueError:  # not JSON at all: the route answers with its usual 422
                return
            _check_value(value, settings)

        return check


def _refuse_constant(name: str) -> Any:
    raise BadJson("json_not_finite", f"The JSON body contains {name}, which is not a number JSON allows.")


def _check_value(root: Any, settings: Settings) -> None:
    """Walk the parsed body without recursion; raise at the first thing the studio refuses."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(root, ("body",))]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, dict | list):
            if len(loc) > settings.max_json_depth:
                raise BadJson(
                    "json_too_deep",
                    f"The JSON body is nested more than {settings.max_json_depth} levels deep at "
                    f"{_where(loc)} (STUDIO_MAX_JSON_DEPTH).",
                    loc[:8],
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_string(key, loc, settings)
                stack.append((item, (*loc, key)))
        elif isinstance(value, str):
            _check_string(value, loc, settings)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
            raise BadJson(
                "number_too_large",
                f"The number at {_where(loc)} is beyond ±2^53 (9007199254740991), more than a browser "
                "holds exactly.",
                loc,
            )


def _check_string(text: str, loc: tuple[str | int, ...], settings: Settings) -> None:
    if len(text) > settings.max_string_chars:
        raise LimitExceeded(
            422,
            "string_too_long",
            "STUDIO_MAX_STRING_CHARS",
            f"The text at {_where(loc)} has {len(text)} characters; at most {settings.max_string_chars} "
            "are allowed.",
            loc,
        )
    if "\x00" in text:
        raise BadJson("nul_character", f"The text at {_where(loc)} contains a NUL character (\\u0000).", loc)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadJson(
                "invalid_unicode",
                f"The text at {_where(loc)} contains a lone UTF-16 surrogate (an escape such as \\ud800 "
                "that is half of a character).",
                loc,
            ) from None


def _where(loc: tuple[str | int, ...]) -> str:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    return where if len(where) <= 120 else where[:117] + "..."


def _too_large(cap: int) -> LimitExceeded:
    return LimitExceeded(
        413,
        "body_too_large",
        "STUDIO_MAX_JSON_BYTES",
        f"The request body is larger than {cap} bytes (uploads go to POST /api/datasets as multipart).",
    )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _content_type(scope: Scope) -> str:
    return _header(scope, b"content-type").strip().lower()


def _declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length").strip()
    return int(value) if value.isdigit() else None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip()
    return media == "application/json" or media.endswith("+json") or media == ""


async def _answer(send: Send, status: int, detail: list[dict[str, object]]) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
