"""A table too large for one worker's memory, as it travels between nodes on the Dask executor: its row
parts (each a pandas DataFrame computed on a worker, rows in order), never gathered whole.

A :class:`PartitionedTable` is lazy: each part is a ``dask.delayed`` value (read from a Parquet part file,
then whatever the modules did to it part by part). A module that runs part by part
(:class:`modules.module.Partitioned`) maps a function over the parts (:meth:`PartitionedTable.map_parts`:
one task per part, where the cluster puts it) or reduces statistics from them
(:meth:`PartitionedTable.each_part`). The artefact store writes it as a folder of Parquet parts, one task
per part (:meth:`PartitionedTable.write_parts`), and reads it back lazily
(:meth:`PartitionedTable.from_parquet`).

Dask is imported only when a table is partitioned: the local executor never loads it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

from modules.column_types import Schema, arrow_column_type
from modules.errors import Cancelled
from modules.storage import PARQUET_SUFFIX, PART_PREFIX, parquet_has_nulls, write_table

if TYPE_CHECKING:
    from dask.delayed import Delayed
    from distributed import Client

__all__ = ["PartitionedTable", "part_name", "read_part", "sample_positions", "stored_layout"]

#: How often a pass over the parts asks whether the node was cancelled, at most (seconds).
STOP_POLL_S = 0.1


def part_name(index: int) -> str:
    """The file name of part `index` of a partitioned table (as :func:`modules.storage.write_partitioned`
    names them: sorted by name, the parts are in row order)."""
    return f"{PART_PREFIX}{index:05d}{PARQUET_SUFFIX}"


def read_part(path: str, dtypes: dict[str, Any], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One part file as a frame (only ``columns``, if given), its columns of the whole table's dtypes (an
    integer column with a missing value in any part is float in every part, as ``pandas.read_parquet``
    reads the folder)."""
    frame = pd.read_parquet(path, columns=list(columns) if columns is not None else None)
    differ = {
        name: dtype for name, dtype in dtypes.items() if name in frame.columns and frame[name].dtype != dtype
    }
    return frame.astype(differ) if differ else frame


def stored_layout(files: Sequence[Path | str]) -> tuple[pd.DataFrame, Schema, tuple[int, ...]]:
    """What the footers of a table's Parquet part files (in row order; local paths or fsspec URLs) say:
    an empty frame of the whole table's columns and dtypes (see :func:`read_part`), their studio types,
    and the rows of each part."""
    located = [_file_and_system(file) for file in files]
    metadata = [pq.read_metadata(path, filesystem=fs) for path, fs in located]
    arrow_schema = pq.read_schema(located[0][0], filesystem=located[0][1])
    with_nulls = {
        field.name
        for field in arrow_schema
        if pa.types.is_integer(field.type) and any(parquet_has_nulls(meta, field.name) for meta in metadata)
    }
    meta = arrow_schema.empty_table().to_pandas()
    if with_nulls:
        meta = meta.astype(dict.fromkeys(with_nulls, np.float64))
    schema = [(field.name, arrow_column_type(field.type)) for field in arrow_schema]
    return meta, schema, tuple(int(m.num_rows) for m in metadata)


def sample_positions(lengths: Sequence[int], n: int) -> list[np.ndarray]:
    """The rows of an even sample of ``min(n, rows)`` rows of a table in parts of ``lengths`` rows: row
    ``⌊i · rows / n⌋`` for i < n (so each part gives rows in proportion to its length, and the same
    table always the same rows), as positions within each part, in row order."""
    total = int(sum(lengths))
    count = max(0, min(int(n), total))
    rows = (np.arange(count, dtype=np.int64) * total) // max(count, 1)
    starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    return [
        rows[(rows >= start) & (rows < end)] - start
        for start, end in zip(starts[:-1], starts[1:], strict=True)
    ]


def _write_part(frame: pd.DataFrame, path: str) -> int:
    write_table(frame, Path(path))
    return len(frame)


def _write_and_publish(frame: pd.DataFrame, publish: Callable[[Path, int], None], index: int) -> int:
    """Write part `index` to a temporary file on this worker, hand it to `publish`, remove it."""
    handle, name = tempfile.mkstemp(suffix=PARQUET_SUFFIX)
    os.close(handle)
    try:
        write_table(frame, Path(name))
        publish(Path(name), index)
    finally:
        os.unlink(name)
    return len(frame)


def _file_and_system(location: str | Path) -> tuple[str, Any]:
    """A part file's path and the file system to read it with: None (local) or an fsspec one (a URL)."""
    if isinstance(location, Path) or "://" not in location:
        return str(location), None
    fs, path = url_to_fs(location)
    return path, fs


