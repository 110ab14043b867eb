"""Graph validation of a dataset read in parts (the Dask executor, a dataset stored partitioned): the
modules that run part by part pass, any other module fed the partitioned table is 0161 naming it."""

from __future__ import annotations

from typing import Any

import pytest

import modules
from modules import registry
from modules.contract import PARTITIONED_INPUT, Partitioned
from modules.ports import DATA_TABLE
from tests.graphs import edge, node, partitionable_pipeline

BIG, SMALL = "big-upload", "small-upload"
SCHEMA = [("x", "numeric"), ("y", "numeric"), ("z", "numeric")]


def _columns(dataset_id: str) -> list[tuple[str, str]] | None:
    return SCHEMA if dataset_id in (BIG, SMALL) else None


def _partitioned(dataset_id: str) -> bool:
    return dataset_id == BIG


def _pipeline(dataset_id: str = BIG, **kmeans: Any) -> dict[str, Any]:
    return partitionable_pipeline(dataset_id, **kmeans)


def _validate(graph: dict[str, Any], partitioned: Any = _partitioned) -> list[dict[str, Any]]:
    return modules.validate_graph(graph, _columns, partitioned_datasets=partitioned)["errors"]


def _refusals(errors: list[dict[str, Any]]) -> dict[str, str]:
    return {e["node_id"]: e["message"] for e in errors if e["code"] == PARTITIONED_INPUT}


def test_the_partitioned_pipeline_is_valid() -> None:
    assert _validate(_pipeline()) == []


@pytest.mark.parametrize("init", ["first_n", "random", "kmeans++_fast"])
def test_the_inits_the_partitioned_fit_takes_are_valid(init: str) -> None:
    assert _validate(_pipeline(init=init)) == []


def test_a_module_that_cannot_run_in_parts_is_0161_naming_it() -> None:
    graph = _pipeline()
    graph["nodes"].append(node("split", "split_data"))
    graph["edges"].append(edge("norm", "transformed_dataset", "split", "dataset"))
    refusals = _refusals(_validate(graph))
    assert list(refusals) == ["split"]
    assert refusals["split"].startswith("Node 'split': Split Data cannot run part by part")


def test_only_tables_computed_from_the_partitioned_dataset_are_refused() -> None:
    graph = _pipeline()
    graph["nodes"] += [node("small", "dataset", dataset_id=SMALL), node("split", "split_data")]
    graph["edges"].append(edge("small", "dataset", "split", "dataset"))
    assert _validate(graph) == []
    # the same graph with nothing read in parts (the local executor), or the dataset stored whole
    graph["edges"][-1] = edge("data", "dataset", "split", "dataset")
    assert list(_refusals(_validate(graph))) == ["split"]
    assert _validate(graph, partitioned=None) == []
    assert _validate(graph, partitioned=lambda _id: False) == []


@pytest.mark.parametrize(
    ("kmeans", "named"),
    [
        ({"init": "kmeans++"}, "Initialization 'K-Means++'"),
        ({"metric": "cosine"}, "Cosine"),
        ({"n_init": 3}, "Number of restarts"),
        ({"float32": True}, "Use 32-bit floats"),
    ],
)
def test_train_refuses_a_kmeans_the_partitioned_fit_cannot_do(kmeans: dict[str, Any], named: str) -> None:
    refusals = _refusals(_validate(_pipeline(**kmeans)))
    assert list(refusals) == ["train"]  # the tables Train would output are not followed further
    assert "Train Clustering Model cannot run on this dataset, stored partitioned" in refusals["train"]
    assert named in refusals["train"]
    assert _validate(_pipeline(SMALL, **kmeans)) == []


def test_train_refuses_another_algorithm_and_row_weights_not_a_label_mode() -> None:
    graph = _pipeline()
    graph["nodes"][2] = node("kmeans", "dbscan_clustering")
    refusals = _refusals(_validate(graph))
    assert list(refusals) == ["train"] and "DBSCAN model cannot be trained part by part" in refusals["train"]

    weighted = _pipeline()
    weighted["nodes"][3]["params"]["weight_column"] = "z"
    assert "Weight column" in _refusals(_validate(weighted))["train"]

    labelled = _pipeline(assign_label_mode="fill_missing")  # the clusters' labels are found part by part
    labelled["nodes"][3]["params"]["label_column"] = "z"
    assert _validate(labelled) == []


def test_sweep_is_refused_on_a_partitioned_table() -> None:
    graph = _pipeline()
    graph["nodes"] += [
        node("range", "kmeans_clustering", trainer_mode="range"),
        node("sweep", "sweep_clustering"),
    ]
    graph["edges"] += [
        edge("range", "untrained_model", "sweep", "untrained_model"),
        edge("data", "dataset", "sweep", "dataset"),
    ]
    assert list(_refusals(_validate(graph))) == ["sweep"]


def test_every_module_taking_a_table_declares_whether_it_runs_in_parts() -> None:
    """0161 is among the declared errors of every module with a table input that cannot run in parts."""
    for module in registry.all():
        declared = {e["code"] for e in module.to_json()["errors"]}
        takes_a_table = any(p.type == DATA_TABLE for p in module.inputs)
        if module.partitioned is None:
            assert (PARTITIONED_INPUT in declared) == takes_a_table, module.id
        else:
            assert isinstance(module.partitioned, Partitioned)
            outputs = {p.id for p in module.outputs if p.type == DATA_TABLE}
            assert set(module.partitioned.outputs) <= outputs, module.id
    runs_in_parts = {m.id for m in registry.all() if m.partitioned is not None}
    assert runs_in_parts == {
        "dataset",
        "select_columns",
        "normalize_data",
        "train_clustering_model",
        "assign_data_to_clusters",
        "evaluate_clustering",
    }
