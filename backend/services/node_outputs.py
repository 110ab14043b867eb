"""Reading a run's node outputs (after the caller's access was checked) and shaping them for the API."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.memory import release_memory
from backend.executor import ArtefactRef, ArtefactStore
from backend.executor.task import CHART_SAMPLE_ROWS, VISUALIZATION
from backend.models import NodeRun, Run
from backend.services import outputs as payloads
from backend.services.datasets import read_frame
from backend.services.outputs.agreement import InvalidLabelColumn, label_agreement, parts_label_agreement
from backend.services.outputs.derived import METRICS, PROFILE, RESULT_PAYLOADS, SILHOUETTE, SUMMARY
from backend.services.outputs.parts import SAMPLE_ROWS, StoredParts, write_parts
from backend.services.outputs.profiles import (
    PROFILE_ROWS,
    ClusterTotals,
    NotAClusteringResult,
    assignments_column,
    cluster_profiles,
)
from backend.services.outputs.result_metrics import LabelCounts
from backend.services.outputs.result_metrics import result_metrics as compute_result_metrics
from backend.services.outputs.silhouette import silhouette_plot
from backend.services.parquet_pages import stored_table_page
from backend.services.run_comparison import AssignmentChunks
from modules import registry
from modules.ports import PORT_TYPES
from modules.silhouette import EXACT_ROWS
from modules.storage import PARQUET_SUFFIX, is_partitioned, read_stored_table, write_table


class OutputNotFound(Exception):
    pass


class NotATable(Exception):
    pass


def node_run(session: Session, run: Run, node_id: str) -> NodeRun:
    row = session.scalar(select(NodeRun).where(NodeRun.run_id == run.id, NodeRun.node_id == node_id))
    if row is None:
        raise OutputNotFound("Node not found in this run")
    return row


def output_ref(session: Session, store: ArtefactStore, run: Run, node_id: str, port: str) -> ArtefactRef:
    """The stored output of a node's port, with the view its module declares for that port."""
    row = node_run(session, run, node_id)
    stored = (row.outputs or {}).get(port)
    if stored is None:
        raise OutputNotFound(f"The node has no output {port!r} in this run")
    ref = ArtefactRef.from_json(stored)
    if not store.exists(ref):
        raise OutputNotFound("The output is no longer stored")
    declared = registry.get(row.module_id).output(port) if registry.has(row.module_id) else None
    return replace(ref, view=declared.shown_as if declared is not None else None)


def sibling_model_ref(session: Session, store: ArtefactStore, run: Run, node_id: str) -> ArtefactRef | None:
    """The trained model the node output beside its tables, if it did (and it is still stored): the
    cluster chart of its results draws the model's component ellipses from it."""
    row = node_run(session, run, node_id)
    for stored in (row.outputs or {}).values():
        ref = ArtefactRef.from_json(stored)
        if ref.type == "trained_cluster_model" and store.exists(ref):
            return ref
    return None


def is_table(ref: ArtefactRef) -> bool:
    return PORT_TYPES[ref.type].is_table


def read(store: ArtefactStore, ref: ArtefactRef) -> Any:
    if not is_table(ref):
        return store.read(ref)
    path = store.path(ref)
    # A Parquet table (an output of an earlier version) goes through the server's frame cache: pages and
    # charts of one output read it again and again. An Arrow one is memory-mapped: reading it is free.
    return read_frame(path) if path.suffix == PARQUET_SUFFIX else read_stored_table(path)


def table(store: ArtefactStore, ref: ArtefactRef) -> Any:
    if not is_table(ref):
        raise NotATable("This output is a model, not a table")
    return read(store, ref)


def stored_parts(store: ArtefactStore, ref: ArtefactRef) -> StoredParts | None:
    """The part files of a table output stored partitioned (too large to read whole: its views read
    them one at a time), None for any other output."""
    if not is_table(ref):
        return None
    path = store.path(ref)
    return StoredParts.at(path) if is_partitioned(path) else None


