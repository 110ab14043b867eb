"""A worker takes no task before its warm-up finished (real LocalExecutor, real worker processes).

The warm-ups here are gated by files in a temporary folder, so each test decides when a worker
becomes ready and asserts on states and order, never on how long anything took.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.core.status import RunStatus
from backend.executor.local import LocalExecutor
from backend.executor.task import NodeResult
from backend.executor.warmup import BACKGROUND_COMPILE_THREAD, warm_up_worker

pytestmark = pytest.mark.slow

#: Set in a worker process once its warm-up returned.
WARMED_UP = False
WAIT_S = 120  # a bound for waits on other processes, far above what they take; never a measurement


def gated_warm_up(folder: str, first_goes_at_once: bool = False) -> str:
    """Say that warm-up began (warming-<pid>), then wait for the gate file "open" (the first worker to
    claim "first" goes at once when asked); the worker is ready when this returns."""
    global WARMED_UP
    here = Path(folder)
    (here / f"warming-{os.getpid()}").touch()
    go_at_once = False
    if first_goes_at_once:
        try:
            os.close(os.open(here / "first", os.O_CREAT | os.O_EXCL))
            go_at_once = True
        except FileExistsError:
            pass
    deadline = time.monotonic() + WAIT_S
    while not go_at_once and not (here / "open").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    WARMED_UP = True
    return "gated warm-up passed"


@dataclass
class ProbeTask:
    """A task reporting the worker it ran in and whether that worker had finished warming up."""

    task_id: str
    folder: str

    def execute(
        self,
        progress: object = None,
        should_stop: object = None,
        map_tasks: object = None,
        cluster: object = None,
    ) -> NodeResult:
        (Path(self.folder) / f"ran-{self.task_id}").touch()
        return NodeResult(status=RunStatus.SUCCEEDED, log=f"{os.getpid()} {WARMED_UP}")


@dataclass
class KernelProbeTask:
    """A task reporting, before doing anything, which engine kernels its worker has not loaded."""

    task_id: str = "kernels"

    def execute(
        self,
        progress: object = None,
        should_stop: object = None,
        map_tasks: object = None,
        cluster: object = None,
    ) -> NodeResult:
        from modules.engine.precompile import unreached_kernels

        return NodeResult(status=RunStatus.SUCCEEDED, log=",".join(unreached_kernels()))


def wait_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def ran_in(result: NodeResult) -> tuple[int, bool]:
    pid, warmed = result.log.split()
    return int(pid), warmed == "True"


def no_progress(fraction: float) -> None:
    pass


@pytest.fixture
def pool_of(tmp_path: Path):  # type: ignore[no-untyped-def]
    pools: list[LocalExecutor] = []

    def make(workers: int, warm: bool, warm_up: Callable[[], str]) -> LocalExecutor:
        pool = LocalExecutor(workers=workers, warm=warm, warm_up=warm_up)
        pool.start()
        pools.append(pool)
        return pool

    yield make
    (tmp_path / "open").touch()  # let any gated worker finish, so shutdown is quick
    for pool in pools:
        pool.shutdown()


def test_tasks_go_to_the_ready_worker_while_the_other_still_warms_up(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    pool = pool_of(2, True, functools.partial(gated_warm_up, str(tmp_path), first_goes_at_once=True))
    wait_until(lambda: sorted(pool.worker_states()) == ["ready", "warming up"], "one worker ready")
    (ready_pid,) = [pid for pid, slot in zip(pool.worker_pids(), pool.slots, strict=True) if slot.ready]

    jobs = [pool.submit(ProbeTask(f"t{i}", str(tmp_path)), no_progress) for i in range(4)]
    results = [job.future.result(timeout=WAIT_S) for job in jobs]

    assert [r.status for r in results] == [RunStatus.SUCCEEDED] * 4
    assert {ran_in(r) for r in results} == {(ready_pid, True)}  # none waited for the warming worker
    assert sorted(pool.worker_states()) == ["ready", "warming up"]  # which is still warming up

    (tmp_path / "open").touch()
    wait_until(lambda: pool.worker_states() == ["ready", "ready"], "both workers ready")


def test_a_task_submitted_during_warm_up_waits_and_then_runs(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    pool = pool_of(1, False, functools.partial(gated_warm_up, str(tmp_path)))
    assert pool.worker_states() == ["stopped"]  # lazily started: by the first job
    job = pool.submit(ProbeTask("first", str(tmp_path)), no_progress)
    wait_until(lambda: list(tmp_path.glob("warming-*")), "the worker began warming up")

    assert pool.worker_states() == ["warming up"]
    assert not job.future.done() and not (tmp_path / "ran-first").exists()

    (tmp_path / "open").touch()
    result = job.future.result(timeout=WAIT_S)
    assert result.status == RunStatus.SUCCEEDED
    assert ran_in(result) == (pool.worker_pids()[0], True)


def test_cancelling_a_task_that_waits_for_warm_up_keeps_the_worker(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    pool = pool_of(1, False, functools.partial(gated_warm_up, str(tmp_path)))
    waiting = pool.submit(ProbeTask("cancelled", str(tmp_path)), no_progress)
    wait_until(lambda: list(tmp_path.glob("warming-*")), "the worker began warming up")
    (pid,) = pool.worker_pids()

    waiting.cancel()
    result = waiting.future.result(timeout=WAIT_S)
    assert (result.status, result.log) == (RunStatus.CANCELLED, "Cancelled before it started.")
    assert pool.worker_pids() == [pid] and pool.worker_states() == ["warming up"]

    (tmp_path / "open").touch()
    after = pool.submit(ProbeTask("after", str(tmp_path)), no_progress).future.result(timeout=WAIT_S)
    assert ran_in(after) == (pid, True)
    assert not (tmp_path / "ran-cancelled").exists()


def test_a_worker_replaced_after_a_kill_warms_up_before_its_first_task(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "open").touch()
    pool = pool_of(1, True, functools.partial(gated_warm_up, str(tmp_path)))
    first = pool.submit(ProbeTask("one", str(tmp_path)), no_progress).future.result(timeout=WAIT_S)
    first_pid, _ = ran_in(first)
    os.kill(first_pid, signal.SIGKILL)

    second = pool.submit(ProbeTask("two", str(tmp_path)), no_progress).future.result(timeout=WAIT_S)
    second_pid, warmed = ran_in(second)
    assert second.status == RunStatus.SUCCEEDED and second_pid != first_pid and warmed
    assert {p.name for p in tmp_path.glob("warming-*")} == {f"warming-{first_pid}", f"warming-{second_pid}"}


def test_the_real_warm_up_loads_every_kernel_before_the_first_task(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    pool = pool_of(1, False, warm_up_worker)
    result = pool.submit(KernelProbeTask(), no_progress).future.result(timeout=600)
    assert (result.status, result.log) == (RunStatus.SUCCEEDED, "")  # no kernel left to load or compile


def dies_while_warming_up() -> str:
    os._exit(3)


def test_waiting_for_the_workers_to_warm_up(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    pool = pool_of(2, True, functools.partial(gated_warm_up, str(tmp_path), first_goes_at_once=True))
    wait_until(lambda: sorted(pool.worker_states()) == ["ready", "warming up"], "one worker ready")
    assert pool.wait_for_workers(0.2) == 1  # the other one's gate is shut: the wait ends at its bound

    (tmp_path / "open").touch()
    assert pool.wait_for_workers(WAIT_S) == 2
    assert pool.worker_states() == ["ready", "ready"]


def test_no_worker_to_wait_for_when_they_start_lazily_or_die_warming_up(tmp_path: Path, pool_of) -> None:  # type: ignore[no-untyped-def]
    lazy = pool_of(1, False, functools.partial(gated_warm_up, str(tmp_path)))
    assert lazy.wait_for_workers(WAIT_S) == 0 and lazy.worker_states() == ["stopped"]

    dying = pool_of(2, True, dies_while_warming_up)
    assert dying.wait_for_workers(WAIT_S) == 0  # it returns once both died, not at its bound
    assert dying.worker_states() == ["stopped", "stopped"]


@dataclass
class BackgroundCompileProbe:
    """Once the worker's background compile process ended, load every kernel: how many this worker
    compiled before (its tiny pipeline's) and after, and which it still lacks."""

    task_id: str = "background-compile"

    def execute(
        self,
        progress: object = None,
        should_stop: object = None,
        map_tasks: object = None,
        cluster: object = None,
    ) -> NodeResult:
        import threading

        from modules.algorithms import warm_up
        from modules.engine.precompile import cache_stats, unreached_kernels

        background = [t for t in threading.enumerate() if t.name == BACKGROUND_COMPILE_THREAD]
        before = cache_stats().compiled
        for thread in background:
            thread.join()  # it waits for the process
        warm_up()
        after = cache_stats()
        report = {"background": len(background), "compiled_before": before, "compiled_after": after.compiled}
        report |= {"loaded": after.loaded, "unreached": unreached_kernels()}
        return NodeResult(status=RunStatus.SUCCEEDED, log=json.dumps(report))


@pytest.mark.timeout(2700)  # a bound on a hang: the compile runs at a low priority, slow on a busy machine
def test_an_empty_kernel_cache_compiles_only_the_tiny_pipeline_before_ready(
    tmp_path: Path, pool_of, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """Without the install step the worker is ready once the tiny pipeline's kernels are compiled; a
    background process fills the cache with the others, which the worker then loads instead of
    compiling them."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "empty-cache"))  # the worker process inherits it
    caplog.set_level(logging.INFO, logger="backend.executor.local")
    pool = pool_of(1, True, warm_up_worker)
    assert pool.wait_for_workers(900) == 1
    (ready_line,) = [r.getMessage() for r in caplog.records if "ready after" in r.getMessage()]
    assert "this worker's background process compiles the others" in ready_line, ready_line

    result = pool.submit(BackgroundCompileProbe(), no_progress).future.result(timeout=1800)
    assert result.status == RunStatus.SUCCEEDED, result.error
    report = json.loads(result.log)
    assert report["background"] == 1 and report["compiled_before"] > 0, report
    assert report["compiled_after"] == report["compiled_before"], report  # the rest came from the cache
    assert report["loaded"] > 0 and report["unreached"] == [], report
