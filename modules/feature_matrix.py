"""Reading feature columns into a matrix at memory speed (the mechanics behind :mod:`modules.features`).

A table's numeric float64 columns usually sit together in one 2-D block of pandas' storage (a table
read from Parquet, built from an array, or copied is consolidated that way). Those columns are read
straight from the block: one compiled pass for their min, max and missing values, one tiled,
transposing write of the normalised C-contiguous matrix — no per-column copy or Python loop. Every
other numeric, boolean or datetime column is converted as before (one float64 copy each) into one
stack read the same way; one-hot columns are written from their category codes.

The numbers are exactly those of the column-by-column conversion: ``(x - min) / scale`` with the
same min and max bits (see :func:`modules.engine._scoring_kernels.source_min_max`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from modules.features import FeatureColumn

__all__ = ["ColumnReader", "Source", "codes_of", "fill_onehot", "numbers_of", "recode"]


def numbers_of(series: pd.Series, kind: str) -> np.ndarray:
    """A float64 copy-or-view of one column; NaN where missing or infinite."""
    if kind == "datetime":
        s = series
        if not pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = pd.to_datetime(s, errors="coerce", utc=True)
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        out = ((s - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)).to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    elif kind == "boolean":
        out = pd.array(series, dtype="boolean").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        s = series if pd.api.types.is_numeric_dtype(series.dtype) else pd.to_numeric(series, errors="coerce")
        out = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(out).all():
        out = np.where(np.isfinite(out), out, np.nan)
    return out


def codes_of(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Category codes of a string column (``-1`` missing) and the text of each code."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def recode(codes: np.ndarray, labels: list[str], categories: Sequence[str]) -> np.ndarray:
    """Codes of :func:`codes_of` as positions in ``categories``: ``-1`` missing, ``-2`` unseen."""
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position.get(u, -2) for u in labels] + [-1], dtype=np.int64)
    return lookup[codes]  # codes == -1 picks the trailing -1


@dataclass
class Source:
    """Feature values to read: ``values[rows[g], offset + i]`` is row i's value of column ``columns[g]``
    (an index into the feature column list)."""

    values: np.ndarray  # (b, N) float64, C-contiguous, writeable
    offset: int
    rows: np.ndarray  # (g,) int64
    columns: np.ndarray  # (g,) int64


def _block_position(series: pd.Series) -> tuple[np.ndarray, int, int] | None:
    """Where a float64 column sits in a 2-D block: ``(block (b, N) C-contiguous, row, column offset)``,
    found from the array memory alone; None when it does not sit in one."""
    if series.dtype != np.float64 or len(series) == 0:
        return None
    values = series.to_numpy()
    if values.ndim != 1 or values.strides != (8,):
        return None
    root = values
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root.ndim != 2 or root.dtype != np.float64:
        return None
    if root.flags.c_contiguous and root.flags.f_contiguous:  # a dimension of 1: (n, 1) or (1, n) alike
        block = root.T if root.shape[0] == len(values) else root
    else:
        block = root if root.flags.c_contiguous else root.T if root.flags.f_contiguous else None
    if block is None or not block.flags.writeable:  # one kernel signature: writeable C arrays
        return None
    delta = values.__array_interface__["data"][0] - block.__array_interface__["data"][0]
    if delta < 0 or delta % 8:
        return None
    row, offset = divmod(delta // 8, block.shape[1])
    if row >= block.shape[0] or offset + len(values) > block.shape[1]:
        return None
    return block, int(row), int(offset)


class ColumnReader:
    """How the numeric, boolean and datetime feature columns of one table are read.

    Float64 columns that share a block (two or more) are read in place; the others are converted
    with :func:`numbers_of` into one stack per window of rows. One-hot columns are listed for the
    caller.
    """

    def __init__(self, df: pd.DataFrame, columns: Sequence[FeatureColumn]) -> None:
        self.df = df
        self.columns = list(columns)
        self.onehot = [c for c, fc in enumerate(self.columns) if fc.kind == "onehot"]
        self._direct: list[tuple[np.ndarray, int, list[int], list[int]]] = []
        self._converted: list[int] = []
        groups: dict[tuple[int, tuple[int, ...], int], tuple[np.ndarray, int, list[int], list[int]]] = {}
        for c, fc in enumerate(self.columns):
            if fc.kind == "onehot":
                continue
            found = _block_position(df[fc.name]) if fc.kind == "numeric" else None
            if found is None:
                self._converted.append(c)
                continue
            block, row, offset = found
            key = (block.__array_interface__["data"][0], block.shape, offset)  # the same memory
            group = groups.setdefault(key, (block, offset, [], []))
            group[2].append(row)
            group[3].append(c)
        for group in groups.values():
            if len(group[2]) >= 2:
                self._direct.append(group)
            else:  # a lone column: converting it is cheaper than a pass of its own over the matrix
                self._converted.extend(group[3])
        self._converted.sort()

    @property
    def read_in_place(self) -> list[str]:
        """The columns read straight from pandas' storage (no copy)."""
        return [self.columns[c].name for group in self._direct for c in group[3]]

    def sources(self, start: int, stop: int) -> list[Source]:
        """The sources of rows ``start:stop`` (the converted columns copied for that window)."""
        out = [
            Source(block, offset + start, np.array(rows, np.int64), np.array(cols, np.int64))
            for block, offset, rows, cols in self._direct
        ]
        if self._converted:
            whole = start == 0 and stop == len(self.df)
            stack = np.empty((len(self._converted), stop - start))
            for g, c in enumerate(self._converted):
                fc = self.columns[c]
                series = self.df[fc.name]
                stack[g] = numbers_of(series if whole else series.iloc[start:stop], fc.kind)
            ids = np.array(self._converted, np.int64)
            out.append(Source(stack, 0, np.arange(len(ids), dtype=np.int64), ids))
        return out