def _rows(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    return frame.iloc[positions]


@dataclass(frozen=True, eq=False)
class PartitionedTable:
    """A table as row parts on a Dask cluster (see the module's docstring).

    ``meta`` is an empty frame with the table's columns and dtypes; ``schema`` their studio types;
    ``lengths`` the rows of each part. ``files``: the Parquet files the parts are, as read (a table
    straight from :meth:`from_parquet`; none once a module changed it): stored again by linking them.
    """

    parts: tuple[Delayed, ...]
    meta: pd.DataFrame
    schema: Schema
    lengths: tuple[int, ...]
    client: Client
    files: tuple[Path | str, ...] = ()

    # -- reading ------------------------------------------------------------------------------------

    @classmethod
    def from_parquet(cls, files: Sequence[Path | str], client: Client) -> PartitionedTable:
        """A table stored as Parquet part files (in row order; local paths, or fsspec URLs every worker
        can read), read lazily: only the files' footers are read here."""
        from dask import delayed

        meta, schema, lengths = stored_layout(files)
        dtypes = dict(meta.dtypes.items())
        parts = tuple(delayed(read_part, pure=True)(str(file), dtypes) for file in files)
        return cls(parts, meta, schema, lengths, client, tuple(files))

    # -- shape ----------------------------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.meta.columns]

    @property
    def n_rows(self) -> int:
        return int(sum(self.lengths))

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_rows, len(self.meta.columns)

    @property
    def n_parts(self) -> int:
        return len(self.parts)

    @property
    def first_rows(self) -> list[int]:
        """The table row each part starts at."""
        return [int(r) for r in np.concatenate([[0], np.cumsum(self.lengths)[:-1]])]

    # -- part by part -------------------------------------------------------------------------------

    def map_parts(
        self,
        fn: Callable[..., pd.DataFrame],
        *per_part: Sequence[Any],
        meta: pd.DataFrame,
        schema: Schema,
        **constants: Any,
    ) -> PartitionedTable:
        """The table of ``fn(part, a[p], b[p], …, **constants)`` for every part p (lazy): ``fn`` keeps
        the part's rows (one output row per input row); ``meta`` and ``schema`` describe its result."""
        from dask import delayed

        task = delayed(fn, pure=True)
        parts = tuple(
            task(part, *(args[p] for args in per_part), **constants) for p, part in enumerate(self.parts)
        )
        return PartitionedTable(parts, meta, schema, self.lengths, self.client)

    def each_part(
        self,
        fn: Callable[..., Any],
        *per_part: Sequence[Any],
        should_stop: Callable[[], bool] | None = None,
        **constants: Any,
    ) -> list[Any]:
        """``fn(part, a[p], …, **constants)`` of every part, computed on the cluster (one task per part);
        the results in part order. For statistics to reduce: each result should be small. ``should_stop``
        is polled while the tasks run (True: they are dropped and ``Cancelled`` is raised)."""
        from dask import delayed

        task = delayed(fn, pure=True)
        tasks = [
            task(part, *(args[p] for args in per_part), **constants) for p, part in enumerate(self.parts)
        ]
        futures = self.client.compute(tasks)
        try:
            if should_stop is not None:
                self._wait(futures, should_stop)
            return list(self.client.gather(futures))
        finally:
            self.client.cancel(futures)
            del futures

    @staticmethod
    def _wait(futures: list[Any], should_stop: Callable[[], bool]) -> None:
        """Until every future is done (a failed one raises its error), asking ``should_stop`` at most every
        STOP_POLL_S."""
        from distributed import TimeoutError as DaskTimeout

        for future in futures:
            while True:
                if should_stop():
                    raise Cancelled()
                try:
                    future.result(timeout=STOP_POLL_S)
                    break
                except (TimeoutError, DaskTimeout):
                    continue

    def persist_each(self, fn: Callable[..., Any], **constants: Any) -> list[Any]:
        """``fn(part, **constants)`` of every part, kept in the workers' memory: futures, in part order
        (release them by dropping them)."""
        from dask import delayed

        task = delayed(fn, pure=True)
        return list(self.client.compute([task(part, **constants) for part in self.parts]))

    def rows(self, per_part: Sequence[np.ndarray]) -> pd.DataFrame:
        """The rows at the given positions of each part (positions within the part), gathered as one
        frame in part order: for samples (a few thousand rows), never the table."""
        from dask import delayed

        task = delayed(_rows, pure=True)
        picked = [task(part, np.asarray(rows)) for part, rows in zip(self.parts, per_part, strict=True)]
        frames = self.client.gather(self.client.compute(picked))
        return pd.concat(frames, axis=0, ignore_index=True) if frames else self.meta

    def sample(self, n: int) -> pd.DataFrame:
        """``min(n, rows)`` rows evenly spread over the table (:func:`sample_positions`), in row order."""
        return self.rows(sample_positions(self.lengths, n))

    def gather(self) -> pd.DataFrame:
        """The whole table in this process's memory: for a module that cannot run part by part yet."""
        frames = self.client.gather(self.client.compute(list(self.parts)))
        return pd.concat(frames, axis=0, ignore_index=True) if frames else self.meta

    # -- storing ------------------------------------------------------------------------------------

    def write_parts(self, folder: Path) -> list[int]:
        """Write each part as a Parquet file into `folder` (which exists), one task per part, on the
        workers (`folder` must be where they all write: the shared artefact path); returns the rows of
        each part. A table that is its files as read links them instead (or copies them where it cannot:
        another file system), reading nothing."""
        from dask import delayed

        if self.files and all(isinstance(file, Path) for file in self.files):
            for p, file in enumerate(self.files):
                target = folder / part_name(p)
                try:
                    os.link(file, target)
                except OSError:
                    shutil.copyfile(file, target)
            return list(self.lengths)

        task = delayed(_write_part, pure=False)
        return self._compute_writes(
            [task(part, str(folder / part_name(p))) for p, part in enumerate(self.parts)]
        )

    def publish_parts(self, publish: Callable[[Path, int], None]) -> list[int]:
        """Hand each part, written as a Parquet file, to ``publish(path, index)`` (e.g. put it at a shared
        fsspec location), one task per part on the workers, where no folder is shared; returns the rows of
        each part. The files of a table read from local part files are handed over from here."""
        from dask import delayed

        if self.files and all(isinstance(file, Path) for file in self.files):
            for p, file in enumerate(self.files):
                publish(Path(file), p)
            return list(self.lengths)
        task = delayed(_write_and_publish, pure=False)
        return self._compute_writes([task(part, publish, p) for p, part in enumerate(self.parts)])

    def _compute_writes(self, writes: list[Any]) -> list[int]:
        futures = self.client.compute(writes)
        try:
            return [int(n) for n in self.client.gather(futures)]
        finally:
            del futures
