"""Data-table outputs: column types, per-column statistics, previews, row pages and CSV streaming.

Per-column ``stats`` shapes (every value JSON-safe):

- numeric: ``{count, missing, unique, mean, std, min, q25, median, q75, max, histogram: {edges, counts}}``
  (std is the sample std, ddof=1, like ``DataFrame.describe``; the histogram leaves out ±inf);
- string: ``{count, missing, unique, top: [{value, count}], other_count}`` (at most 10 top values);
- boolean: ``{count, missing, unique, true_count, false_count, top: [{value, count}]}``;
- datetime: ``{count, missing, unique, min, max, histogram: {edges, counts}}`` (ISO strings).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import tzinfo
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from backend.services.outputs.histogram import MAX_BINS, sorted_histogram
from backend.services.outputs.jsonsafe import (
    JsonDict,
    finite_or_none,
    frame_rows_to_json,
    json_scalar,
)
from modules.column_types import column_type as modules_column_type

ColumnType = Literal["numeric", "string", "boolean", "datetime"]
TOP_VALUES = 10
QUARTILES = (0.25, 0.5, 0.75)
PARALLEL_MIN_CELLS = 1_000_000  # below this, threads cost more than they save
MAX_STATS_THREADS = 4  # numpy sorts release the GIL, so columns can be summarised in parallel


def column_type(series: pd.Series) -> ColumnType:
    """The column's type by the modules' rule; a type no module can use ("other") is shown as text."""
    kind = modules_column_type(series)
    return "string" if kind == "other" else kind  # type: ignore[return-value]


def valid_numeric_values(series: pd.Series) -> np.ndarray:
    """The non-missing values of a numeric column (int64/uint64 kept exact, everything else float64)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return series.to_numpy()
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=np.float64)
        return values[~np.isnan(values)]
    present = series[series.notna()]
    if ptypes.is_integer_dtype(dtype):
        return present.to_numpy(dtype=np.uint64 if ptypes.is_unsigned_integer_dtype(dtype) else np.int64)
    values = present.to_numpy(dtype=np.float64, na_value=np.nan)
    return values[~np.isnan(values)]


def count_unique_sorted(sorted_values: np.ndarray) -> int:
    """How many distinct values a sorted array holds."""
    if sorted_values.size == 0:
        return 0
    return 1 + int(np.count_nonzero(sorted_values[1:] != sorted_values[:-1]))


def numeric_scalar(value: Any) -> int | float | None:
    """A min/max value: exact int for integer arrays, float (None if non-finite) otherwise."""
    if isinstance(value, np.integer):
        return int(value)
    return finite_or_none(value)


def finite_slice(sorted_values: np.ndarray) -> np.ndarray:
    """The finite part of a sorted array (-inf sorts first, +inf last)."""
    if sorted_values.dtype.kind != "f":
        return sorted_values.astype(np.float64)
    low = int(np.searchsorted(sorted_values, -np.inf, side="right"))
    high = int(np.searchsorted(sorted_values, np.inf, side="left"))
    return sorted_values[low:high]


def sorted_quantiles(sorted_values: np.ndarray, quantiles: tuple[float, ...]) -> list[float]:
    """Linearly interpolated quantiles of a sorted array (numpy's default), exact at whole positions."""
    last = sorted_values.size - 1
    result = []
    for quantile in quantiles:
        position = quantile * last
        below = int(np.floor(position))
        fraction = position - below
        low = float(sorted_values[below])
        if fraction == 0:
            result.append(low)
        else:
            high = float(sorted_values[min(below + 1, last)])
            step = high - low
            result.append(low + step * fraction if fraction < 0.5 else high - step * (1 - fraction))
    return result


