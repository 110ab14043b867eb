"""Stream a multipart upload straight to a temporary file, refusing it as soon as it passes the limit."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

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


class _FormReader:
    """Callbacks for python-multipart: the first `file` part goes to `out`, other parts are small fields."""

    def __init__(self, out: IO[bytes], max_bytes: int) -> None:
        self.out = out
        self.max_bytes = max_bytes
        self.file_bytes = 0
        self.filename = ""
        self.file_seen = False
        self.fields: dict[str, str] = {}
        self._headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._part: str | None = None
        self._buffer = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self._headers, self._part, self._buffer = {}, None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == "file" and not self.file_seen:
            self._part, self.file_seen = "file", True
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")
        else:
            self._part = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._part == "file":
            self.file_bytes += len(chunk)
            if self.file_bytes > self.max_bytes:
                raise UploadTooLarge()
            self.out.write(chunk)
        elif len(self._buffer) + len(chunk) <= MAX_FIELD_BYTES:
            self._buffer += chunk

    def on_part_end(self) -> None:
        if self._part not in (None, "file"):
            self.fields[self._part] = self._buffer.decode("utf-8", "replace")


async def receive_file(request: Request, tmp_dir: Path, max_bytes: int) -> ReceivedUpload:
    """Parse `multipart/form-data`, writing the `file` part to `tmp_dir`; nothing is left if it fails."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload("Send the file as multipart/form-data with a 'file' field.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise UploadTooLarge()

    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".upload")
    path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            reader = _FormReader(out, max_bytes)
            parser = MultipartParser(options[b"boundary"], reader.callbacks())  # type: ignore[arg-type]
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        if not reader.file_seen:
            raise BadUpload("The form has no 'file' field.")
    except (UploadTooLarge, BadUpload):
        path.unlink(missing_ok=True)
        raise
    except Exception as exc:  # a malformed body, or the client went away: keep nothing
        path.unlink(missing_ok=True)
        raise BadUpload(f"The multipart body could not be read: {exc}") from None
    return ReceivedUpload(path, reader.filename, reader.file_bytes, reader.fields)
