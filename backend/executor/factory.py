"""The executor the settings ask for: local worker processes (the default) or a Dask cluster."""

from __future__ import annotations

from backend.core.config import Settings
from backend.executor.base import Executor
from backend.executor.warmup import no_warm_up, warm_up_worker


def make_executor(settings: Settings) -> Executor:
    """``STUDIO_EXECUTOR``: `local` → :class:`~backend.executor.local.LocalExecutor`; `dask` →
    :class:`~backend.executor.dask.DaskExecutor` on ``STUDIO_DASK_SCHEDULER`` (empty: a LocalCluster of
    ``STUDIO_DASK_WORKERS`` worker processes). Neither starts here: the run manager starts it."""
    warm_up = warm_up_worker if settings.warm_up else no_warm_up
    if settings.executor == "dask":
        from backend.executor.dask import DaskExecutor  # distributed is imported only when used

        return DaskExecutor(settings.dask_scheduler, workers=settings.dask_workers, warm_up=warm_up)
    from backend.executor.local import LocalExecutor

    return LocalExecutor(workers=settings.workers, warm=settings.warm_workers, warm_up=warm_up)
