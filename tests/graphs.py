"""Experiment graphs as the API takes them, built one way for the tests, the container test and the
benchmarks: the Iris pipeline (Dataset → K-Means Clustering → Train → Assign) and a sweep beside it."""

from __future__ import annotations

from typing import Any

Graph = dict[str, Any]


def node(node_id: str, module: str, x: float = 0, y: float = 0, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "module": module, "params": params, "position": {"x": x, "y": y}, "comment": ""}


def edge(source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": f"{source}-{target}-{target_port}"[:64],
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


def iris_graph(
    dataset_id: str = "sample-iris",
    n_clusters: int = 3,
    *,
    seed: int = 7,
    sweep: bool = True,
    k_range: str = "2-4",
    range_params: dict[str, Any] | None = None,
    sweep_params: dict[str, Any] | None = None,
) -> Graph:
    """Dataset → K-Means (k, seed) → Train → Assign; with `sweep`, a K-Means range → Sweep Clustering too.

    The range's seeds come from `range_params` (default seed 11) and the sweep runs the whole grid
    unless `sweep_params` says otherwise.
    """
    nodes = [
        node("data", "dataset", 320, 0, dataset_id=dataset_id),
        node("kmeans", "kmeans_clustering", 0, 0, n_clusters=n_clusters, seed=seed),
        node("train", "train_clustering_model", 160, 160),
        node("assign", "assign_data_to_clusters", 320, 320),
    ]
    edges = [
        edge("kmeans", "untrained_model", "train", "untrained_model"),
        edge("data", "dataset", "train", "dataset"),
        edge("train", "trained_model", "assign", "trained_model"),
        edge("data", "dataset", "assign", "dataset"),
    ]
    if sweep:
        ranged = {"trainer_mode": "range", "n_clusters_range": k_range, "seed": 11, **(range_params or {})}
        nodes += [
            node("range", "kmeans_clustering", 640, 0, **ranged),
            node("sweep", "sweep_clustering", 560, 160, **{"sweep_mode": "grid", **(sweep_params or {})}),
        ]
        edges += [
            edge("range", "untrained_model", "sweep", "untrained_model"),
            edge("data", "dataset", "sweep", "dataset"),
        ]
    return {"nodes": nodes, "edges": edges}


def partitionable_pipeline(dataset_id: str, select: list[str] | None = None, **kmeans_params: Any) -> Graph:
    """Dataset → (Select Columns →) Normalize → Train (K-Means, First N, k = 3) → Assign → Evaluate: the
    modules that may run partition by partition (issue 15)."""
    nodes = [
        node("data", "dataset", dataset_id=dataset_id),
        node("norm", "normalize_data"),
        node("kmeans", "kmeans_clustering", **{"n_clusters": 3, "init": "first_n", **kmeans_params}),
        node("train", "train_clustering_model"),
        node("assign", "assign_data_to_clusters"),
        node("evaluate", "evaluate_clustering"),
    ]
    edges = [
        edge("norm", "transformed_dataset", "train", "dataset"),
        edge("kmeans", "untrained_model", "train", "untrained_model"),
        edge("train", "trained_model", "assign", "trained_model"),
        edge("norm", "transformed_dataset", "assign", "dataset"),
        edge("assign", "results_dataset", "evaluate", "scored_dataset"),
    ]
    if select is None:
        edges.append(edge("data", "dataset", "norm", "dataset"))
    else:
        nodes.insert(1, node("select", "select_columns", column_set={"names": select}))
        edges += [
            edge("data", "dataset", "select", "dataset"),
            edge("select", "results_dataset", "norm", "dataset"),
        ]
    return {"nodes": nodes, "edges": edges}
