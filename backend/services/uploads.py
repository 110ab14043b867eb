"""Stream a multipart upload straight to a temporary file, refusing it as soon as it passes the limit.

:func:`receive_file_consumed` also hands the file, while it arrives, to a function run in a worker
thread (a dataset upload is parsed while it is received).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Generic, TypeVar

import anyio
import anyio.abc
from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from backend.core.config import Settings
from backend.core.disk import InsufficientStorage, ensure_free_space, free_bytes, is_disk_full
from backend.services.growing_file import GrowingFile

MAX_FIELD_BYTES = 4096
STREAMED_CONSUMERS = 4  # uploads consumed while they arrive at once (see receive_file_consumed)
DISK_FULL = (
    "The server ran out of disk space while receiving the upload; nothing was kept. "
    "Free space in its data folder (or ask the administrator to), then upload again."
)


_streaming_slots = threading.BoundedSemaphore(STREAMED_CONSUMERS)


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
        self.complete = False  # the closing boundary was seen

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
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
        if self._part == "file":
            self.file_bytes += end - start
            if self.file_bytes > self.max_bytes:
                raise UploadTooLarge()
            with memoryview(data) as view:  # written without a copy of the piece
                self.out.write(view[start:end])
        elif len(self._buffer) + end - start <= MAX_FIELD_BYTES:
            self._buffer += data[start:end]

    def on_part_end(self) -> None:
        if self._part not in (None, "file"):
            self.fields[self._part] = self._buffer.decode("utf-8", "replace")

    def on_end(self) -> None:
        self.complete = True


def ensure_room_for_upload(settings: Settings, declared_length: str) -> None:
    """Refuse an upload while free space is below the floor, or would be after a body this long."""
    ensure_free_space(settings, "uploads")
    if declared_length.isdigit():
        free, length = free_bytes(settings.data_dir), int(declared_length)
        if free - length < settings.min_free_bytes:
            raise InsufficientStorage(
                f"The server's data folder has {free / 1024**2:.0f} MB free, too little for this upload "
                f"({length / 1024**2:.0f} MB) plus the {settings.min_free_bytes / 1024**2:.0f} MB it keeps "
                "free (STUDIO_MIN_FREE_BYTES); the upload is refused."
            )


def _refuse_nul(upload: ReceivedUpload) -> None:
    """PostgreSQL cannot store NUL in text, and no real file or dataset name holds one."""
    if "\x00" in upload.filename:
        raise BadUpload("The file name contains a NUL character.")
    for name, value in upload.fields.items():
        if "\x00" in value:
            raise BadUpload(f"The form field {name!r} contains a NUL character.")


def _multipart_boundary(request: Request, max_bytes: int) -> bytes:
    """The boundary of a `multipart/form-data` request whose declared length is within the limit."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload("Send the file as multipart/form-data with a 'file' field.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise UploadTooLarge()
    return options[b"boundary"]


def _new_upload_file(tmp_dir: Path) -> tuple[int, Path]:
    """A new empty file in `tmp_dir`: its descriptor and path."""
    try:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".upload")
    except OSError as exc:
        if is_disk_full(exc):
            raise InsufficientStorage(DISK_FULL) from None
        raise
    return fd, Path(tmp_name)


async def receive_file(request: Request, tmp_dir: Path, max_bytes: int) -> ReceivedUpload:
    """Parse `multipart/form-data`, writing the `file` part to `tmp_dir`; nothing is left if it fails."""
    return await _receive(request, tmp_dir, max_bytes, None)


Result = TypeVar("Result")


@dataclass
class Consumed(Generic[Result]):
    """What the function given to :func:`receive_file_consumed` returned, or the exception it raised."""

    value: Result | None = None
    error: Exception | None = None

    def result(self) -> Result:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