def numeric_stats(series: pd.Series) -> JsonDict:
    """Count, missing, unique, describe()-style moments and quartiles, and a ≤ 20-bin histogram."""
    ordered = np.sort(valid_numeric_values(series))
    count = int(ordered.size)
    stats: JsonDict = {"count": count, "missing": len(series) - count, "unique": count_unique_sorted(ordered)}
    if count == 0:
        stats.update(dict.fromkeys(("mean", "std", "min", "q25", "median", "q75", "max"), None))
        stats["histogram"] = {"edges": [], "counts": []}
        return stats
    with np.errstate(invalid="ignore", over="ignore"):
        mean = ordered.mean(dtype=np.float64)
        std = ordered.std(ddof=1, dtype=np.float64) if count > 1 else np.nan
        quartiles = sorted_quantiles(ordered, QUARTILES)
    finite = finite_slice(ordered)
    edges, counts = sorted_histogram(finite, min(MAX_BINS, count_unique_sorted(finite)))
    stats.update(
        mean=finite_or_none(mean),
        std=finite_or_none(std),
        min=numeric_scalar(ordered[0]),
        q25=finite_or_none(quartiles[0]),
        median=finite_or_none(quartiles[1]),
        q75=finite_or_none(quartiles[2]),
        max=numeric_scalar(ordered[-1]),
        histogram={"edges": edges.tolist(), "counts": counts.tolist()},
    )
    return stats


def value_counts_of(series: pd.Series) -> pd.Series:
    """Counts of each present value, most frequent first (unhashable values counted by their text)."""
    present = series[series.notna()]
    try:
        counts = present.value_counts(sort=True)
    except TypeError:
        counts = present.map(str).value_counts(sort=True)
    return counts[counts > 0]


def string_stats(series: pd.Series) -> JsonDict:
    """Count, missing, unique and the ten most frequent values."""
    counts = value_counts_of(series)
    count = int(counts.sum())
    top = counts.iloc[:TOP_VALUES]
    return {
        "count": count,
        "missing": len(series) - count,
        "unique": len(counts),
        "top": [
            {"value": json_scalar(value), "count": int(n)}
            for value, n in zip(top.index.tolist(), top.tolist(), strict=True)
        ],
        "other_count": count - int(top.sum()),
    }


def boolean_stats(series: pd.Series) -> JsonDict:
    """Count, missing, unique and the numbers of true and false values."""
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=bool, na_value=False)
    true_count = int(np.count_nonzero(values & ~missing))
    false_count = len(series) - int(missing.sum()) - true_count
    return {
        "count": true_count + false_count,
        "missing": int(missing.sum()),
        "unique": int(true_count > 0) + int(false_count > 0),
        "true_count": true_count,
        "false_count": false_count,
        "top": [{"value": True, "count": true_count}, {"value": False, "count": false_count}],
    }


def datetime_stats(series: pd.Series) -> JsonDict:
    """Count, missing, unique, ISO min/max and a histogram with ISO edges."""
    index = pd.DatetimeIndex(series)
    ticks = np.sort(index.asi8[~index.isna()])
    count = int(ticks.size)
    stats: JsonDict = {"count": count, "missing": len(series) - count, "unique": count_unique_sorted(ticks)}
    edges, counts = sorted_histogram(ticks.astype(np.float64), min(MAX_BINS, stats["unique"]))
    unit, tz = index.unit, index.tz
    stats.update(
        min=tick_to_iso(int(ticks[0]), unit, tz) if count else None,
        max=tick_to_iso(int(ticks[-1]), unit, tz) if count else None,
        histogram={
            "edges": [tick_to_iso(round(edge), unit, tz) for edge in edges.tolist()],
            "counts": counts.tolist(),
        },
    )
    return stats


def tick_to_iso(tick: int, unit: str, tz: tzinfo | None) -> str:
    """An epoch value in ``unit`` (UTC when ``tz`` is set) as an ISO timestamp in that zone."""
    stamp = pd.Timestamp(tick, unit=unit)
    return (stamp.tz_localize("UTC").tz_convert(tz) if tz is not None else stamp).isoformat()


STATS_BY_TYPE = {
    "numeric": numeric_stats,
    "string": string_stats,
    "boolean": boolean_stats,
    "datetime": datetime_stats,
}


def column_summary(name: Any, series: pd.Series) -> JsonDict:
    """``{name, type, stats}`` of one column."""
    kind = column_type(series)
    return {"name": str(name), "type": kind, "stats": STATS_BY_TYPE[kind](series)}


def column_summaries(df: pd.DataFrame) -> list[JsonDict]:
    """The summary of every column, in column order (columns in parallel threads for big tables)."""
    columns = [(name, df.iloc[:, position]) for position, name in enumerate(df.columns)]
    workers = min(MAX_STATS_THREADS, os.cpu_count() or 1, len(columns))
    if df.size < PARALLEL_MIN_CELLS or workers < 2:
        return [column_summary(name, series) for name, series in columns]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="column-stats") as pool:
        return list(pool.map(lambda column: column_summary(*column), columns))


