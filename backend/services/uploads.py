"""Stream a multipart upload straight to a temporary file, refusing it as soon as it passes the limit."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 4096


class UploadTooLarge(Exception):
    """The body passed the configured size limit."""


class BadUpload(Exception):
    """The body is not a multipart form with a `file` part."""


@dataclass
class ReceivedUpload:
    path: Path
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _disposition(headers: dict[bytes, bytes]) -> tuple[str, str | None]:
    _, options = parse_options_header(headers.get(b"content-disposition", b""))
    name = options.get(b"name", b"").decode("utf-8", "replace")
    filename = options.get(b"filename")
    return name, filename.decode("utf-8", "replace") if filename is not None else None


async def receive_file(request: Request, tmp_dir: Path, max_bytes: int) -> ReceivedUpload:
    """Parse `multipart/form-data`, writing the `file` part to `tmp_dir`; other parts are small fields."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload("Send the file as multipart/form-data with a 'file' field.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise UploadTooLarge()

    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".upload")
    out = os.fdopen(fd, "wb")
    state: dict = {"headers": {}, "field": b"", "value": b"", "part": None, "file_seen": False}
    fields: dict[str, str] = {}
    received = {"file_bytes": 0, "filename": ""}

    def on_part_begin() -> None:
        state["headers"], state["part"], state["buffer"] = {}, None, bytearray()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        name, filename = _disposition(state["headers"])
        if name == "file" and not state["file_seen"]:
            state["part"], state["file_seen"] = "file", True
            received["filename"] = filename or ""
        else:
            state["part"] = name

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if state["part"] == "file":
            received["file_bytes"] += len(chunk)
            if received["file_bytes"] > max_bytes:
                raise UploadTooLarge()
            out.write(chunk)
        elif len(state["buffer"]) + len(chunk) <= MAX_FIELD_BYTES:
            state["buffer"] += chunk

    def on_part_end() -> None:
        if state["part"] not in (None, "file"):
            fields[state["part"]] = state["buffer"].decode("utf-8", "replace")

    parser = MultipartParser(
        options[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        out.close()
        if not state["file_seen"]:
            raise BadUpload("The form has no 'file' field.")
    except (UploadTooLarge, BadUpload):
        out.close()
        Path(tmp_name).unlink(missing_ok=True)
        raise
    except Exception as exc:  # a malformed body, or the client went away: keep nothing
        out.close()
        Path(tmp_name).unlink(missing_ok=True)
        raise BadUpload(f"The multipart body could not be read: {exc}") from None
    return ReceivedUpload(Path(tmp_name), received["filename"], received["file_bytes"], fields)
