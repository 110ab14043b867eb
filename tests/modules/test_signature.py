"""Node signatures: what the run cache matches, for one node and for a whole graph."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

import modules
from modules import registry
from modules.contract import validate_params
from modules.errors import ModuleError
from tests.graphs import iris_graph

IRIS = {"sample-iris": "sample:sample-iris"}


def test_a_signature_follows_the_effective_parameters() -> None:
    a = modules.node_signature("kmeans_clustering", {}, {}, {})
    assert a == modules.node_signature("kmeans_clustering", {}, {}, {})  # same inputs, same signature
    assert a == modules.node_signature("kmeans_clustering", {"n_clusters": 2}, {}, {})  # the default
    assert a == modules.node_signature("kmeans_clustering", {"n_clusters_range": "9-12"}, {}, {})  # hidden
    assert a != modules.node_signature("kmeans_clustering", {"n_clusters": 3}, {}, {})


def test_a_signature_follows_the_upstream_signatures_and_ports() -> None:
    def train(dataset: tuple[str, str]) -> str:
        return modules.node_signature(
            "train_clustering_model",
            {},
            {"dataset": dataset, "untrained_model": ("m", "untrained_model")},
            {},
        )

    assert train(("x", "dataset")) == train(("x", "dataset"))
    assert train(("x", "dataset")) != train(("x2", "dataset"))
    assert train(("x", "dataset")) != train(("x", "other_port"))


def test_a_signature_follows_the_fingerprints_of_the_datasets_it_names() -> None:
    one = modules.node_signature("dataset", {"dataset_id": "up-1"}, {}, {"up-1": "upload:up-1:a.parquet"})
    other = modules.node_signature("dataset", {"dataset_id": "up-1"}, {}, {"up-1": "upload:up-1:b.parquet"})
    assert one != other


def test_invalid_parameters_or_an_unknown_module_cannot_be_signed() -> None:
    with pytest.raises(ModuleError):
        modules.node_signature("kmeans_clustering", {"n_clusters": 0}, {}, {})
    with pytest.raises(KeyError):
        modules.node_signature("no_such_module", {}, {}, {})


def test_the_signature_is_a_sha256_of_the_payload_earlier_runs_stored() -> None:
    """The payload's shape is fixed: a new shape would stop every earlier output from being reused."""
    graph = iris_graph(sweep=False)
    signatures = modules.graph_signatures(graph, IRIS)
    kmeans = registry.get("kmeans_clustering")
    filled = validate_params(kmeans, {"n_clusters": 3, "seed": 7})
    payload = {
        "module": kmeans.id,
        "version": str(kmeans.version),
        "params": filled,
        "datasets": {},
        "inputs": {},
    }
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    assert signatures["kmeans"] == expected


def test_graph_signatures_chain_node_signatures_in_topological_order() -> None:
    graph = iris_graph(sweep=False)
    signatures = modules.graph_signatures(graph, IRIS)
    data = modules.node_signature("dataset", {"dataset_id": "sample-iris"}, {}, IRIS)
    kmeans = modules.node_signature("kmeans_clustering", {"n_clusters": 3, "seed": 7}, {}, IRIS)
    train = modules.node_signature(
        "train_clustering_model",
        {},
        {"untrained_model": (kmeans, "untrained_model"), "dataset": (data, "dataset")},
        IRIS,
    )
    assign = modules.node_signature(
        "assign_data_to_clusters",
        {},
        {"trained_model": (train, "trained_model"), "dataset": (data, "dataset")},
        IRIS,
    )
    assert signatures == {"data": data, "kmeans": kmeans, "train": train, "assign": assign}


def test_a_hidden_parameter_keeps_every_signature_and_a_visible_one_changes_the_descendants() -> None:
    graph = iris_graph(sweep=False)
    before = modules.graph_signatures(graph, IRIS)
    hidden = copy.deepcopy(graph)
    hidden["nodes"][1]["params"]["n_clusters_range"] = "5-9"  # trainer_mode is "single"
    assert modules.graph_signatures(hidden, IRIS) == before
    visible = copy.deepcopy(graph)
    visible["nodes"][1]["params"]["n_clusters"] = 4
    after = modules.graph_signatures(visible, IRIS)
    assert after["data"] == before["data"]
    assert all(after[n] != before[n] for n in ("kmeans", "train", "assign"))


def test_a_dataset_without_a_fingerprint_leaves_its_node_and_descendants_unsigned() -> None:
    signatures = modules.graph_signatures(iris_graph(sweep=False), {})
    assert set(signatures) == {"kmeans"}


def test_only_the_nodes_asked_for_are_signed_and_their_inputs_must_be_among_them() -> None:
    graph = iris_graph(sweep=False)
    everything = modules.graph_signatures(graph, IRIS)
    assert modules.graph_signatures(graph, IRIS, ["data", "kmeans", "train"]) == {
        n: everything[n] for n in ("data", "kmeans", "train")
    }
    assert modules.graph_signatures(graph, IRIS, ["kmeans", "train"]) == {"kmeans": everything["kmeans"]}


def test_nodes_that_cannot_run_as_drawn_are_unsigned() -> None:
    graph = iris_graph(sweep=False)
    graph["nodes"][1]["params"]["n_clusters"] = 0  # invalid: kmeans, train and assign unsigned
    assert set(modules.graph_signatures(graph, IRIS)) == {"data"}

    doubled = iris_graph(sweep=False)
    doubled["edges"].append({**doubled["edges"][1], "id": "again"})  # a second edge into train.dataset
    assert set(modules.graph_signatures(doubled, IRIS)) == {"data", "kmeans"}

    cycle = iris_graph(sweep=False)
    cycle["edges"].append(
        {"id": "back", "source": "assign", "source_port": "results", "target": "data", "target_port": "x"}
    )
    assert modules.graph_signatures(cycle, IRIS) == {
        "kmeans": modules.graph_signatures(iris_graph(sweep=False), IRIS)["kmeans"]
    }

    twins = iris_graph(sweep=False)
    twins["nodes"].append(copy.deepcopy(twins["nodes"][1]))  # two nodes named "kmeans": neither signed
    assert set(modules.graph_signatures(twins, IRIS)) == {"data"}
