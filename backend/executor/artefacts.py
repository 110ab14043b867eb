"""Node outputs on disk, each written and read as its port type declares (:mod:`modules.ports`).

Paths come only from server-generated hex keys, never from anything a user sent. With an fsspec URL
(``STUDIO_ARTEFACTS_URL``) the local folder is a write-through cache of that shared location
(:mod:`backend.executor.remote_artefacts`): every write is put there too, a file missing here is fetched
from there first.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from backend.executor.remote_artefacts import (
    PARTS_LIST_SUFFIX,
    RemoteArtefacts,
    is_stored_file,
    part_relative,
    put_part,
    relative_name,
)
from modules.partitioned import PartitionedTable, part_name
from modules.ports import PORT_TYPES
from modules.storage import (
    ARROW_SUFFIX,
    PARQUET_SUFFIX,
    arrow_files,
    arrow_part,
    arrow_table,
    frame_from_arrow,
    is_partitioned,
    joined,
    own_columns,
    parquet_parts,
    read_arrow_files,
    shared_files,
    write_arrow_table,
)

_KEY = re.compile(r"^[0-9a-f]{32}$")
#: Hard links to one stored file, at most (file systems cap them, e.g. ext4 at 65,000): beyond, an
#: output is written whole.
MAX_LINKS = 60_000


@dataclass(frozen=True)
class ArtefactRef:
    """A stored value: its key and port type; ``view`` is how its output port asks to show it (known
    from the module's declaration when the ref is loaded for a node, never stored)."""

    key: str
    type: str
    view: str | None = None

    @property
    def shown_as(self) -> str:
        return self.view or PORT_TYPES[self.type].view

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "type": self.type}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArtefactRef:
        return cls(key=str(data["key"]), type=str(data["type"]))


def _link_parts(files: list[Path], final: Path, linked: list[Path]) -> bool:
    """Hard-link `files` as the parts of the table stored at `final` (each appended to `linked`);
    False, with none left, where there can be no hard links (file system, link limit)."""
    try:
        for index, file in enumerate(files):
            linked.append(arrow_part(final, index))
            os.link(file, linked[-1])
    except OSError:
        for part in linked:
            part.unlink(missing_ok=True)
        linked.clear()
        return False
    return True


