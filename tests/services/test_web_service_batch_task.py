"""A batch job's task: an upload, a dataset or a sample scored as Assign Data to Clusters scores it."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backend.core.status import RunStatus
from backend.executor.local import LocalExecutor
from backend.services.web_services.batch_task import DATASET, SAMPLE, UPLOAD, BatchScoreTask
from backend.services.web_services.scoring import STEP_ROWS
from modules.samples import load_sample
from modules.storage import read_table, write_model, write_table
from tests.services.web_service_models import (
    IRIS_FEATURES,
    assert_same_scores,
    iris_model,
    line_model,
    mixed_model,
    module_answer,
)

DIST3 = [f"DistancesToClusterCenter no.{j}" for j in range(3)]


def make_task(tmp_path: Path, model, source: str, input: str, *, append: bool = True, **kw) -> BatchScoreTask:
    model_path = tmp_path / "model.npz"
    write_model(model, model_path)
    return BatchScoreTask(
        task_id="job",
        model_path=str(model_path),
        source=source,
        input=input,
        result_path=str(tmp_path / "result.parquet"),
        append=append,
        max_rows=kw.pop("max_rows", 1_000_000),
        max_cells=kw.pop("max_cells", 10_000_000),
        **kw,
    )


def test_an_uploaded_csv_is_scored_as_assign_scores_the_same_dataset(tmp_path: Path) -> None:
    iris = load_sample("sample-iris")
    upload = tmp_path / "upload.csv"
    iris.to_csv(upload, index=False)
    model = iris_model()
    progress: list[float] = []
    result = make_task(tmp_path, model, UPLOAD, str(upload), filename="iris.csv").execute(progress.append)
    assert result.status == RunStatus.SUCCEEDED, result.error
    got = read_table(tmp_path / "result.parquet")
    assert_same_scores(got, module_answer(iris, model, append=True), DIST3)
    assert got[IRIS_FEATURES].equals(iris[IRIS_FEATURES])
    assert progress[0] == 0.0 and progress[-1] == 1.0 and progress == sorted(progress)
    assert "Scored 150 rows with 3 clusters." in result.log
    assert not (tmp_path / "upload.parquet").exists()  # the converted copy is gone


def test_a_stored_dataset_in_many_steps(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 2 * STEP_ROWS + 17
    frame = pd.DataFrame({"x": rng.normal(5, 4, n)})
    frame.loc[5, "x"] = np.nan
    stored = tmp_path / "dataset.parquet"
    write_table(frame, stored)
    model = line_model()
    progress: list[float] = []
    result = make_task(tmp_path, model, DATASET, str(stored), append=False).execute(progress.append)
    assert result.status == RunStatus.SUCCEEDED, result.error
    got = read_table(tmp_path / "result.parquet")
    assert_same_scores(got, module_answer(frame, model, append=False), DIST3[:2])
    assert pd.isna(got.loc[5, "Assignments"])
    assert len([p for p in progress if 0.2 < p < 0.9]) >= 2  # one report per step


def test_a_sample_with_the_label_mode(tmp_path: Path) -> None:
    model = iris_model(assign_label_mode="overwrite")
    result = make_task(tmp_path, model, SAMPLE, "sample-iris").execute()
    assert result.status == RunStatus.SUCCEEDED, result.error
    got = read_table(tmp_path / "result.parquet")
    expected = module_answer(load_sample("sample-iris"), model, append=True)
    assert got["species"].tolist() == expected["species"].tolist()


def test_missing_columns_fail_the_job_with_the_modules_error(tmp_path: Path) -> None:
    upload = tmp_path / "upload.csv"
    upload.write_text("a,b\n1,2\n")
    result = make_task(tmp_path, mixed_model(), UPLOAD, str(upload), filename="x.csv").execute()
    assert result.status == RunStatus.FAILED
    assert result.error is not None and result.error["code"] == "0001"
    assert "'x', 'color', 'when', 'flag'" in result.error["message"]
    assert not (tmp_path / "result.parquet").exists()


@pytest.mark.parametrize(
    ("content", "max_rows", "says"),
    [(b"\x00\x01binary", 100, "binary"), (b"x\n1\n2\n3\n", 2, "at most 2")],
)
def test_an_unusable_upload_fails_the_job(tmp_path: Path, content: bytes, max_rows: int, says: str) -> None:
    upload = tmp_path / "upload.csv"
    upload.write_bytes(content)
    result = make_task(
        tmp_path, line_model(), UPLOAD, str(upload), filename="x.csv", max_rows=max_rows
    ).execute()
    assert result.status == RunStatus.FAILED
    assert result.error is not None and result.error["code"] == "0018" and says in result.error["message"]


def test_a_stop_request_cancels_the_job(tmp_path: Path) -> None:
    result = make_task(tmp_path, iris_model(), SAMPLE, "sample-iris").execute(None, lambda: True)
    assert result.status == RunStatus.CANCELLED
    assert not (tmp_path / "result.parquet").exists()


def test_the_job_runs_in_a_worker_process(tmp_path: Path) -> None:
    executor = LocalExecutor(workers=1, warm=False)
    executor.start()
    try:
        progress: list[float] = []
        done = threading.Event()
        handle = executor.submit(make_task(tmp_path, iris_model(), SAMPLE, "sample-iris"), progress.append)
        handle.future.add_done_callback(lambda _f: done.set())
        assert done.wait(120)
        result = handle.future.result()
        assert result.status == RunStatus.SUCCEEDED, result.error
        assert progress[-1] == 1.0
        assert len(read_table(tmp_path / "result.parquet")) == 150
    finally:
        executor.shutdown()
