"""Reading a run's node outputs (after the caller's access was checked) and shaping them for the API."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.memory import release_memory
from backend.executor import ArtefactRef, ArtefactStore
from backend.executor.task import VISUALIZATION
from backend.models import NodeRun, Run
from backend.services import outputs as payloads
from backend.services.datasets import read_frame
from backend.services.parquet_pages import parquet_page


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
    stored = (node_run(session, run, node_id).outputs or {}).get(port)
    if stored is None:
        raise OutputNotFound(f"The node has no output {port!r} in this run")
    ref = ArtefactRef.from_json(stored)
    if not store.exists(ref):
        raise OutputNotFound("The output is no longer stored")
    return ref


def read(store: ArtefactStore, ref: ArtefactRef) -> Any:
    return read_frame(store.path(ref)) if ref.type == "data_table" else store.read(ref)


def table(store: ArtefactStore, ref: ArtefactRef) -> Any:
    if ref.type != "data_table":
        raise NotATable("This output is a model, not a table")
    return read(store, ref)


def summary(store: ArtefactStore, ref: ArtefactRef) -> dict[str, Any]:
    """Table statistics and preview, or the model's parameters and centroids."""
    value = read(store, ref)
    if ref.type == "data_table":
        result = payloads.table_summary(value)
    else:
        result = {"type": ref.type, **value.to_json_summary()}
    del value
    release_memory()  # a table too large for read_frame's cache goes back to the OS now
    return result


def rows(store: ArtefactStore, ref: ArtefactRef, offset: int, limit: int) -> dict[str, Any]:
    """A page of a table output, read from the row groups that hold it."""
    if ref.type != "data_table":
        raise NotATable("This output is a model, not a table")
    return parquet_page(store.path(ref), offset, limit)


def visualization(store: ArtefactStore, ref: ArtefactRef, all_points: bool) -> bytes:
    """The chart payload as JSON: precomputed by the run when it can be, else computed now."""
    if not all_points and (ready := store.read_derived(ref, VISUALIZATION)) is not None:
        return ready
    value = read(store, ref)
    if ref.type == "data_table":
        payload = payloads.visualize_table(value, max_points=None if all_points else 5000)
    else:
        payload = {"kind": "model", "type": ref.type, **value.to_json_summary()}
    del value
    release_memory()
    return json.dumps(payload, allow_nan=False).encode()


def run_summaries(session: Session, store: ArtefactStore, run: Run) -> dict[str, dict[str, Any]]:
    """Every stored output of a run, summarised: `{node_id: {port: summary}}`."""
    found: dict[str, dict[str, Any]] = {}
    for row in session.scalars(select(NodeRun).where(NodeRun.run_id == run.id)):
        for port, stored in (row.outputs or {}).items():
            ref = ArtefactRef.from_json(stored)
            if store.exists(ref):
                found.setdefault(row.node_id, {})[port] = summary(store, ref)
    return found