def table_visualization(df: pd.DataFrame) -> JsonDict:
    """Column types, statistics and histograms of a table (what the table view charts)."""
    return {
        "type": "data_table",
        "n_rows": len(df),
        "n_columns": df.shape[1],
        "columns": column_summaries(df),
    }


def table_summary(df: pd.DataFrame, preview_rows: int = 100) -> JsonDict:
    """The ``data_table`` output summary: shape, column types and stats, and the first rows."""
    summary = table_visualization(df)
    summary["preview"] = frame_rows_to_json(df.iloc[: max(0, preview_rows)])
    return summary


class ColumnTotals:
    """The statistics of one column that add up exactly over row parts (:func:`parts_table_summary`):
    count and missing; for numbers min, max, mean and the sum of squared deviations (merged part by part
    as Chan et al. do, so the std needs no second pass); true/false counts; datetime extremes."""

    def __init__(self, kind: ColumnType) -> None:
        self.kind = kind
        self.rows = self.count = 0
        self.mean = self.squares = 0.0
        self.low: Any = None
        self.high: Any = None
        self.true_count = 0

    def add(self, series: pd.Series) -> None:
        self.rows += len(series)
        if self.kind == "numeric":
            self._add_numbers(valid_numeric_values(series))
        elif self.kind == "boolean":
            found = boolean_stats(series)
            self.count += found["count"]
            self.true_count += found["true_count"]
        elif self.kind == "datetime":
            ticks = pd.DatetimeIndex(series).asi8[series.notna().to_numpy()]
            self.count += int(ticks.size)
            if ticks.size:
                low, high = int(ticks.min()), int(ticks.max())
                self.low = low if self.low is None else min(self.low, low)
                self.high = high if self.high is None else max(self.high, high)
        else:
            self.count += int(series.notna().sum())

    def _add_numbers(self, values: np.ndarray) -> None:
        n = int(values.size)
        if n == 0:
            return
        with np.errstate(invalid="ignore", over="ignore"):
            mean = float(values.mean(dtype=np.float64))
            squares = float(((values.astype(np.float64) - mean) ** 2).sum())
            total = self.count + n
            delta = mean - self.mean
            if self.count:
                self.squares += squares + delta * delta * self.count * n / total
                self.mean += delta * n / total
            else:
                self.mean, self.squares = mean, squares
        low, high = values.min(), values.max()
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)
        self.count = total

    def exact(self, sampled: pd.Series) -> JsonDict:
        """The statistics the column's type lists (:data:`STATS_BY_TYPE`), those that add up exact and
        the rest of ``sampled``, a sample of its rows."""
        stats = STATS_BY_TYPE[self.kind](sampled)
        stats.update(count=self.count, missing=self.rows - self.count)
        if self.kind == "numeric" and self.count:
            std = math.sqrt(self.squares / (self.count - 1)) if self.count > 1 else math.nan
            stats.update(
                mean=finite_or_none(self.mean),
                std=finite_or_none(std),
                min=numeric_scalar(self.low),
                max=numeric_scalar(self.high),
            )
        elif self.kind == "boolean":
            false_count = self.count - self.true_count
            stats.update(
                true_count=self.true_count,
                false_count=false_count,
                unique=int(self.true_count > 0) + int(false_count > 0),
                top=[{"value": True, "count": self.true_count}, {"value": False, "count": false_count}],
            )
        elif self.kind == "datetime" and self.low is not None:
            index = pd.DatetimeIndex(sampled)
            stats.update(
                min=tick_to_iso(self.low, index.unit, index.tz),
                max=tick_to_iso(self.high, index.unit, index.tz),
            )
        return stats


