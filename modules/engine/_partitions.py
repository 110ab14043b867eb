"""A feature matrix held as row partitions in the memory of Dask workers, and the task round trips
over it: the partitions' tasks run where the partitions live, results gathered on the client.

A round runs one Dask task per worker thread, not one per partition: the partitions a worker holds are
split into as many groups as it has threads (balanced by rows), and each group's task calls the
per-partition function on its partitions in turn and returns their results in a list. The compiled work
per partition is unchanged, and the client still sees one result per partition, in partition order
(sums added in that order give the bits the one-task-per-partition rounds gave). What changes is the
scheduler's share: each task costs about a millisecond of scheduling, transfer and bookkeeping on a
small machine, so 100 partitions cost ~0.13 s a round as 100 tasks and ~0.03 s as one task per thread
(docs/benchmarks.md, "## Dask"). The group tasks are pinned loosely (``allow_other_workers``) to the
worker holding their partitions: if that worker is gone, Dask recomputes the partitions elsewhere and
the task follows them instead of waiting for a worker that will not come back.

Dask is imported here only when a matrix is partitioned, so the engine (and its precompile) imports
without it.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TaskGroup:
    """Partitions run by one task of each round: on ``worker`` (None: wherever Dask chooses)."""

    worker: str | None
    partitions: tuple[int, ...]  # in increasing order


class GroupResults:
    """The results of a round left on the workers (one future per task group, holding the list of its
    partitions' results): given to a later round of the same :class:`Partitions` as a per-partition
    argument, each partition gets its own result, without a trip through the client."""

    def __init__(self, futures: list[Future]) -> None:
        self.futures = futures


PerPartition = Sequence[Any] | GroupResults


class Partitions:
    """The persisted row partitions of X (persisted once; an already persisted X is not recomputed)
    and the rounds of tasks run on them. ``futures[p]`` holds partition p, rows ``offsets[p]`` to
    ``offsets[p + 1]``; ``groups`` are the partitions each task of a round runs."""

    def __init__(self, client: Client, X: da.Array) -> None:
        from dask.core import flatten
        from distributed import futures_of, wait

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
        with client.as_current():  # `wait` asks for the current client; ours need not be the default
            wait(self.futures)  # where they live decides the groups
        holders, threads = self._holders(), self._threads()
        moves = balancing_moves(holders, self.sizes, threads)
        for partition, worker in moves.items():
            self.futures[partition] = client.submit(
                same_block,
                self.futures[partition],
                key=f"balanced-{self._token}-{partition}",
                workers=[worker],
                allow_other_workers=False,
                pure=False,
            )
            holders[partition] = worker
        if moves:
            with client.as_current():
                wait([self.futures[partition] for partition in moves])
        self.groups = task_groups(holders, self.sizes, threads)

    def __len__(self) -> int:
        return len(self.futures)

    @property
    def first_rows(self) -> list[int]:
        return [int(offset) for offset in self.offsets[:-1]]

    def _holders(self) -> list[str | None]:
        holders = self.client.who_has(self.futures)
        return [min(holders.get(future.key, ()), default=None) for future in self.futures]

    def _threads(self) -> dict[str, int]:
        return {address: int(threads) for address, threads in self.client.nthreads().items()}

    def map(self, func: Callable[..., Any], *per_partition: PerPartition, **constants: Any) -> GroupResults:
        """One round: ``func(a[p], b[p], ..., **constants)`` for every partition p, for the arguments
        given (``self.futures`` for the partitions themselves, or an earlier round's results), run by one
        task per group; the results stay on the workers. Keys are unique per round: no hashing of the
        arguments, and a task is never mistaken for an earlier one."""
        round_key = f"{func.__name__}-{self._token}-{next(self._round)}"
        futures = []
        for index, group in enumerate(self.groups):
            columns = [self._column(argument, index, group) for argument in per_partition]
            futures.append(
                self.client.submit(
                    run_group,
                    func,
                    constants,
                    len(group.partitions),
                    *columns,
                    key=f"{round_key}-{index}",
                    workers=None if group.worker is None else [group.worker],
                    allow_other_workers=True,
                )
            )
        return GroupResults(futures)

    def _column(self, argument: PerPartition, index: int, group: TaskGroup) -> Any:
        if isinstance(argument, GroupResults):
            return argument.futures[index]
        if len(argument) != len(self):
            raise ValueError(f"{len(argument)} per-partition arguments for {len(self)} partitions")
        return [argument[p] for p in group.partitions]

    def gather(self, results: GroupResults) -> list[Any]:
        """The results of a round, in partition order."""
        in_order: list[Any] = [None] * len(self)
        for group, values in zip(self.groups, self.client.gather(results.futures), strict=True):
            for partition, value in zip(group.partitions, values, strict=True):
                in_order[partition] = value
        return in_order

    def run(self, func: Callable[..., Any], *per_partition: PerPartition, **constants: Any) -> list[Any]:
        """:meth:`map`, then the results in partition order."""
        results = self.map(func, *per_partition, **constants)
        gathered = self.gather(results)
        del results
        return gathered

    def run_on_partitions(
        self, func: Callable[..., Any], *per_partition: PerPartition, **constants: Any
    ) -> list[Any]:
        """:meth:`run` with each partition as the first argument."""
        return self.run(func, self.futures, *per_partition, **constants)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """The values of the given global rows, in the order given (fetched from their partitions in one
        round trip)."""
        out = np.empty((rows.size, self.n_features))
        owners = np.searchsorted(self.offsets, rows, side="right") - 1
        picks = [np.flatnonzero(owners == partition) for partition in np.unique(owners)]
        futures = [
            self.client.submit(
                take_rows,
                self.futures[owners[picked[0]]],
                rows[picked] - self.offsets[owners[picked[0]]],
                pure=False,
            )
            for picked in picks
        ]
        for picked, values in zip(picks, self.client.gather(futures), strict=True):
            out[picked] = values
        return out


def run_group(
    func: Callable[..., Any], constants: dict[str, Any], n_partitions: int, *columns: Any
) -> list[Any]:
    """A group's task: ``func`` on each of its partitions in turn (column c holds argument c of each)."""
    return [func(*(column[i] for column in columns), **constants) for i in range(n_partitions)]


def same_block(block: np.ndarray) -> np.ndarray:
    """A partition's task on another worker: the partition itself (fetched there, kept under a new key)."""
    return block


def balancing_moves(
    holders: Sequence[str | None], sizes: np.ndarray, threads: dict[str, int]
) -> dict[int, str]:
    """Partitions to copy to another worker so that no worker thread has many more rows to pass over
    than the others: every round waits for the busiest thread, so the rows of the worker with the most
    per thread set a pass's time (Dask places persisted partitions by its own rules: 16 equal partitions
    on 2 workers came as 9 and 7, a ninth more rows than even for the 9). Greedy: while moving one of
    the busiest worker's partitions to the least busy worker lowers the larger of their rows per
    thread, move the one that lowers it most (ties: the lower partition). {partition: worker}."""
    rows = {worker: 0 for worker in threads}
    held: dict[str, list[int]] = {worker: [] for worker in threads}
    for partition, holder in enumerate(holders):
        if holder in rows:
            rows[holder] += int(sizes[partition])
            held[holder].append(partition)
    moves: dict[int, str] = {}
    if len(rows) < 2:
        return moves

    def per_thread(worker: str, extra: int = 0) -> float:
        return (rows[worker] + extra) / max(1, threads[worker])

    for _ in range(len(holders)):
        busiest = max(rows, key=lambda worker: (per_thread(worker), worker))
        idlest = min(rows, key=lambda worker: (per_thread(worker), worker))
        best: tuple[float, int] | None = None
        for partition in held[busiest]:
            size = int(sizes[partition])
            after = max(per_thread(busiest, -size), per_thread(idlest, size))
            if size > 0 and after < per_thread(busiest) and (best is None or (after, partition) < best):
                best = (after, partition)
        if best is None:
            break
        partition = best[1]
        size = int(sizes[partition])
        held[busiest].remove(partition)
        held[idlest].append(partition)
        rows[busiest] -= size
        rows[idlest] += size
        moves[partition] = idlest
    return moves


def take_rows(block: np.ndarray, local_rows: np.ndarray) -> np.ndarray:
    return np.asarray(block[local_rows])


def task_groups(holders: Sequence[str | None], sizes: np.ndarray, threads: dict[str, int]) -> list[TaskGroup]:
    """The task groups of a round: each worker's partitions split into as many groups as it has
    threads (largest partition first into the group with the fewest rows; ties to the lower group), no
    empty group; partitions of unknown holder in one unpinned group."""
    by_worker: dict[str | None, list[int]] = {}
    for partition, holder in enumerate(holders):
        by_worker.setdefault(holder, []).append(partition)
    groups: list[TaskGroup] = []
    for worker, partitions in by_worker.items():
        n_groups = 1 if worker is None else max(1, min(threads.get(worker, 1), len(partitions)))
        members: list[list[int]] = [[] for _ in range(n_groups)]
        rows = np.zeros(n_groups, dtype=np.int64)
        for partition in sorted(partitions, key=lambda p: (-int(sizes[p]), p)):
            lightest = int(np.argmin(rows))
            members[lightest].append(partition)
            rows[lightest] += sizes[partition]
        groups.extend(TaskGroup(worker, tuple(sorted(group))) for group in members if group)
    return groups
