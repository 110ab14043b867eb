"""A table output stored partitioned (a folder of Parquet part files, :func:`modules.storage.is_partitioned`)
as the server's views read it: one part at a time, never the whole table (it may be larger than the
server's memory). No Dask here: the web server need not have a cluster.

Statistics that add up (counts, sums, extremes, contingency tables) are reduced from every part; those
that need all values at once (quantiles, distinct values, silhouettes) come from an even sample of the
rows (:func:`modules.partitioned.sample_positions`: the rows the run's precomputed chart is drawn from,
for the same size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from modules.column_types import Schema
from modules.partitioned import read_part, sample_positions, stored_layout
from modules.storage import parquet_parts, rows_per_group

#: Rows a partitioned table's sampled statistics (summary quantiles and distinct values, cluster
#: profiles' distributions, result metrics) are computed from, at most.
SAMPLE_ROWS = 50_000


@dataclass(frozen=True)
class StoredParts:
    """The part files of a stored partitioned table (in row order) and what their footers say."""

    files: tuple[Path, ...]
    meta: pd.DataFrame  # no rows: the whole table's columns and dtypes
    schema: Schema
    lengths: tuple[int, ...]

    @classmethod
    def at(cls, path: Path) -> StoredParts:
        files = tuple(parquet_parts(path))
        meta, schema, lengths = stored_layout(files)
        return cls(files, meta, schema, lengths)

    @property
    def n_rows(self) -> int:
        return int(sum(self.lengths))

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.meta.columns]

    def frames(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """Each part as a frame (only ``columns``, if given), read when asked for: one in memory at a time."""
        dtypes = dict(self.meta.dtypes.items())
        for file in self.files:
            yield read_part(str(file), dtypes, columns)

    def sample(self, n: int, columns: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[int]]:
        """The rows of :func:`~modules.partitioned.sample_positions` (``min(n, rows)`` rows evenly spread),
        read part by part, and their row numbers in the table."""
        return self.scan(n, lambda _part: None, columns)

    def scan(
        self, n: int, each: Callable[[pd.DataFrame], object], columns: Sequence[str] | None = None
    ) -> tuple[pd.DataFrame, list[int]]:
        """One pass over the parts: ``each(part)`` for every part in row order (to add up statistics),
        and the sample of ``n`` rows (as :meth:`sample`) taken on the way."""
        picked = sample_positions(self.lengths, n)
        pieces, rows, first = [], [], 0
        for part, positions, length in zip(self.frames(columns), picked, self.lengths, strict=True):
            each(part)
            pieces.append(part.iloc[positions])
            rows.extend((positions + first).tolist())
            first += length
            del part
        empty = self.meta if columns is None else self.meta[list(columns)]
        sample = pd.concat(pieces, axis=0, ignore_index=True) if pieces else empty
        return sample, rows


def write_parts(frames: Iterable[pd.DataFrame], path: Path) -> None:
    """One Parquet file of the rows of ``frames`` in turn (a partitioned table's parts: one in memory at
    a time), in the row groups and encodings :func:`modules.storage.write_table` writes."""
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    try:
        for frame in frames:
            table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)  # as to_parquet
            if writer is None:
                schema = table.schema
                text = [
                    f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
                ]
                writer = pq.ParquetWriter(path, schema, use_dictionary=text or False)
            else:
                table = table.cast(schema)
            writer.write_table(table, row_group_size=rows_per_group(table.num_columns))
    finally:
        if writer is not None:
            writer.close()


__all__ = ["SAMPLE_ROWS", "StoredParts", "write_parts"]
