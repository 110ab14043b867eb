"""run_graph, validate_graph, topological_order and ancestors on the graph JSON of api.md."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

import modules
from modules.samples import load_sample


def node(nid: str, module: str, **params: Any) -> dict[str, Any]:
    return {"id": nid, "module": module, "params": params, "position": {"x": 0, "y": 0}, "comment": ""}


def edge(eid: str, source: str, source_port: str, target: str, target_port: str) -> dict[str, Any]:
    return {
        "id": eid,
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


def experiment() -> dict[str, Any]:
    """Iris → split → (train on part 1, assign part 2) → evaluate both."""
    return {
        "nodes": [
            node("ev", "evaluate_clustering"),
            node("data", "dataset", dataset_id="sample-iris"),
            node("km", "kmeans_clustering", n_clusters=3, seed=4),
            node("split", "split_data", fraction=0.7, seed=1),
            node("train", "train_clustering_model", label_column="species"),
            node("assign", "assign_data_to_clusters"),
        ],
        "edges": [
            edge("e1", "data", "dataset", "split", "dataset"),
            edge("e2", "km", "untrained_model", "train", "untrained_model"),
            edge("e3", "split", "results_dataset1", "train", "dataset"),
            edge("e4", "train", "trained_model", "assign", "trained_model"),
            edge("e5", "split", "results_dataset2", "assign", "dataset"),
            edge("e6", "train", "results_dataset", "ev", "scored_dataset"),
            edge("e7", "assign", "results_dataset", "ev", "scored_dataset_to_compare"),
        ],
    }


def test_run_graph_in_topological_order() -> None:
    graph = experiment()
    result = modules.validate_graph(graph)
    assert (result["valid"], result["errors"], result["warnings"]) == (True, [], [])
    out = modules.run_graph(graph, load_sample)
    assert set(out) >= {
        ("train", "trained_model"),
        ("assign", "results_dataset"),
        ("ev", "evaluation_results"),
    }
    assert len(out[("split", "results_dataset1")]) == 105
    assert len(out[("assign", "results_dataset")]) == 45
    ev = out[("ev", "evaluation_results")]
    assert ev["Number of Points"].tolist()[0] == 105 and ev["Number of Points"].tolist()[4] == 45
    model = out[("train", "trained_model")]
    assert (
        isinstance(model, modules.TrainedClusterModel) and model.seed == 4 and model.label_column == "species"
    )


def test_run_selected_nodes_runs_only_what_they_need() -> None:
    loads: list[str] = []

    def loader(dataset_id: str) -> pd.DataFrame:
        loads.append(dataset_id)
        return load_sample(dataset_id)

    out = modules.run_graph(experiment(), loader, nodes=["train"])
    assert {nid for nid, _ in out} == {"data", "km", "split", "train"}
    assert loads == ["sample-iris"]


def test_node_failure_carries_the_node_id() -> None:
    graph = experiment()
    graph["nodes"][4]["params"]["label_column"] = "nope"
    with pytest.raises(modules.ModuleError) as err:
        modules.run_graph(graph, load_sample)
    assert err.value.code == "0001" and err.value.node_id == "train"  # type: ignore[attr-defined]


def test_run_graph_uses_per_node_contexts() -> None:
    contexts: dict[str, modules.RunContext] = {}

    def context(nid: str) -> modules.RunContext:
        contexts[nid] = modules.RunContext(load_dataset=load_sample)
        return contexts[nid]

    modules.run_graph(experiment(), None, context=context)
    assert contexts["train"].last_progress == 1.0
    assert any("K-Means" in line for line in contexts["train"].logs)


def test_run_graph_refuses_an_invalid_graph() -> None:
    graph = experiment()
    graph["edges"].pop()  # fine: optional input
    modules.run_graph(graph, load_sample)
    graph["edges"].pop(0)  # split loses its dataset
    with pytest.raises(modules.GraphError) as err:
        modules.run_graph(graph, load_sample)
    assert err.value.errors[0]["code"] == "0003" and err.value.errors[0]["node_id"] == "split"


def test_topological_order_and_ancestors() -> None:
    graph = experiment()
    order = modules.topological_order(graph)
    pos = {nid: i for i, nid in enumerate(order)}
    for e in graph["edges"]:
        assert pos[e["source"]] < pos[e["target"]]
    assert order[:2] == ["data", "km"]  # ties keep the graph's node order
    assert modules.ancestors(graph, ["assign"]) == {"assign", "train", "split", "data", "km"}
    assert modules.ancestors(graph, ["km"]) == {"km"}
    with pytest.raises(KeyError):
        modules.ancestors(graph, ["zz"])


# -- validate_graph ---------------------------------------------------------------------------------------


def errors_of(graph: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    report = modules.validate_graph(graph, **kwargs)
    assert report["valid"] is (not report["errors"])
    return report["errors"]


def codes(errors: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["code"], e.get("node_id"), e.get("edge_id"), e.get("port"), e.get("param")) for e in errors]


def test_unknown_module_and_unknown_port() -> None:
    graph = experiment()
    graph["nodes"].append(node("x", "kmeans_magic"))
    graph["edges"].append(edge("e8", "train", "model", "assign", "trained_model"))
    graph["edges"].append(edge("e9", "train", "results_dataset", "ev", "third"))
    got = codes(errors_of(graph))
    assert ("unknown_module", "x", None, None, None) in got
    assert ("unknown_port", "train", "e8", "model", None) in got
    assert ("unknown_port", "ev", "e9", "third", None) in got


def test_type_mismatch_duplicate_input_and_unconnected_input() -> None:
    graph = experiment()
    graph["edges"][3] = edge("e4", "km", "untrained_model", "assign", "trained_model")  # untrained → trained
    graph["edges"].append(edge("e8", "data", "dataset", "split", "dataset"))
    got = codes(errors_of(graph))
    assert ("type_mismatch", "assign", "e4", "trained_model", None) in got
    assert ("duplicate_input", "split", "e8", "dataset", None) in got
    assert ("0003", "assign", None, "trained_model", None) in got


def test_cycles_are_reported_on_their_nodes() -> None:
    graph = {
        "nodes": [
            node("a", "select_columns", column_set=["x"]),
            node("b", "select_columns", column_set=["x"]),
        ],
        "edges": [
            edge("e1", "a", "results_dataset", "b", "dataset"),
            edge("e2", "b", "results_dataset", "a", "dataset"),
        ],
    }
    got = codes(errors_of(graph))
    assert ("cycle", "a", None, None, None) in got and ("cycle", "b", None, None, None) in got
    with pytest.raises(modules.GraphError):
        modules.topological_order(graph)
    graph = {
        "nodes": [node("a", "select_columns", column_set=["x"])],
        "edges": [edge("e1", "a", "results_dataset", "a", "dataset")],
    }
    assert ("cycle", "a", "e1", None, None) in codes(errors_of(graph))


def test_bad_parameters_point_at_node_and_param() -> None:
    graph = experiment()
    graph["nodes"][2]["params"].update(n_clusters=1, init="nope", iterations="many", surprise=1)
    report = modules.validate_graph(graph)
    got = codes(report["errors"])
    assert ("0005", "km", None, None, "n_clusters") in got
    assert ("0008", "km", None, None, "init") in got
    assert ("0002", "km", None, None, "iterations") in got
    assert all("'km'" in e["message"] for e in report["errors"])
    assert [(w["code"], w["param"]) for w in report["warnings"]] == [("unknown_param", "surprise")]


def test_column_checks_follow_the_schema_through_transforms() -> None:
    graph = experiment()
    graph["nodes"].append(node("sel", "select_columns", column_set={"names": ["sepal_length", "species"]}))
    graph["nodes"].append(node("norm", "normalize_data", column_set={"names": ["sepal_width"]}))
    graph["edges"][0] = edge("e1", "data", "dataset", "sel", "dataset")
    graph["edges"].append(edge("e8", "sel", "results_dataset", "norm", "dataset"))
    graph["edges"].append(edge("e9", "norm", "transformed_dataset", "split", "dataset"))
    graph["nodes"][4]["params"].update(column_set={"names": ["petal_length"]}, label_column="Species")
    # sepal_width was not selected; a failing node hides what follows it
    assert codes(errors_of(graph)) == [("0001", "norm", None, None, "column_set")]
    graph["nodes"][-1]["params"]["column_set"] = {"names": ["sepal_length"]}
    got = codes(errors_of(graph))
    assert ("0001", "train", None, None, "column_set") in got  # petal_length was not selected either
    assert ("0001", "train", None, None, "label_column") in got  # 'Species' ≠ 'species'
    assert any("'petal_length'" in e["message"] for e in errors_of(graph))
    graph["nodes"][4]["params"].update(column_set=None, label_column="species")
    assert modules.validate_graph(graph)["valid"]


def test_default_feature_set_empty_and_type_errors_are_found_ahead() -> None:
    graph = experiment()
    graph["nodes"].append(node("sel", "select_columns", column_set={"names": ["species"]}))
    graph["edges"][0] = edge("e1", "data", "dataset", "sel", "dataset")
    graph["edges"].append(edge("e8", "sel", "results_dataset", "split", "dataset"))
    graph["nodes"][4]["params"]["label_column"] = None
    assert ("0011", "train", None, None, "column_set") in codes(errors_of(graph))


def test_label_needs_and_mode_warnings_are_found_ahead() -> None:
    graph = experiment()
    graph["nodes"][2]["params"].update(init="label_column")
    graph["nodes"][4]["params"]["label_column"] = None
    assert ("0024", "train", None, None, "label_column") in codes(errors_of(graph))
    graph = experiment()
    graph["nodes"][2]["params"].update(trainer_mode="range", n_clusters_range="4-6")
    report = modules.validate_graph(graph)
    assert report["valid"]
    assert any(w["node_id"] == "train" and "first value" in w["message"] for w in report["warnings"])


def test_assign_missing_training_columns_found_ahead() -> None:
    graph = experiment()
    graph["nodes"].append(node("sel", "select_columns", column_set={"names": ["sepal_length"]}))
    graph["edges"][4] = edge("e5", "split", "results_dataset2", "sel", "dataset")
    graph["edges"].append(edge("e8", "sel", "results_dataset", "assign", "dataset"))
    errs = [e for e in errors_of(graph) if e.get("node_id") == "assign"]
    assert [e["code"] for e in errs] == ["0001"]
    assert "'sepal_width'" in errs[0]["message"]


def test_evaluate_without_assignments_found_ahead() -> None:
    graph = experiment()
    graph["edges"][5] = edge("e6", "split", "results_dataset1", "ev", "scored_dataset")
    assert ("0025", "ev", None, None, None) in codes(errors_of(graph))


def test_uploaded_dataset_columns_come_from_the_callable() -> None:
    graph = experiment()
    graph["nodes"][1]["params"]["dataset_id"] = "upload-1"
    assert modules.validate_graph(graph)["valid"]  # unknown columns: nothing to check
    graph["nodes"][4]["params"]["label_column"] = "kind"

    def columns(dataset_id: str) -> list[tuple[str, str]] | None:
        return [("a", "numeric"), ("kind", "string")] if dataset_id == "upload-1" else None

    assert modules.validate_graph(graph, columns)["valid"]
    graph["nodes"][4]["params"]["label_column"] = "species"
    assert ("0001", "train", None, None, "label_column") in codes(errors_of(graph, dataset_columns=columns))


def test_malformed_graphs() -> None:
    assert codes(errors_of({"nodes": "x"})) == [("invalid_graph", None, None, None, None)]
    graph = experiment()
    graph["nodes"].append(copy.deepcopy(graph["nodes"][0]))
    graph["edges"].append(edge("e8", "ghost", "dataset", "split", "dataset"))
    got = codes(errors_of(graph))
    assert ("duplicate_node", "ev", None, None, None) in got
    assert ("unknown_node", None, "e8", None, None) in got


def test_valid_graph_results_match_running_modules_by_hand() -> None:
    out = modules.run_graph(experiment(), load_sample)
    split = out[("split", "results_dataset1")]
    model = modules.run_module("kmeans_clustering", {"n_clusters": 3, "seed": 4}, {})["untrained_model"]
    direct = modules.run_module(
        "train_clustering_model", {"label_column": "species"}, {"untrained_model": model, "dataset": split}
    )
    assert np.array_equal(
        direct["trained_model"].model.centroids, out[("train", "trained_model")].model.centroids
    )
