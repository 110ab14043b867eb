"""The parts of a run that need no server: which status a run ends in, how a node's row changes, which
nodes a run needs and which uploads each output comes from, and the events the stream sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.core.status import RunStatus
from backend.executor import ArtefactRef
from backend.models import NodeRun
from backend.services.runs.events import node_event, progress_event, run_event
from backend.services.runs.planning import NothingToRun, plan_nodes, upload_lineage
from backend.services.runs.records import NodeChange, node_public
from backend.services.runs.scheduler import final_status
from tests.graphs import iris_graph

S = RunStatus
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("states", "cancel_requested", "expected"),
    [
        ([S.SUCCEEDED, S.SUCCEEDED], False, S.SUCCEEDED),
        ([], False, S.SUCCEEDED),
        ([S.SUCCEEDED, S.CANCELLED], False, S.CANCELLED),
        ([S.SUCCEEDED], True, S.CANCELLED),
        ([S.FAILED, S.CANCELLED], True, S.FAILED),
    ],
)
def test_the_final_status_of_a_run(
    states: list[RunStatus], cancel_requested: bool, expected: RunStatus
) -> None:
    assert final_status(states, cancel_requested) == expected


def row(**values: object) -> NodeRun:
    defaults: dict[str, object] = {
        "node_id": "n",
        "module_id": "dataset",
        "status": S.QUEUED,
        "cached": False,
        "progress": 0.0,
        "log": "",
    }
    return NodeRun(**{**defaults, **values})


def test_a_finished_node_without_a_measured_duration_counts_from_its_start() -> None:
    node = row(started_at=NOW - timedelta(seconds=2))
    NodeChange(S.CANCELLED, finished=True, log="Cancelled.").apply(node, NOW)
    assert (node.status, node.finished_at, node.duration_ms, node.log) == (
        S.CANCELLED,
        NOW,
        2000.0,
        "Cancelled.",
    )
    assert node.started_at == NOW - timedelta(seconds=2)


def test_a_change_appends_to_the_log_and_keeps_the_first_start() -> None:
    node = row(started_at=NOW - timedelta(seconds=5), log="first")
    ref = ArtefactRef(key="k1", type="data_table")
    NodeChange(
        S.FAILED,
        outputs={"dataset": ref},
        started=True,
        finished=True,
        duration_ms=12.5,
        error={"code": "0003", "message": "empty"},
        log="second",
    ).apply(node, NOW)
    assert node.started_at == NOW - timedelta(seconds=5)
    assert (node.duration_ms, node.log, node.error_code, node.error_message) == (
        12.5,
        "first\nsecond",
        "0003",
        "empty",
    )
    assert node.outputs == {"dataset": ref.to_json()}
    assert node_public(node)["outputs"] == {"dataset": "data_table"}


def test_the_events_of_the_stream() -> None:
    assert run_event(7, S.RUNNING) == {"type": "run", "run_id": 7, "status": "running"}
    assert run_event(7, S.SUCCEEDED, final=True) == {
        "type": "run",
        "run_id": 7,
        "status": "succeeded",
        "final": True,
    }
    assert progress_event("n", 0.5) == {"type": "node", "node_id": "n", "status": "running", "progress": 0.5}
    node = row(started_at=NOW, signature="ab" * 32)
    event = node_event(node_public(node), ["careful"])
    assert (event["type"], event["started_at"], event["finished_at"]) == ("node", NOW.isoformat(), None)
    assert (event["signature"], event["warnings"]) == ("ab" * 32, ["careful"])


def test_a_run_of_selected_nodes_needs_their_ancestry_in_order() -> None:
    graph = iris_graph()
    assert plan_nodes(graph, None) == ["data", "kmeans", "train", "assign", "range", "sweep"]
    assert plan_nodes(graph, ["train"]) == ["data", "kmeans", "train"]
    with pytest.raises(NothingToRun, match="ghost"):
        plan_nodes(graph, ["ghost"])


def test_each_output_comes_from_the_uploads_of_its_ancestry() -> None:
    graph = iris_graph("up-1")
    lineage = upload_lineage(graph, plan_nodes(graph, None), {"up-1"})
    assert lineage == {
        "data": {"up-1"},
        "kmeans": set(),
        "train": {"up-1"},
        "assign": {"up-1"},
        "range": set(),
        "sweep": {"up-1"},
    }
