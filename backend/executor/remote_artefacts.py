"""The shared copy of the artefacts at an fsspec location (``STUDIO_ARTEFACTS_URL``: ``s3://bucket/prefix``,
``file:///mnt/shared/artefacts``, …) that every worker of one studio reads and writes.

The :class:`~backend.executor.artefacts.ArtefactStore` always works on a local folder (memory-mapped
Arrow, hard links, path-based readers); with a URL that folder is a write-through cache of this location:
a file written locally is put here under the same relative path (``<key[:2]>/<file name>``), and a file
missing locally is fetched from here first. Stored files never change (a key is written once), so a
cached copy is never stale.

Atomicity: object stores (S3, GCS, Azure) make a put visible whole or not at all, so a file is put under
its own name; on any other file system (``file://``, SFTP, fsspec's ``memory://``, which shows a file
while it is being written) it is put under a temporary name ending ``.tmp`` and then moved into place
(a rename there). A download lands beside its local file under a
temporary name and is renamed into place. A table stored as several files (its input's columns, then its
own, :func:`modules.storage.arrow_part`) is put and fetched parts first, its main file last: whoever sees
the main file finds its parts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

from fsspec.core import url_to_fs

#: fsspec protocols whose puts are atomic (an object appears whole or not at all).
ATOMIC_PUT_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss"})
#: A stored file's path relative to the store: ``<two hex digits>/<32 hex digits>.<suffixes>``.
_RELATIVE = re.compile(r"^([0-9a-f]{2})/(\1[0-9a-f]{30})\.[a-z0-9_.]+$")
#: A partitioned table at the shared location: its parts ``<key>.p00000.parquet``, … (one file each, no
#: folder: object stores have none), then the list of their rows, ``<key>.parquet.parts``, put last.
PARTS_LIST_SUFFIX = ".parquet.parts"
#: Where a worker on a machine without the server's artefact folder caches what it reads and writes.
WORKER_CACHE = "cluster-studio-artefacts"


def local_root(artefact_root: str, url: str) -> Path:
    """The local folder a node task's store works through.

    Without a URL, the server's artefact folder (the shared path, as it always was). With one, that same
    folder where this machine has it and may write to it (a worker beside the server, or sharing its data
    volume: what it writes is then already in the server's cache), else ``<temp dir>/cluster-studio-
    artefacts`` on this machine (a worker elsewhere: its own cache of what it read and wrote).
    """
    root = Path(artefact_root)
    if not url or (artefact_root and root.is_dir() and os.access(root, os.W_OK)):
        return root
    return Path(tempfile.gettempdir()) / WORKER_CACHE


def relative_name(path: Path) -> str:
    """A local stored file's path relative to the store (the same at every location)."""
    return f"{path.parent.name}/{path.name}"


def part_relative(key: str, index: int) -> str:
    """Where part `index` of a partitioned table is at the shared location."""
    return f"{key[:2]}/{key}.p{index:05d}.parquet"


def put_part(url: str, key: str, local: Path, index: int) -> None:
    """Put part `index` of the partitioned table `key` at the shared location `url` (run by the part's
    task on whichever worker computed it)."""
    RemoteArtefacts(url).put(local, part_relative(key, index))


def is_stored_file(relative: str) -> bool:
    """Whether a relative path names a file of the store (``<2 hex>/<key>.<suffixes>``)."""
    return bool(_RELATIVE.match(relative))


class RemoteArtefacts:
    """Stored files at an fsspec URL, by relative path. Paths come only from server-generated hex keys."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fs: Any
        self.fs, base = url_to_fs(url)
        self.base = str(base).rstrip("/")
        protocols = {self.fs.protocol} if isinstance(self.fs.protocol, str) else set(self.fs.protocol)
        self.atomic_put = bool(protocols & ATOMIC_PUT_PROTOCOLS)

    def _path(self, relative: str) -> str:
        if not _RELATIVE.match(relative):
            raise ValueError(f"not a stored file: {relative!r}")
        return f"{self.base}/{relative}"

    def put(self, local: Path, relative: str) -> None:
        """Copy a local file to the shared location, atomically (see the module's docstring)."""
        target = self._path(relative)
        if self.atomic_put:
            self.fs.put_file(str(local), target)
            return
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        staging = f"{target}.{uuid.uuid4().hex}.tmp"
        try:
            self.fs.put_file(str(local), staging)
            self.fs.mv(staging, target)
        except BaseException:
            with contextlib.suppress(Exception):  # nothing half-written stays behind
                self.fs.rm_file(staging)
            raise

    def get(self, relative: str, local: Path) -> bool:
        """Fetch a file into its local place (downloaded aside, then renamed); False if it is not stored."""
        source = self._path(relative)
        local.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f"{local.name}.", suffix=".tmp", dir=local.parent)
        os.close(handle)
        try:
            self.fs.get_file(source, name)
            os.replace(name, local)
        except FileNotFoundError:
            return False
        finally:
            Path(name).unlink(missing_ok=True)
        return True

    def part_url(self, key: str, index: int) -> str:
        """Part `index` of a partitioned table as a URL a worker can read it from (pandas, pyarrow)."""
        return str(self.fs.unstrip_protocol(self._path(part_relative(key, index))))

    def put_parts_list(self, key: str, lengths: list[int]) -> None:
        """Mark a partitioned table complete: the rows of each of its parts, put after the parts."""
        handle, name = tempfile.mkstemp(suffix=".tmp")
        try:
            with os.fdopen(handle, "w") as out:
                json.dump(lengths, out)
            self.put(Path(name), f"{key[:2]}/{key}{PARTS_LIST_SUFFIX}")
        finally:
            Path(name).unlink(missing_ok=True)

    def parts_list(self, key: str) -> list[int] | None:
        """The rows of each part of the partitioned table `key`, None if there is no such table."""
        try:
            with self.fs.open(self._path(f"{key[:2]}/{key}{PARTS_LIST_SUFFIX}"), "rb") as handle:
                lengths = json.load(handle)
        except FileNotFoundError:
            return None
        return [int(n) for n in lengths]

    def names(self, key: str) -> list[str]:
        """The names of the files stored under a key (the artefact, its parts, its derived payloads)."""
        found = self.fs.glob(f"{self.base}/{key[:2]}/{key}.*")
        return sorted(name for path in found if not (name := str(path).rsplit("/", 1)[-1]).endswith(".tmp"))

    def delete(self, key: str) -> None:
        for path in self.fs.glob(f"{self.base}/{key[:2]}/{key}.*"):
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm_file(path)

    def remove(self, relative: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._path(relative))

    def listing(self) -> list[str]:
        """Every stored file, as relative paths; anything else under the URL is none of the store's."""
        prefix = f"{self.base}/"
        found = (str(path) for path in self.fs.find(self.base))
        relative = (path[len(prefix) :] for path in found if path.startswith(prefix))
        return sorted(path for path in relative if _RELATIVE.match(path))