def parts_table_summary(
    columns: pd.DataFrame,
    scan: Callable[[Callable[[pd.DataFrame], object]], pd.DataFrame],
    preview_rows: int = 100,
) -> JsonDict:
    """:func:`table_summary` of a table read in row parts, never whole: ``columns`` is an empty frame of
    its columns and dtypes; ``scan(each)`` calls ``each(part)`` for every part in row order and returns
    a sample of the rows. Counts, missing values, min, max, mean, std and true/false counts are exact
    (:class:`ColumnTotals`); distinct values, quartiles, histograms and top text values are the
    sample's, and ``sampled_rows`` says how many rows it has. The preview is the table's first rows."""
    totals: list[ColumnTotals] = []
    preview: list[pd.DataFrame] = []
    n_rows = 0

    def each(part: pd.DataFrame) -> None:
        nonlocal n_rows
        if not totals:  # each column's type by the modules' rule, which may look at values: the first part's
            totals.extend(ColumnTotals(column_type(part.iloc[:, p])) for p in range(part.shape[1]))
        n_rows += len(part)
        for position, column in enumerate(totals):
            column.add(part.iloc[:, position])
        wanted = preview_rows - sum(len(rows) for rows in preview)
        if wanted > 0:
            preview.append(part.iloc[:wanted])

    sample = scan(each)
    if not totals:
        totals.extend(ColumnTotals(column_type(columns.iloc[:, p])) for p in range(columns.shape[1]))
    first = pd.concat(preview, axis=0, ignore_index=True) if preview else columns
    return {
        "type": "data_table",
        "n_rows": n_rows,
        "n_columns": columns.shape[1],
        "columns": [
            {"name": str(name), "type": column.kind, "stats": column.exact(sample.iloc[:, p])}
            for p, (name, column) in enumerate(zip(columns.columns, totals, strict=True))
        ],
        "preview": frame_rows_to_json(first.iloc[: max(0, preview_rows)]),
        "sampled_rows": len(sample),
    }


def table_page(df: pd.DataFrame, offset: int, limit: int) -> JsonDict:
    """One page of rows: ``{columns, rows, total, offset, limit}`` with missing values as null."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    return page_payload(df.iloc[offset : offset + limit], len(df), offset, limit)


def page_payload(page: pd.DataFrame, total: int, offset: int, limit: int) -> JsonDict:
    """The page payload of rows already cut out of a table of `total` rows."""
    return {
        "columns": [str(name) for name in page.columns],
        "rows": frame_rows_to_json(page),
        "total": total,
        "offset": offset,
        "limit": limit,
    }


#: RFC 4180's line end; it also makes the writer quote any field holding a CR, not only an LF.
CSV_LINE_END = "\r\n"
#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iter_csv(df: pd.DataFrame, chunk_rows: int = 50_000, *, raw: bool = False) -> Iterator[bytes]:
    """The whole table as UTF-8 CSV (RFC 4180) in chunks: the header first, missing values empty.

    Unless `raw`, text that a spreadsheet would run as a formula (a cell or column name starting with
    one of FORMULA_STARTS) is written with a leading apostrophe, which spreadsheets show as text.
    Numbers are never touched: -1.5 is a number, not a formula.
    """
    if chunk_rows <= 0:
        raise ValueError("chunk_rows must be positive")
    header = df.iloc[:0]
    if not raw:
        header = header.set_axis([_inert(str(name)) for name in df.columns], axis=1)
    yield header.to_csv(index=False, lineterminator=CSV_LINE_END).encode("utf-8")
    for start in range(0, len(df), chunk_rows):
        chunk = df.iloc[start : start + chunk_rows]
        if not raw:
            chunk = _without_formulas(chunk)
        yield chunk.to_csv(index=False, header=False, na_rep="", lineterminator=CSV_LINE_END).encode("utf-8")


def iter_csv_parts(
    parts: Iterable[pd.DataFrame], chunk_rows: int = 50_000, *, raw: bool = False
) -> Iterator[bytes]:
    """:func:`iter_csv` of a table given as its row parts in order (each read when its turn comes): the
    header once, then every part's rows."""
    for index, part in enumerate(parts):
        chunks = iter_csv(part, chunk_rows, raw=raw)
        header = next(chunks)
        if index == 0:
            yield header
        yield from chunks
        del part, chunks


def _inert(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _without_formulas(chunk: pd.DataFrame) -> pd.DataFrame:
    """The chunk with every text cell that starts like a formula prefixed by an apostrophe."""
    safe = chunk
    for position in range(chunk.shape[1]):
        column = chunk.iloc[:, position]
        if column_type(column) != "string":
            continue
        text = column.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
        if risky.any():
            if safe is chunk:
                safe = chunk.copy()
            safe.isetitem(position, text.mask(risky, "'" + text))
    return safe
