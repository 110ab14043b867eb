"""A feature matrix held as row partitions in the memory of Dask workers, and the task round trips
over it: one task per partition, run where the partition lives, results gathered on the client.

Dask is imported here only when a matrix is partitioned, so the engine (and its precompile) imports
without it.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import dask.array as da
    from distributed import Client, Future


def default_client() -> Client:
    """The Dask client of this process (``distributed.get_client``); ValueError when there is none."""
    from distributed import get_client

    try:
        return get_client()
    except ValueError as error:
        raise ValueError("no Dask client: pass client= or create a distributed.Client first") from error


def check_partitioned(X: object) -> da.Array:
    """X as the partitioned fit takes it: a 2-D float64 dask array split by rows only, sizes known."""
    import dask.array as da

    if not isinstance(X, da.Array):
        raise ValueError(f"X must be a dask.array.Array, got {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (rows x features), got {X.ndim} dimensions")
    if X.dtype != np.float64:
        raise ValueError(f"X must hold float64 values, got {X.dtype}")
    if any(np.isnan(size) for size in X.chunks[0]):
        raise ValueError("X has partitions of unknown size: call X.compute_chunk_sizes() first")
    if len(X.chunks[1]) != 1:
        raise ValueError(
            "X must be split by rows only (every partition holds all the columns): use X.rechunk({1: -1})"
        )
    if X.shape[1] < 1:
        raise ValueError("X has no columns")
    return X


class Partitions:
    """The persisted row partitions of X (persisted once; an already persisted X is not recomputed)
    and the tasks run on them. ``futures[p]`` holds partition p, rows ``offsets[p]`` to
    ``offsets[p + 1]``."""

    def __init__(self, client: Client, X: da.Array) -> None:
        from dask.core import flatten
        from distributed import futures_of

        self.client = client
        self.array = client.persist(X)
        by_key = {future.key: future for future in futures_of(self.array)}
        self.futures: list[Future] = [by_key[key] for key in flatten(self.array.__dask_keys__())]
        self.sizes = np.array([int(size) for size in X.chunks[0]], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.n_rows = int(self.offsets[-1])
        self.n_features = int(X.shape[1])
        self._token = uuid.uuid4().hex
        self._round = itertools.count()

    def __len__(self) -> int:
        return len(self.futures)

    @property
    def first_rows(self) -> list[int]:
        return [int(offset) for offset in self.offsets[:-1]]

    def map(
        self, func: Callable[..., Any], *per_partition: Collection[Any], **constants: Any
    ) -> list[Future]:
        """One task per partition: ``func(a[p], b[p], ..., **constants)`` for the iterables given
        (``self.futures`` for the partitions themselves). Keys are unique per call: no hashing of the
        arguments, and a task is never mistaken for an earlier one."""
        keys = [f"{func.__name__}-{self._token}-{next(self._round)}-{p}" for p in range(len(self))]
        return self.client.map(func, *per_partition, key=keys, **constants)

    def run(self, func: Callable[..., Any], *per_partition: Collection[Any], **constants: Any) -> list[Any]:
        """:meth:`map`, then the results in partition order."""
        futures = self.map(func, *per_partition, **constants)
        results = self.client.gather(futures)
        del futures
        return list(results)

    def run_on_partitions(
        self, func: Callable[..., Any], *per_partition: Collection[Any], **constants: Any
    ) -> list[Any]:
        """:meth:`run` with each partition as the first argument."""
        return self.run(func, self.futures, *per_partition, **constants)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """The values of the given global rows, in the order given (fetched from their partitions)."""
        import operator

        out = np.empty((rows.size, self.n_features))
        owners = np.searchsorted(self.offsets, rows, side="right") - 1
        for partition in np.unique(owners):
            picked = np.flatnonzero(owners == partition)
            local = rows[picked] - self.offsets[partition]
            future = self.client.submit(operator.getitem, self.futures[partition], local, pure=False)
            out[picked] = future.result()
        return out