class ArtefactStore:
    """Artefacts in the local folder `root`; with `url`, also at that fsspec location (the shared copy)."""

    def __init__(self, root: Path, url: str = "") -> None:
        self.root = Path(root)
        self.url = url
        self.remote = RemoteArtefacts(url) if url else None
        if self.remote is not None:
            self.root.mkdir(parents=True, exist_ok=True)  # so that a worker beside the server finds it
        #: Arrow tables read by :meth:`read_input`, by key: an output appended to one of them stores
        #: only its own columns and hard-links that table's files (stored artefacts never change).
        self._inputs: dict[str, tuple[pa.Table, list[int]]] = {}

    def path(self, ref: ArtefactRef) -> Path:
        """The artefact's file: written with its port type's extension; an artefact of an earlier
        version, stored with an earlier extension, is found there instead. One stored only at the
        shared location is fetched here first (with its parts)."""
        local = self._local(ref)
        if self.remote is None or local.exists():  # a file, or a partitioned table's folder
            return local
        return self._fetch(ref) or local

    def _local(self, ref: ArtefactRef) -> Path:
        """:meth:`path` in the local folder only."""
        if not _KEY.match(ref.key) or ref.type not in PORT_TYPES:
            raise ValueError(f"not an artefact reference: {ref}")
        port_type = PORT_TYPES[ref.type]
        current = self._file(ref.key, port_type.extension)
        if not current.is_file():
            for extension in port_type.earlier_extensions:
                if (earlier := self._file(ref.key, extension)).exists():  # a folder: a partitioned table
                    return earlier
        return current

    def _extensions(self, ref: ArtefactRef) -> tuple[str, ...]:
        port_type = PORT_TYPES[ref.type]
        return (port_type.extension, *port_type.earlier_extensions)

    def _fetch(self, ref: ArtefactRef) -> Path | None:
        """Fetch an artefact stored at the shared location into the local folder: its parts first, its
        main file last (a reader that finds the main file finds its parts). None if it is not there."""
        assert self.remote is not None
        names = self.remote.names(ref.key)
        if f"{ref.key}{PARTS_LIST_SUFFIX}" in names:
            return self._fetch_partitioned(ref)
        for extension in self._extensions(ref):
            main = f"{ref.key}.{extension}"
            if main not in names:
                continue
            part = re.compile(rf"{ref.key}\.(\d+)\.{extension}")
            parts = sorted((int(m[1]), name) for name in names if (m := part.fullmatch(name)))
            for name in [*(name for _, name in parts), main]:
                if not self.remote.get(f"{ref.key[:2]}/{name}", self.root / ref.key[:2] / name):
                    return None  # deleted meanwhile
            return self._file(ref.key, extension)
        return None

    def _fetch_partitioned(self, ref: ArtefactRef) -> Path | None:
        """Fetch a partitioned table's parts into its local folder (a staging folder renamed into place:
        a reader that finds the folder finds every part). None if it is not there (deleted meanwhile)."""
        assert self.remote is not None
        lengths = self.remote.parts_list(ref.key)
        final = self._file(ref.key, PARQUET_SUFFIX.lstrip("."))
        if lengths is None:
            return None
        staging = final.with_name(f"{final.name}.{uuid.uuid4().hex}.tmp")
        try:
            staging.mkdir(parents=True)
            for index in range(len(lengths)):
                if not self.remote.get(part_relative(ref.key, index), staging / part_name(index)):
                    return None
            with contextlib.suppress(OSError):  # another reader put the same folder there first
                os.replace(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return final

    def _file(self, key: str, extension: str) -> Path:
        return self.root / key[:2] / f"{key}.{extension}"

    def derived_path(self, ref: ArtefactRef, name: str) -> Path:
        """Where a payload computed from an artefact is kept (e.g. its chart data), beside it."""
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"not a derived payload name: {name!r}")
        return self._local(ref).with_name(f"{ref.key}.{name}.json")

    def write_derived(self, ref: ArtefactRef, name: str, payload: bytes) -> None:
        final = self.derived_path(ref, name)
        if self.remote is not None:  # a payload of an artefact this cache has not fetched
            final.parent.mkdir(parents=True, exist_ok=True)
        staging = final.with_name(final.name + ".tmp")
        try:
            staging.write_bytes(payload)
            os.replace(staging, final)
            if self.remote is not None:
                self.remote.put(final, relative_name(final))
        except BaseException:
            if self.remote is not None:
                final.unlink(missing_ok=True)  # kept in both places or neither
            raise
        finally:
            staging.unlink(missing_ok=True)  # nothing half-written stays behind

    def read_derived(self, ref: ArtefactRef, name: str) -> bytes | None:
        path = self.derived_path(ref, name)
        if not path.is_file() and self.remote is not None:
            self.remote.get(relative_name(path), path)
        return path.read_bytes() if path.is_file() else None

    def exists(self, ref: ArtefactRef) -> bool:
        """Whether the artefact is stored (here or at the shared location: it is fetched when read)."""
        try:
            if self._local(ref).exists():
                return True
        except ValueError:
            return False
        if self.remote is None:
            return False
        names = set(self.remote.names(ref.key))  # one listing, not a request per possible name
        suffixes = (PARTS_LIST_SUFFIX, *(f".{extension}" for extension in self._extensions(ref)))
        return any(f"{ref.key}{suffix}" in names for suffix in suffixes)

    def delete_key(self, key: str) -> None:
        """Remove an artefact and every payload derived from it (whatever its type), in both places."""
        if not _KEY.match(key):
            raise ValueError(f"not an artefact key: {key!r}")
        for path in (self.root / key[:2]).glob(f"{key}.*"):
            if path.is_dir():  # a partitioned table's parts (or what a failed write left of them)
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if self.remote is not None:
            self.remote.delete(key)

    def collect_garbage(self, referenced: set[str]) -> int:
        """Delete stored files whose key no run references any more (and leftovers of failed writes).

        Only safe while nothing is running: the caller does it at start-up. Returns the files removed.
        At the shared location too: it belongs to this one studio (its workers write there, its
        database says what is referenced), so an unreferenced key there is garbage as well; files
        that are not the store's (other names under the URL) are left alone.
        """
        removed = 0
        for path in self.root.glob("*/*"):
            key = path.name.split(".", 1)[0]
            if key not in referenced or path.name.endswith(".tmp"):
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
                elif path.is_dir():  # a partitioned table
                    shutil.rmtree(path, ignore_errors=True)
                    removed += 1
        if self.remote is not None:
            for relative in self.remote.listing():
                name = relative.split("/", 1)[1]
                if name.split(".", 1)[0] not in referenced or name.endswith(".tmp"):
                    self.remote.remove(relative)
                    removed += 1
        return removed

    def upload_missing(self) -> int:
        """Put every local file the shared location lacks there (outputs stored before the URL was set,
        or by a write cut off between the two copies): parts and payloads before main files. Returns
        the files put."""
        if self.remote is None:
            return 0
        stored = set(self.remote.listing())
        missing = [
            path
            for path in self.root.glob("*/*")
            if path.is_file()
            and not path.name.endswith(".tmp")
            and is_stored_file(relative := relative_name(path))
            and relative not in stored
        ]
        missing.sort(key=lambda path: (path.name.split(".", 1)[0], -path.name.count(".")))
        for path in missing:
            self.remote.put(path, relative_name(path))
        return len(missing) + sum(
            self._upload_partitioned(folder, stored) for folder in self.root.glob(f"*/*{PARQUET_SUFFIX}")
        )

    def _upload_partitioned(self, folder: Path, stored: set[str]) -> int:
        """Put a local partitioned table's parts at the shared location, then its list of parts; the
        files put (none when it is there already, or `folder` is not a partitioned table)."""
        assert self.remote is not None
        key = folder.name.split(".", 1)[0]
        if not folder.is_dir() or not _KEY.match(key) or f"{key[:2]}/{key}{PARTS_LIST_SUFFIX}" in stored:
            return 0
        parts = parquet_parts(folder)
        for index, part in enumerate(parts):
            self.remote.put(part, part_relative(key, index))
        self.remote.put_parts_list(key, [pq.read_metadata(part).num_rows for part in parts])
        return len(parts) + 1

    def write(self, value: Any, port_type: str, inputs: Sequence[ArtefactRef] = ()) -> ArtefactRef:
        """Store a value atomically (written aside, then renamed into place).

        A table whose first columns are those of one of `inputs` (as :meth:`read_input` read it) is
        stored as that input's files, hard-linked, then a file of its own columns. A partitioned table
        is stored as a folder of Parquet parts (:meth:`write_partitioned`).
        """
        if isinstance(value, PartitionedTable):
            return self.write_partitioned(value, port_type)
        ref = ArtefactRef(uuid.uuid4().hex, port_type)
        final = self._file(ref.key, PORT_TYPES[port_type].extension)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = final.with_name(final.name + ".tmp")
        linked: list[Path] = []
        try:
            table, files, width = self._shared_with_inputs(value, inputs)
            if table is None:
                PORT_TYPES[port_type].write(value, staging)
            else:  # the data table's own writer, minus the columns its input's files hold
                if not _link_parts(files, final, linked):
                    width = 0
                write_arrow_table(own_columns(table, width), staging)
            os.replace(staging, final)
            if self.remote is not None:  # parts first: whoever finds the main file finds its parts
                for file in [*linked, final]:
                    self.remote.put(file, relative_name(file))
        except BaseException:
            for part in linked:
                part.unlink(missing_ok=True)
            if self.remote is not None:  # kept in both places or neither
                final.unlink(missing_ok=True)
                with contextlib.suppress(Exception):
                    self.remote.delete(ref.key)
            raise
        finally:
            staging.unlink(missing_ok=True)  # nothing half-written stays behind
        return ref

    def write_partitioned(self, table: PartitionedTable, port_type: str) -> ArtefactRef:
        """Store a partitioned table as the folder ``<key>.parquet`` of Parquet parts (the layout of a
        dataset stored partitioned: every reader of a stored Parquet table reads it), each part written by
        a task on the cluster, never gathered here. Written into a staging folder, then renamed into
        place. With a shared location, each part task puts its part there instead
        (:func:`~backend.executor.remote_artefacts.put_part`), and the list of parts goes last."""
        ref = ArtefactRef(uuid.uuid4().hex, port_type)
        if self.remote is not None:
            try:
                lengths = table.publish_parts(functools.partial(put_part, self.remote.url, ref.key))
                self.remote.put_parts_list(ref.key, lengths)
            except BaseException:
                with contextlib.suppress(Exception):  # kept whole or not at all
                    self.remote.delete(ref.key)
                raise
            return ref
        final = self._file(ref.key, PARQUET_SUFFIX.lstrip("."))
        staging = final.with_name(final.name + ".tmp")
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            staging.mkdir()
            table.write_parts(staging)
            os.replace(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # nothing half-written stays behind
        return ref

    def _shared_with_inputs(
        self, value: Any, inputs: Sequence[ArtefactRef]
    ) -> tuple[pa.Table | None, list[Path], int]:
        """A table output built from an input read by :meth:`read_input`: the value as an Arrow table,
        the input's files holding its first columns, and how many columns they hold (none: ``[]``, 0).
        Any other value: ``(None, [], 0)``."""
        read = [(ref, *self._inputs[ref.key]) for ref in inputs if ref.key in self._inputs]
        if not read or not isinstance(value, pd.DataFrame):
            return None, [], 0
        table = arrow_table(value)
        for ref, stored, widths in read:
            if matched := shared_files(table, stored, widths):
                files = arrow_files(self.path(ref))[:matched]
                if all(os.stat(file).st_nlink < MAX_LINKS for file in files):
                    return table, files, sum(widths[:matched])
        return table, [], 0

    def read(self, ref: ArtefactRef) -> Any:
        return PORT_TYPES[ref.type].read(self.path(ref))

    def read_input(self, ref: ArtefactRef, cluster: Callable[[], Any] | None = None) -> Any:
        """:meth:`read`, remembering an Arrow table as read so that outputs can share its columns. With
        `cluster` (the node runs on Dask: :attr:`modules.RunContext.cluster`), a table stored partitioned
        is read as a :class:`~modules.partitioned.PartitionedTable` (lazily, part by part; its parts from
        the shared location when there is one, as every worker can reach it), else whole."""
        is_table = PORT_TYPES[ref.type].is_table
        # Parts at the shared location are read from there by whichever worker reads each part (a table
        # here as one file is not partitioned: no need to ask).
        if (
            cluster is not None
            and is_table
            and self.remote
            and not self._local(ref).is_file()
            and (lengths := self.remote.parts_list(ref.key))
        ):
            urls = [self.remote.part_url(ref.key, index) for index in range(len(lengths))]
            return PartitionedTable.from_parquet(urls, cluster())
        path = self.path(ref)
        if cluster is not None and is_table and is_partitioned(path):
            return PartitionedTable.from_parquet(parquet_parts(path), cluster())
        if not (PORT_TYPES[ref.type].is_table and path.suffix == ARROW_SUFFIX):
            return self.read(ref)
        files = read_arrow_files(path)
        table = joined(files)
        self._inputs[ref.key] = (table, [file.num_columns for file in files])
        return frame_from_arrow(table)
