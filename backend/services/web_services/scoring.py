"""Scoring a request with a saved model: exactly Assign Data to Clusters, on the request's rows.

The assignments and scores come from :func:`modules.scoring.score_rows` and the table from
:func:`modules.scoring.results_table` — the module's own functions — so a service and the module
agree to the last bit. What a service adds is reading the request (:mod:`.formats`, :mod:`.frames`)
and writing the answer (:mod:`.render`). A JSON answer whose table no label mode changes is written
straight from the scores (:func:`.render.render_scores`, the same bytes, tested), which keeps a
one-row request about as cheap as the health check.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd

from backend.services.web_services.errors import ScoreRequestError
from backend.services.web_services.formats import RawTable, Shape, read_request
from backend.services.web_services.frames import build_frame
from backend.services.web_services.render import render, render_scores
from modules.context import RunContext
from modules.errors import Cancelled, ModuleError
from modules.results import result_column_names
from modules.scoring import Scores, has_score_columns, results_table, score_prefix, score_rows
from modules.trained_model import TrainedClusterModel

__all__ = ["Scored", "input_columns", "output_columns", "score_frame", "score_in_steps", "score_request"]

#: Rows scored between two progress reports of a batch job.
STEP_ROWS = 65_536

#: The type of each feature kind, as a request sends it (also the services' OpenAPI types).
INPUT_TYPES = {"numeric": "number", "boolean": "boolean", "datetime": "datetime", "onehot": "string"}


@dataclass(frozen=True)
class Scored:
    """A scored request: the answer's bytes and media type, and how many rows it scored."""

    body: bytes
    media_type: str
    rows: int
    shape: Shape


def scores_of(trained: TrainedClusterModel, frame: pd.DataFrame) -> Scores:
    """:func:`modules.scoring.score_rows` for a request; data the model cannot score is a 400."""
    # One kernel thread (the setting is this thread's own): waking a parallel team costs milliseconds
    # on a busy machine, far more than a request's rows take, and the web process has no cores to spare.
    numba.set_num_threads(1)
    try:
        return score_rows(frame, trained)
    except ModuleError as exc:  # e.g. 0018: under the cosine metric, a row of zeros
        raise ScoreRequestError(400, "unscorable", exc.message, module_error=exc.code) from None


def score_frame(trained: TrainedClusterModel, frame: pd.DataFrame, *, append: bool) -> pd.DataFrame:
    """Assign Data to Clusters on ``frame``: the input columns first when ``append``, then
    ``Assignments`` and one score column per cluster. Data the model cannot score is a 400."""
    return results_table(frame, scores_of(trained, frame), trained, append=append, ctx=RunContext())


def label_mode_applies(trained: TrainedClusterModel, *, append: bool) -> bool:
    """Whether the results table changes the label column (fill_missing / overwrite, when appending)."""
    return append and trained.label_mode != "ignore" and trained.label_column is not None


def score_in_steps(
    trained: TrainedClusterModel, frame: pd.DataFrame, *, append: bool, ctx: RunContext
) -> pd.DataFrame:
    """Assign Data to Clusters on a whole table, reporting progress as it goes (batch jobs).

    Rows are scored independently, so scoring step by step and building the table once gives the
    module's result; ``ctx`` hears progress, is asked whether to stop, and gets the module's log.
    """
    n = len(frame)
    parts: list[Scores] = []
    for start in range(0, max(n, 1), STEP_ROWS):
        if ctx.should_stop():
            raise Cancelled()
        parts.append(score_rows(frame.iloc[start : start + STEP_ROWS], trained, ctx))
        ctx.progress(min(n, start + STEP_ROWS) / max(n, 1))
    scores = Scores(
        np.concatenate([part.labels for part in parts]),
        np.concatenate([part.scores_t for part in parts], axis=1),
        sum(part.unseen for part in parts),
    )
    return results_table(frame, scores, trained, append=append, ctx=ctx)


def score_request(
    trained: TrainedClusterModel, body: bytes, content_type: str, *, append: bool, max_rows: int
) -> Scored:
    """Read, score and answer one request (:class:`ScoreRequestError` for what the caller got wrong)."""
    with _collector_paused():
        raw: RawTable = read_request(body, content_type, max_rows)
        frame = build_frame(raw, trained.features)
        scores = scores_of(trained, frame)
        if raw.shape is Shape.CSV or label_mode_applies(trained, append=append):
            result = results_table(frame, scores, trained, append=append, ctx=RunContext())
            payload, media_type = render(result, raw.shape)
            del result
        else:
            payload, media_type = render_scores(frame, scores, trained, append=append, shape=raw.shape)
        del frame, scores  # freed while the collector still rests
    return Scored(payload, media_type, raw.n_rows, raw.shape)


_paused = 0
_paused_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a request is read, scored and written.

    A large request makes tens of thousands of lists and tuples at once; each burst would start full
    collections that walk every object of the server (30 ms for a 10,000-row request, ten times the
    work itself). They are all freed by reference counting when the request ends, so nothing is lost
    by waiting: the collector resumes when the last request in progress leaves.
    """
    global _paused
    with _paused_lock:
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0:
                gc.enable()


def input_columns(feature_columns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The columns a request must carry, with the type each cell must have, from a model's
    ``feature_columns`` (:meth:`~modules.features.FeatureSpace.columns_json`)."""
    return [{"name": str(fc["name"]), "type": INPUT_TYPES[str(fc["kind"])]} for fc in feature_columns]


def output_columns(source_columns: list[str], k: int, algorithm: str, *, append: bool) -> list[str]:
    """The answer's columns for a request of just the model's columns (others come first too when
    appending)."""
    inputs = source_columns if append else []
    width = k if has_score_columns(algorithm) else 0  # a model without scores: Assignments alone
    assignments, scores = result_column_names(inputs, width, score_prefix(algorithm))
    return [*inputs, assignments, *scores]