async def receive_file_consumed(
    request: Request, tmp_dir: Path, max_bytes: int, consume: Callable[[GrowingFile, str], Result]
) -> tuple[ReceivedUpload, Consumed[Result]]:
    """:func:`receive_file`, running `consume(file, filename)` in a worker thread from the moment the
    file part begins, so that it reads the file while it arrives (see :class:`GrowingFile`).

    If receiving fails, `consume` sees :class:`UploadAborted` on its next read, is waited for, and the
    error is raised as :func:`receive_file` raises it (what `consume` did is dropped: it must leave
    nothing behind when it fails). Otherwise what `consume` returned or raised comes with the upload.
    A body without a file part never calls `consume` (and fails).

    At most STREAMED_CONSUMERS uploads are consumed while they arrive, each in a thread of its own; any
    more are consumed once received, in the server's usual worker threads (as a route's blocking work
    is): a client that stalls mid-upload holds one of those slots, never a worker others need.
    """
    received: ReceivedUpload | None = None
    failure: Exception | None = None
    async with anyio.create_task_group() as tasks:
        consumer = _Consumer(consume, tasks)
        try:
            received = await _receive(request, tmp_dir, max_bytes, consumer.arrived)
        except Exception as exc:  # raised once the consumer has stopped (not from the task group)
            failure = exc
        finally:
            consumer.received(received)
    if failure is not None:
        raise failure
    assert received is not None
    return received, consumer.consumed


class _Consumer(Generic[Result]):
    """Runs `consume` for :func:`receive_file_consumed`: while the file arrives if a slot is free, else
    once it has arrived."""

    def __init__(self, consume: Callable[[GrowingFile, str], Result], tasks: anyio.abc.TaskGroup) -> None:
        self.consume, self.tasks = consume, tasks
        self.consumed: Consumed[Result] = Consumed()
        self.growing: GrowingFile | None = None
        self.streamed = False

    def arrived(self, path: Path, reader: _FormReader) -> None:
        if self.growing is None:
            self.growing = GrowingFile(path)
            self.streamed = _streaming_slots.acquire(blocking=False)
            if self.streamed:
                self.tasks.start_soon(partial(self._run, self.growing, reader.filename, own_thread=True))
        self.growing.grew(reader.file_bytes)

    def received(self, upload: ReceivedUpload | None) -> None:
        """The body was received (`upload`) or receiving failed (None)."""
        if self.growing is None:
            return
        if upload is None:
            self.growing.abort()
            return
        self.growing.complete()
        if not self.streamed:
            self.tasks.start_soon(partial(self._run, self.growing, upload.filename, own_thread=False))

    async def _run(self, growing: GrowingFile, filename: str, *, own_thread: bool) -> None:
        try:
            limiter = anyio.CapacityLimiter(1) if own_thread else None  # None: the shared workers
            consume = partial(self.consume, growing, filename)
            self.consumed.value = await anyio.to_thread.run_sync(consume, limiter=limiter)
        except Exception as exc:  # handed to the caller, after the outcome of receiving
            self.consumed.error = exc
        finally:
            if own_thread:
                _streaming_slots.release()


def _tell_arrived(
    arrived: Callable[[Path, _FormReader], None] | None, path: Path, reader: _FormReader, out: IO[bytes]
) -> None:
    if arrived is not None and reader.file_seen:
        out.flush()  # what `arrived` is told of must be readable from the file
        arrived(path, reader)


async def _receive(
    request: Request,
    tmp_dir: Path,
    max_bytes: int,
    arrived: Callable[[Path, _FormReader], None] | None,
) -> ReceivedUpload:
    """:func:`receive_file`; `arrived(path, reader)` is told after each piece of the file part is on disk."""
    boundary = _multipart_boundary(request, max_bytes)
    fd, path = _new_upload_file(tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            reader = _FormReader(out, max_bytes)
            parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
            async for chunk in request.stream():
                parser.write(chunk)
                _tell_arrived(arrived, path, reader, out)
            parser.finalize()
            _tell_arrived(arrived, path, reader, out)
        if not reader.file_seen:
            raise BadUpload("The form has no 'file' field.")
        if not reader.complete:  # cut short: the file part may hold only part of the file
            raise BadUpload("The multipart body ended before its closing boundary; send the whole form.")
        upload = ReceivedUpload(path, reader.filename, reader.file_bytes, reader.fields)
        _refuse_nul(upload)
    except (UploadTooLarge, BadUpload):
        path.unlink(missing_ok=True)
        raise
    except Exception as exc:  # a malformed body, the client went away, or the disk filled: keep nothing
        path.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise InsufficientStorage(DISK_FULL) from None
        raise BadUpload(f"The multipart body could not be read: {exc}") from None
    return upload
