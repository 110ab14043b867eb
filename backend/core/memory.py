"""Give memory a large request used back to the operating system.

Arrow keeps freed buffers in its allocator's pools and glibc keeps freed heap pages in its arenas, so
after a big upload or a whole-table read the server process would otherwise stay as large as its peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable
from functools import cache

import pyarrow as pa

_trim_lock = threading.Lock()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None on other C libraries (musl, macOS)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> None:
    """Return unused Arrow pool memory and free glibc heap pages to the OS (cheap; safe from any thread)."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None and _trim_lock.acquire(blocking=False):  # one trim at a time is enough
        try:
            trim(0)
        finally:
            _trim_lock.release()