def _kernels():  # type: ignore[no-untyped-def]
    from modules.engine import _scoring_kernels as kernels  # Numba loads on first use, not on import

    return kernels


def min_max(
    sources: Sequence[Source], n_columns: int, n_rows: int, complete: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per feature column (index into the column list): min and max of the finite values of the rows
    (only the ``complete`` ones if given) with the bits ``X.min(axis=0)`` / ``X.max(axis=0)`` give,
    and a count that is nonzero when the column holds NaN or infinite values.

    NumPy's vectorised reductions give them directly unless a result is zero (a -0.0 / +0.0 tie that
    NumPy's row-by-row reduction may break otherwise) or not finite; those columns, and any with a
    ``complete`` mask, are redone by the exact sequential kernel.
    """
    kernels = _kernels()
    mins = np.full(n_columns, np.inf)
    maxs = np.full(n_columns, -np.inf)
    bad = np.zeros(n_columns, dtype=np.int64)
    mask = np.ones(1, dtype=bool) if complete is None else complete
    for src in sources:
        g = len(src.rows)
        if complete is None and n_rows:
            low, high = _vector_min_max(src, n_rows)
            redo = ~(np.isfinite(low) & np.isfinite(high) & (low != 0.0) & (high != 0.0))
        else:
            low, high, redo = np.empty(g), np.empty(g), np.ones(g, dtype=bool)
        nonfinite = np.zeros(g, dtype=np.int64)
        if redo.any():
            rows = np.ascontiguousarray(src.rows[redo])
            exact = np.empty(len(rows)), np.empty(len(rows)), np.empty(len(rows), dtype=np.int64)
            with kernels.parallel_section():
                kernels.source_min_max(
                    src.values, rows, src.offset, n_rows, mask, complete is not None, *exact
                )
            low[redo], high[redo], nonfinite[redo] = exact
        mins[src.columns], maxs[src.columns], bad[src.columns] = low, high, nonfinite
    return mins, maxs, bad


def _vector_min_max(src: Source, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """NumPy's min and max of each source row (NaN when it holds one)."""
    stop = src.offset + n_rows
    first = int(src.rows[0])
    if np.array_equal(src.rows, np.arange(first, first + len(src.rows))):  # one 2-D view, one call
        view = src.values[first : first + len(src.rows), src.offset : stop]
        return view.min(axis=1), view.max(axis=1)
    low = np.array([src.values[r, src.offset : stop].min() for r in src.rows])
    high = np.array([src.values[r, src.offset : stop].max() for r in src.rows])
    return low, high


def fill(
    sources: Sequence[Source],
    starts: np.ndarray,
    out: np.ndarray,
    rows: np.ndarray | None,
    norm: tuple[np.ndarray, np.ndarray] | None,
    complete: np.ndarray,
) -> None:
    """Write the sources' features of ``rows`` (all when None) into ``out`` (X column of column c:
    ``starts[c]``), normalised with ``norm = (min, scale)`` per X column; ``complete[i]`` cleared
    where a value is NaN or infinite."""
    kernels = _kernels()
    selected = np.empty(0, dtype=np.int64) if rows is None else rows
    for src in sources:
        targets = np.ascontiguousarray(starts[src.columns], dtype=np.int64)
        if norm is None:
            low, scale = np.zeros(len(targets)), np.ones(len(targets))
        else:
            low, scale = norm[0][targets], norm[1][targets]
        with kernels.parallel_section():
            kernels.fill_features(
                src.values,
                src.rows,
                targets,
                src.offset,
                selected,
                low,
                scale,
                norm is not None,
                out,
                complete,
                kernels.n_workers(),
            )


def fill_onehot(block: np.ndarray, codes: np.ndarray, norm: tuple[np.ndarray, np.ndarray] | None) -> None:
    """Write one-hot features (``block``: the column's slice of X) from category codes (negative:
    all zeros), normalised as ``(0 - min) / scale`` and ``(1 - min) / scale`` per feature."""
    zero, one = np.zeros(block.shape[1]), np.ones(block.shape[1])
    if norm is not None:
        zero = (zero - norm[0]) / norm[1]
        one = (one - norm[0]) / norm[1]
    block[:] = zero
    hit = np.flatnonzero(codes >= 0)
    block[hit, codes[hit]] = one[codes[hit]]


def exercise_kernels() -> None:
    """Run the conversion kernels once on tiny data (for the precompile): every signature a table reaches."""
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0, 0.5], "b": [2.0, 1.0, 0.0, 4.0], "c": [1, 2, 3, 4]})
    from modules.features import FeatureColumn  # a cycle at import time otherwise

    reader = ColumnReader(df, [FeatureColumn(name, "numeric") for name in df.columns])
    sources = reader.sources(0, len(df))
    complete = np.array([True, False, True, True])
    for mask in (None, complete):
        mins, maxs, _ = min_max(sources, 3, len(df), mask)
    out = np.empty((3, 3))
    norm = (mins, np.where(maxs > mins, maxs - mins, 1.0))
    fill(sources, np.arange(3, dtype=np.int64), out, np.flatnonzero(complete), norm, np.ones(3, dtype=bool))
    fill(sources, np.arange(3, dtype=np.int64), np.empty((4, 3)), None, None, np.ones(4, dtype=bool))
