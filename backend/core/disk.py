"""Free space in the data folder: a floor below which new uploads and runs are refused (507)."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from backend.core.config import Settings


class InsufficientStorage(Exception):
    """The data folder is (nearly) full; the API answers 507 with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def free_bytes(path: Path) -> int:
    """Bytes available to this process on the file system holding `path` (0 if it cannot be read)."""
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


def ensure_free_space(settings: Settings, what: str) -> None:
    """Refuse `what` (e.g. "uploads") while free space in the data folder is below the floor."""
    free = free_bytes(settings.data_dir)
    if free < settings.min_free_bytes:
        raise InsufficientStorage(
            f"The server's data folder has {free / 1024**2:.0f} MB free, below the "
            f"{settings.min_free_bytes / 1024**2:.0f} MB floor (STUDIO_MIN_FREE_BYTES); {what} are refused "
            "until space is freed."
        )


def is_disk_full(exc: BaseException) -> bool:
    """An OSError saying the disk (or the user's quota) is full.

    Arrow's IO errors are OSErrors without an errno; they carry it in the message instead.
    """
    if not isinstance(exc, OSError):
        return False
    return exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc)