def assignment_chunks(store: ArtefactStore, ref: ArtefactRef) -> AssignmentChunks:
    """A results table's assignments column in row chunks, for comparing it with another run's: of a
    table stored partitioned, its parts' one at a time (NotATable without one)."""
    try:
        if (parts := stored_parts(store, ref)) is not None:
            column = assignments_column(parts.meta)
            return AssignmentChunks(parts.n_rows, lambda: (part[column] for part in parts.frames([column])))
        frame = table(store, ref)
        column = assignments_column(frame)
    except NotAClusteringResult as exc:
        raise NotATable(str(exc)) from None
    return AssignmentChunks(len(frame), lambda: iter([frame[column]]))


def summary(store: ArtefactStore, ref: ArtefactRef) -> dict[str, Any]:
    """Table statistics and preview (kept beside the table the first time), or the model's summary."""
    if is_table(ref) and (ready := store.read_derived(ref, SUMMARY)) is not None:
        return json.loads(ready)
    if (parts := stored_parts(store, ref)) is not None:
        result = payloads.parts_table_summary(parts.meta, lambda each: parts.scan(SAMPLE_ROWS, each)[0])
        with contextlib.suppress(TypeError, ValueError):
            store.write_derived(ref, SUMMARY, json.dumps(result, allow_nan=False).encode())
        return result
    value = read(store, ref)
    result = payloads.table_summary(value) if is_table(ref) else value.to_json_summary()
    del value
    release_memory()  # a table too large for read_frame's cache goes back to the OS now
    if is_table(ref):
        with contextlib.suppress(TypeError, ValueError):  # not plain JSON: computed again next time
            store.write_derived(ref, SUMMARY, json.dumps(result, allow_nan=False).encode())
    return result


def rows(store: ArtefactStore, ref: ArtefactRef, offset: int, limit: int) -> dict[str, Any]:
    """A page of a table output, read from the row groups that hold it."""
    if not is_table(ref):
        raise NotATable("This output is a model, not a table")
    return stored_table_page(store.path(ref), offset, limit)


@contextmanager
def as_parquet(store: ArtefactStore, ref: ArtefactRef) -> Iterator[Path]:
    """A table output as a Parquet file (what datasets are stored as): the artefact itself if it is one,
    else a copy written beside it for the duration of the block (a leftover is removed at start-up)."""
    path = store.path(ref)
    parts = stored_parts(store, ref)
    if path.suffix == PARQUET_SUFFIX and parts is None:
        yield path
        return
    handle, name = tempfile.mkstemp(prefix=f"{ref.key}.", suffix=f"{PARQUET_SUFFIX}.tmp", dir=path.parent)
    os.close(handle)
    copy = Path(name)
    try:
        if parts is not None:  # one file of the parts' rows, written part by part
            write_parts(parts.frames(), copy)
        else:
            write_table(read_stored_table(path), copy)
        yield copy
    finally:
        copy.unlink(missing_ok=True)


def csv_chunks(store: ArtefactStore, ref: ArtefactRef, raw: bool = False) -> Iterator[bytes]:
    """A table output as CSV in chunks (:func:`payloads.iter_csv`); a partitioned one part by part."""
    if (parts := stored_parts(store, ref)) is not None:
        return payloads.iter_csv_parts(parts.frames(), raw=raw)
    return payloads.iter_csv(table(store, ref), raw=raw)


def visualization(
    store: ArtefactStore, ref: ArtefactRef, all_points: bool, model_ref: ArtefactRef | None = None
) -> bytes:
    """The chart payload as JSON: precomputed by the run when it can be, else computed now (with the
    node's trained model, ``model_ref``, for a results table's cluster chart)."""
    if not all_points and (ready := store.read_derived(ref, VISUALIZATION)) is not None:
        return ready
    model = store.read(model_ref) if model_ref is not None and ref.shown_as == "clusters" else None
    if (parts := stored_parts(store, ref)) is not None:
        # never all the points of a table too large to read: the rows the run's chart is drawn from
        sample, _ = parts.sample(CHART_SAMPLE_ROWS)
        payload = payloads.visualize(sample, ref.shown_as, max_points=None, model=model)
        payload["sampled_from_rows"] = parts.n_rows
        return json.dumps(payload, allow_nan=False).encode()
    value = read(store, ref)
    payload = payloads.visualize(value, ref.shown_as, max_points=None if all_points else 5000, model=model)
    del value
    release_memory()
    return json.dumps(payload, allow_nan=False).encode()


