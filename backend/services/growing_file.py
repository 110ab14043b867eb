"""A file one thread writes while another reads it: an upload parsed while it is still arriving.

The writer (the request's receiving loop) appends to the file and then says how long it is
(:meth:`GrowingFile.grew`); at the end it says the file is whole (:meth:`complete`) or that the upload
failed (:meth:`abort`). A reader (:meth:`open`) reads the file like any other, except that a read past
what has arrived waits for more; it sees the end of the file only once the file is whole, and
:class:`UploadAborted` if the upload failed, so it never takes part of a file for all of it.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path


class UploadAborted(Exception):
    """The file being read will not be completed (the upload failed); the reader stops."""


class GrowingFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._changed = threading.Condition()
        self._size = 0  # bytes written to the file and visible to readers
        self._whole = False
        self._aborted = False
        self._wanted: int | None = None  # the size a reader waits for (a wake-up per piece would be waste)
        self._n_waiting = 0  # readers waiting for more

    # The writer's side.

    def grew(self, size: int) -> None:
        """The file now holds `size` bytes (its writer flushed them)."""
        with self._changed:
            self._size = size
            if self._wanted is not None and size >= self._wanted:
                self._changed.notify_all()

    def complete(self) -> None:
        """The file is whole: readers see its end."""
        with self._changed:
            self._whole = True
            self._changed.notify_all()

    def abort(self) -> None:
        """The file will never be whole: readers get :class:`UploadAborted`."""
        with self._changed:
            self._aborted = True
            self._changed.notify_all()

    @property
    def reader_waiting(self) -> bool:
        """Whether a reader is waiting for more of the file."""
        with self._changed:
            return self._n_waiting > 0

    # The readers' side.

    def wait_for(self, size: int) -> int:
        """Wait until the file holds `size` bytes or is whole; the bytes it holds then."""
        with self._changed:
            while not self._aborted and not self._whole and self._size < size:
                self._wanted = size
                self._wait()
            self._wanted = None
            if self._aborted:
                raise UploadAborted()
            return self._size

    def wait_whole(self) -> int:
        """Wait until the file is whole; its size."""
        with self._changed:
            while not self._aborted and not self._whole:
                self._wait()
            if self._aborted:
                raise UploadAborted()
            return self._size

    def _wait(self) -> None:
        self._n_waiting += 1
        try:
            self._changed.wait()
        finally:
            self._n_waiting -= 1

    def head(self, size: int) -> bytes:
        """The first `size` bytes of the file (all of it if shorter), once they have arrived."""
        with self.open() as reader:
            return reader.read(size)

    def open(self) -> _GrowingReader:
        """An unbuffered binary reader of the file, waiting at what has arrived until the file is whole."""
        return _GrowingReader(self)


class _GrowingReader(io.RawIOBase):
    def __init__(self, growing: GrowingFile) -> None:
        super().__init__()
        self._growing = growing
        self._file = growing.path.open("rb", buffering=0)
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        """Fill `buffer` as far as the file allows: wait until it has arrived in full or the file is whole."""
        with memoryview(buffer) as view:
            wanted = self._position + len(view)
            available = min(self._growing.wait_for(wanted), wanted) - self._position
            filled = 0
            while filled < available and (n_read := self._file.readinto(view[filled:available])):
                filled += n_read
        self._position += filled
        return filled

    def close(self) -> None:
        self._file.close()
        super().close()
