"""A batch job's work, done in a worker process of the run executor (never in the web process).

The task reads its table (an upload, imported exactly as a dataset upload is; a stored dataset; or a
sample), loads the saved model from its file, scores every row as Assign Data to Clusters does and
writes the results as Parquet. Progress: reading to 20%, scoring to 90%, writing to 100%. Like a
node task, every failure comes back as a coded error in the result, never as an exception.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backend.core.disk import is_disk_full
from backend.core.status import RunStatus
from backend.executor.task import NodeResult
from backend.services.table_import import InvalidDataset, TableLimits, import_table
from backend.services.web_services.scoring import score_in_steps
from modules.context import MapTasks, RunContext
from modules.errors import Cancelled, ModuleError
from modules.samples import load_sample
from modules.storage import read_model, read_table, write_table
from modules.trained_model import TrainedClusterModel

__all__ = ["UPLOAD", "DATASET", "SAMPLE", "BatchScoreTask"]

#: Where a job's table comes from: a file the caller sent, a stored dataset's Parquet, a sample's id.
UPLOAD, DATASET, SAMPLE = "upload", "dataset", "sample"
READ_SHARE, SCORE_SHARE = 0.2, 0.7


@dataclass
class BatchScoreTask:
    task_id: str
    model_path: str
    source: str  # UPLOAD | DATASET | SAMPLE
    input: str  # a file path, or a sample's id
    result_path: str
    append: bool
    max_rows: int
    max_cells: int
    filename: str = ""  # an upload's name as the client sent it (a .tsv is tab-separated)

    def execute(
        self,
        progress: Callable[[float], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        map_tasks: MapTasks | None = None,
        cluster: Callable[[], Any] | None = None,  # a batch job reads its input whole
    ) -> NodeResult:
        started = time.perf_counter()
        ctx = RunContext(on_progress=progress, stop_requested=should_stop, map_tasks=map_tasks)
        error: dict[str, str] | None = None
        try:
            self._run(ctx)
            status = RunStatus.SUCCEEDED
        except Cancelled:
            status = RunStatus.CANCELLED
            ctx.log("Cancelled.")
        except ModuleError as exc:
            status, error = RunStatus.FAILED, exc.to_dict()
        except InvalidDataset as exc:
            status, error = RunStatus.FAILED, {"code": exc.code, "message": exc.message}
        except MemoryError:
            status, error = RunStatus.FAILED, {"code": "0138", "message": "The job ran out of memory."}
        except Exception as exc:
            status, error = RunStatus.FAILED, _unexpected(exc)
            ctx.log(traceback.format_exc())
        if error is not None:
            ctx.log(f"Error {error['code']}: {error['message']}")
        if status != RunStatus.SUCCEEDED:
            Path(self.result_path).unlink(missing_ok=True)
        return NodeResult(
            status=status,
            log="\n".join(ctx.logs),
            warnings=list(ctx.warnings),
            error=error,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def _run(self, ctx: RunContext) -> None:
        ctx.progress(0.0)
        frame = self._read()
        model = read_model(Path(self.model_path))
        if not isinstance(model, TrainedClusterModel):
            raise ModuleError("0013", "The service's model file does not hold a trained clustering model.")
        ctx.progress(READ_SHARE)
        scoring = RunContext(
            on_progress=lambda f: ctx.progress(READ_SHARE + SCORE_SHARE * f),
            stop_requested=ctx.stop_requested,
            on_log=ctx.log,
        )
        result = score_in_steps(model, frame, append=self.append, ctx=scoring)
        ctx.warnings.extend(scoring.warnings)
        del frame
        final = Path(self.result_path)
        staging = final.with_name(final.name + ".tmp")
        try:
            write_table(result, staging)
            os.replace(staging, final)
        finally:
            staging.unlink(missing_ok=True)  # nothing half-written stays behind
        ctx.log(f"Scored {len(result)} rows with {model.k} clusters.")
        ctx.progress(1.0)

    def _read(self) -> pd.DataFrame:
        if self.source == SAMPLE:
            return load_sample(self.input)
        if self.source == DATASET:
            return read_table(Path(self.input))
        upload = Path(self.input)
        converted = upload.with_suffix(".parquet")
        try:
            import_table(upload, self.filename, converted, TableLimits(self.max_rows, self.max_cells))
            return read_table(converted)
        finally:
            converted.unlink(missing_ok=True)


def _unexpected(exc: Exception) -> dict[str, str]:
    if is_disk_full(exc):
        return {
            "code": "0140",
            "message": "The server's disk is full: the results could not be stored. Free space (or ask the "
            "administrator to) and send the job again.",
        }
    return {"code": "0039", "message": f"{type(exc).__name__}: {exc}"}