def _of_results(
    store: ArtefactStore,
    ref: ArtefactRef,
    name: str,
    compute: Callable[[Any], dict[str, Any]],
    of_parts: Callable[[StoredParts], dict[str, Any]],
) -> dict[str, Any]:
    """``compute`` over a results table (NotATable for a model or a table without assignments), kept
    beside the artefact as derived payload ``name`` the first time: an artefact never changes. A table
    stored partitioned goes to ``of_parts`` instead, which reads it part by part."""
    if (ready := store.read_derived(ref, name)) is not None:
        return json.loads(ready)
    try:
        parts = stored_parts(store, ref)
        result = of_parts(parts) if parts is not None else compute(table(store, ref))
    except NotAClusteringResult as exc:
        raise NotATable(str(exc)) from None
    store.write_derived(ref, name, json.dumps(result, allow_nan=False).encode())
    release_memory()
    return result


def _parts_profile(parts: StoredParts) -> dict[str, Any]:
    """Sizes and numeric features' counts, means and stds exact over every part; the rest of a sample
    (:func:`backend.services.outputs.profiles.cluster_profiles`)."""
    totals = ClusterTotals(assignments_column(parts.meta))
    sample, _ = parts.scan(min(SAMPLE_ROWS, PROFILE_ROWS), totals.add)
    return cluster_profiles(sample, totals)


def _parts_metrics(parts: StoredParts) -> dict[str, Any]:
    """Cluster and noise counts exact over every part; the four metrics of a sample."""
    counts = LabelCounts()
    assignments = assignments_column(parts.meta)
    sample, _ = parts.scan(SAMPLE_ROWS, lambda part: counts.add(part[assignments]))
    return compute_result_metrics(sample, counts)


def _parts_silhouette(parts: StoredParts) -> dict[str, Any]:
    """The silhouette plot of a sample of as many rows as the exact silhouette is computed on."""
    assignments_column(parts.meta)  # NotAClusteringResult before any part is read
    sample, rows = parts.sample(EXACT_ROWS)
    return {**silhouette_plot(sample, rows), "sampled": True, "sampled_from_rows": parts.n_rows}


def profile(store: ArtefactStore, ref: ArtefactRef) -> dict[str, Any]:
    """The cluster profiles of a results table."""
    return _of_results(store, ref, PROFILE, RESULT_PAYLOADS[PROFILE], _parts_profile)


def result_metrics(store: ArtefactStore, ref: ArtefactRef) -> dict[str, Any]:
    """The metrics Compare runs shows for a results table."""
    return _of_results(store, ref, METRICS, RESULT_PAYLOADS[METRICS], _parts_metrics)


def silhouette(store: ArtefactStore, ref: ArtefactRef) -> dict[str, Any]:
    """The silhouette plot of a results table."""
    return _of_results(store, ref, SILHOUETTE, RESULT_PAYLOADS[SILHOUETTE], _parts_silhouette)


def agreement(store: ArtefactStore, ref: ArtefactRef, label_column: str) -> dict[str, Any]:
    """How a results table's clusters agree with one of its columns (NotATable when they cannot be
    compared: a model, no assignments, no such label column or one with too many values)."""
    try:
        if (parts := stored_parts(store, ref)) is not None:  # exact: counted part by part
            result = parts_label_agreement(parts.meta, parts.frames, label_column)
        else:
            result = label_agreement(table(store, ref), label_column)
    except (NotAClusteringResult, InvalidLabelColumn) as exc:
        raise NotATable(str(exc)) from None
    release_memory()
    return result


def run_summaries(session: Session, store: ArtefactStore, run: Run) -> dict[str, dict[str, Any]]:
    """Every stored output of a run, summarised: `{node_id: {port: summary}}`."""
    found: dict[str, dict[str, Any]] = {}
    for row in session.scalars(select(NodeRun).where(NodeRun.run_id == run.id)):
        for port, stored in (row.outputs or {}).items():
            ref = ArtefactRef.from_json(stored)
            if store.exists(ref):
                found.setdefault(row.node_id, {})[port] = summary(store, ref)
    return found
