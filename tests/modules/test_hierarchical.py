"""Hierarchical Clustering against scikit-learn and SciPy, through the real module runner.

Known answers: scikit-learn's ``AgglomerativeClustering`` (the same merges — pairs, distances, sizes —
and the same clusters up to their numbering) and SciPy's ``linkage`` / ``dendrogram`` on Iris, Wine,
blobs and moons; centroids and nearest-centroid assignment computed here with NumPy.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import onnxruntime
import pandas as pd
import pytest
from scipy.cluster.hierarchy import dendrogram, linkage
from sklearn.cluster import AgglomerativeClustering
from sklearn.datasets import make_blobs, make_moons

import modules
from backend.services.outputs import visualize
from modules.algorithms.hierarchical import HierarchicalConfig, HierarchicalModel
from modules.export import export_model
from modules.samples import load_sample
from modules.trained_model import TrainedClusterModel, model_from_bytes, model_to_bytes

IRIS = load_sample("sample-iris")
WINE = load_sample("sample-wine")
_BLOBS, _ = make_blobs(n_samples=300, centers=4, n_features=3, random_state=7)
BLOBS = pd.DataFrame(_BLOBS, columns=["a", "b", "c"])
MOONS = pd.DataFrame(make_moons(n_samples=200, noise=0.06, random_state=3)[0], columns=["x", "y"])
DATASETS = {"iris": IRIS, "wine": WINE, "blobs": BLOBS, "moons": MOONS}
LINKAGES = [("ward", "euclidean"), ("complete", "euclidean"), ("average", "manhattan"), ("single", "cosine")]
PREFIX = "DistancesToClusterCentroid no."


def numeric(df: pd.DataFrame) -> np.ndarray:
    return df.select_dtypes("number").to_numpy(dtype=np.float64)


def config(**params: Any) -> HierarchicalConfig:
    out: HierarchicalConfig = modules.run_module("hierarchical_clustering", params, {})["untrained_model"]
    return out


def train(df: pd.DataFrame, **params: Any) -> dict[str, Any]:
    return modules.run_module(
        "train_clustering_model", {}, {"untrained_model": config(**params), "dataset": df}
    )


def model_of(out: dict[str, Any]) -> HierarchicalModel:
    trained: TrainedClusterModel = out["trained_model"]
    assert isinstance(trained.model, HierarchicalModel)
    return trained.model


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two labelings are the same clusters, whatever their numbering."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def merges(children: np.ndarray, heights: np.ndarray, n: int) -> list[tuple[frozenset[int], float]]:
    """Each merge as the set of rows it joins and its distance, in merge order."""
    members: dict[int, frozenset[int]] = {i: frozenset([i]) for i in range(n)}
    out = []
    for i, (a, b) in enumerate(children.astype(np.int64)):
        members[n + i] = members[int(a)] | members[int(b)]
        out.append((members[n + i], float(heights[i])))
    return out


@pytest.mark.parametrize("data", DATASETS)
@pytest.mark.parametrize(("method", "metric"), LINKAGES)
def test_merges_and_clusters_match_scikit_learn(data: str, method: str, metric: str) -> None:
    df = DATASETS[data]
    X = numeric(df)
    out = train(df, linkage=method, metric=metric, n_clusters=3, normalize=False)
    model = model_of(out)
    reference = AgglomerativeClustering(
        n_clusters=3, linkage=method, metric=metric, compute_distances=True
    ).fit(X)
    ours = merges(model.linkage_matrix[:, :2], model.linkage_matrix[:, 2], len(X))
    theirs = merges(reference.children_, reference.distances_, len(X))
    assert [m for m, _ in ours] == [m for m, _ in theirs]
    np.testing.assert_allclose([h for _, h in ours], [h for _, h in theirs], rtol=0, atol=1e-9)
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    assert same_partition(labels, reference.labels_)


@pytest.mark.parametrize("data", DATASETS)
def test_the_tree_is_scipys_linkage(data: str) -> None:
    X = numeric(DATASETS[data])
    model = model_of(train(DATASETS[data], linkage="average", metric="euclidean", normalize=False))
    np.testing.assert_array_equal(model.linkage_matrix, linkage(X, method="average", metric="euclidean"))


@pytest.mark.parametrize(
    ("data", "threshold"), [("iris", 3.0), ("wine", 300.0), ("blobs", 10.0), ("moons", 1.0)]
)
def test_a_distance_threshold_cuts_as_scikit_learn_does(data: str, threshold: float) -> None:
    df = DATASETS[data]
    out = train(df, cut_by="distance_threshold", distance_threshold=threshold, normalize=False)
    reference = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, linkage="ward").fit(
        numeric(df)
    )
    assert out["trained_model"].k == reference.n_clusters_ > 1
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    assert same_partition(labels, reference.labels_)
    assert out["results_dataset"].columns[-1] == f"{PREFIX}{reference.n_clusters_ - 1}"
    assert model_of(out).cut_height == threshold


def test_the_results_are_the_tree_cut_with_distances_to_the_centroids() -> None:
    out = train(IRIS)  # the defaults: ward, Euclidean, 3 clusters, min-max normalised
    trained = out["trained_model"]
    X = (numeric(IRIS) - trained.features.norm_min) / trained.features.norm_scale
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64)
    reference = AgglomerativeClustering(n_clusters=3, linkage="ward").fit(X)
    assert same_partition(labels, reference.labels_)
    assert labels[0] == 0  # clusters are numbered by their first row
    centroids = np.stack([X[labels == j].mean(axis=0) for j in range(3)])
    np.testing.assert_allclose(model_of(out).centroids, centroids, rtol=0, atol=1e-12)
    distances = np.linalg.norm(X[:, None, :] - centroids[None, :, :], axis=2)
    np.testing.assert_allclose(
        out["results_dataset"][[f"{PREFIX}{j}" for j in range(3)]], distances, atol=1e-12
    )
    assert trained.cluster_sizes.tolist() == np.bincount(labels).tolist()
    Z = model_of(out).linkage_matrix
    # cut midway between the last merge kept (the third from the end) and the first undone
    assert model_of(out).cut_height == (Z[-3, 2] + Z[-2, 2]) / 2 and Z[-3, 2] < Z[-2, 2]


@pytest.mark.parametrize("cut", [{"n_clusters": 3}, {"cut_by": "distance_threshold"}])
def test_rows_with_a_missing_feature_are_left_out(cut: dict[str, Any]) -> None:
    holed = IRIS.copy()
    holed.loc[[4, 70], "petal_width"] = np.nan
    out = train(holed, **cut)
    complete = train(IRIS.drop(index=[4, 70]), **cut)
    results = out["results_dataset"]
    assert results["Assignments"].isna().tolist() == [i in (4, 70) for i in range(150)]
    expected = complete["results_dataset"].drop(columns="species").to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(
        results.drop(index=[4, 70], columns="species").to_numpy(dtype=np.float64), expected
    )
    assert out["trained_model"].k == complete["trained_model"].k == 3


def test_a_threshold_giving_more_clusters_than_the_limit_is_refused() -> None:
    many = pd.DataFrame(make_blobs(n_samples=1200, centers=3, random_state=0)[0], columns=["a", "b"])
    with pytest.raises(modules.ModuleError) as refused:
        train(many, cut_by="distance_threshold", distance_threshold=1e-12)
    assert refused.value.code == "0007"
    assert refused.value.message.startswith("The distance threshold 1e-12 gives 1,200 clusters")


def test_new_rows_go_to_the_nearest_centroid() -> None:
    trained = train(WINE, linkage="complete", metric="manhattan", n_clusters=4)["trained_model"]
    new = WINE.sample(40, random_state=1)
    scored = modules.run_module("assign_data_to_clusters", {}, {"trained_model": trained, "dataset": new})
    X = (numeric(new) - trained.features.norm_min) / trained.features.norm_scale
    distances = np.linalg.norm(X[:, None, :] - model_of({"trained_model": trained}).centroids[None], axis=2)
    results = scored["results_dataset"]
    assert results["Assignments"].tolist() == np.argmin(distances, axis=1).tolist()
    np.testing.assert_allclose(results[[f"{PREFIX}{j}" for j in range(4)]], distances, atol=1e-12)


def test_cosine_assignment_uses_cosine_distance_to_the_centroids() -> None:
    trained = train(BLOBS, linkage="average", metric="cosine", n_clusters=3, normalize=False)["trained_model"]
    centroids = model_of({"trained_model": trained}).centroids
    X = numeric(BLOBS[:20])
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    expected = 1 - unit @ (centroids / np.linalg.norm(centroids, axis=1, keepdims=True)).T
    scored = modules.run_module(
        "assign_data_to_clusters", {"append": False}, {"trained_model": trained, "dataset": BLOBS[:20]}
    )
    np.testing.assert_allclose(scored["results_dataset"].iloc[:, 1:], expected, atol=1e-12)


def test_the_model_view_carries_the_dendrogram_with_its_cut() -> None:
    out = train(IRIS)
    view = visualize(out["trained_model"], "model")
    json.dumps(view, allow_nan=False)
    tree = view["dendrogram"]
    Z = model_of(out).linkage_matrix
    expected = dendrogram(Z, no_plot=True, truncate_mode="lastp", p=50, count_sort=False, distance_sort=False)
    assert tree["icoord"] == expected["icoord"] and tree["dcoord"] == expected["dcoord"]
    assert tree["leaves"] == expected["leaves"] and tree["leaf_labels"] == expected["ivl"]
    assert tree["truncated"] == {"shown": 49, "of": 149} and sum(tree["leaf_counts"]) == 150
    assert tree["cut_height"] == view["cut_height"] == model_of(out).cut_height
    assert set(tree["leaf_clusters"]) <= {0, 1, 2}
    assert view["centroids"] == model_of(out).centroids.tolist() and view["linkage"] == "ward"


def test_a_small_tree_is_shown_whole() -> None:
    view = visualize(train(IRIS[:20], linkage="single", n_clusters=2)["trained_model"], "model")
    assert view["dendrogram"]["truncated"] is None and len(view["dendrogram"]["leaves"]) == 20


def test_the_portable_file_and_the_exports() -> None:
    trained = train(IRIS, linkage="average", n_clusters=4)["trained_model"]
    back = model_from_bytes(model_to_bytes(trained))
    assert isinstance(back, TrainedClusterModel) and back == trained  # every array and field equal
    assert isinstance(back.model, HierarchicalModel) and back.model.cut_height == trained.model.cut_height
    new = IRIS.sample(25, random_state=0)
    scored = modules.run_module(
        "assign_data_to_clusters", {"append": False}, {"trained_model": back, "dataset": new}
    )
    exported = export_model(trained, "onnx")
    session = onnxruntime.InferenceSession(exported.content, providers=["CPUExecutionProvider"])
    feeds = {c.name: new[[c.name]].to_numpy(dtype=np.float64) for c in trained.features.columns}
    label, scores = session.run(["label", "scores"], feeds)
    assert label.reshape(-1).tolist() == scored["results_dataset"]["Assignments"].tolist()
    np.testing.assert_allclose(scores, scored["results_dataset"].iloc[:, 1:], atol=1e-9)
    assert b"<ClusteringModel" in export_model(trained, "pmml").content


def test_sweep_cuts_one_tree_per_k_and_keeps_the_best_cut() -> None:
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_metric": "simplified_silhouette"},
        {"untrained_model": config(trainer_mode="range", n_clusters_range="2-6"), "dataset": IRIS},
    )
    table = out["sweep_results"]
    assert sorted(table["Number of centroids"].tolist()) == [2, 3, 4, 5, 6]
    assert set(table["Initialization"]) == {"ward"}
    best = out["best_model"]
    assert best.k == table["Number of centroids"].iloc[0]
    X = (numeric(IRIS) - best.features.norm_min) / best.features.norm_scale
    reference = AgglomerativeClustering(n_clusters=best.k, linkage="ward").fit(X)
    assert same_partition(out["results_dataset"]["Assignments"].to_numpy(dtype=np.int64), reference.labels_)


def test_too_many_rows_for_the_memory_budget_are_refused_before_fitting() -> None:
    # ward holds the condensed matrix and SciPy's copy: 2 · n(n−1)/2 · 8 bytes ≤ 2 GiB up to 16,384 rows
    rows = pd.DataFrame({"x": np.arange(16_385, dtype=np.float64)})
    with pytest.raises(modules.ModuleError) as refused:
        train(rows)
    assert refused.value.code == "0160"
    assert "Hierarchical clustering of 16,385 training rows needs 2.0 GiB" in refused.value.message
    assert "At most 16,384 rows fit" in refused.value.message
    assert "STUDIO_MAX_PAIRWISE_BYTES" in refused.value.message
    # single linkage needs no copy: twice the rows fit
    assert config(linkage="single").pairwise_bytes(23_170) <= 2 * 1024**3 < config().pairwise_bytes(16_385)


def test_validation_names_the_score_columns_of_a_number_cut_but_not_of_a_threshold_cut() -> None:
    def columns(params: dict[str, Any]) -> list[str] | None:
        graph = {
            "nodes": [
                {"id": "data", "module": "dataset", "params": {"dataset_id": "sample-iris"}},
                {"id": "algo", "module": "hierarchical_clustering", "params": params},
                {"id": "train", "module": "train_clustering_model", "params": {"append": False}},
            ],
            "edges": [
                {
                    "id": "e1",
                    "source": "algo",
                    "source_port": "untrained_model",
                    "target": "train",
                    "target_port": "untrained_model",
                },
                {
                    "id": "e2",
                    "source": "data",
                    "source_port": "dataset",
                    "target": "train",
                    "target_port": "dataset",
                },
            ],
        }
        report = modules.validate_graph(graph)
        assert report["valid"], report["errors"]
        found = report["columns"].get("train.results_dataset")
        return None if found is None else [c["name"] for c in found]

    assert columns({"n_clusters": 4}) == ["Assignments"] + [f"{PREFIX}{j}" for j in range(4)]
    assert columns({"cut_by": "distance_threshold"}) is None


def test_ward_with_another_metric_is_refused_at_validation() -> None:
    graph = {
        "nodes": [{"id": "algo", "module": "hierarchical_clustering", "params": {"metric": "cosine"}}],
        "edges": [],
    }
    errors = modules.validate_graph(graph)["errors"]
    assert [(e["code"], e.get("param")) for e in errors] == [("0008", "metric")]


def test_a_config_round_trips_through_its_state() -> None:
    made = config(trainer_mode="single", linkage="single", metric="manhattan", cut_by="distance_threshold")
    assert HierarchicalConfig.from_state(made.to_state()) == made
    assert made.training_candidate().n_clusters == 0 and made.distance_threshold == 3.0


# Found by tests/modules/test_errors.py (module, params, inputs, ctx, code, message fragments).
ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    ("hierarchical_clustering", {"n_clusters": "many"}, {}, {}, "0002", ["'Number of clusters'", '"many"']),
    (
        "hierarchical_clustering",
        {"cut_by": "distance_threshold", "distance_threshold": 0.0},
        {},
        {},
        "0004",
        ["'Distance threshold'", "got 0"],
    ),
    ("hierarchical_clustering", {"n_clusters": 1}, {}, {}, "0005", ["'Number of clusters'", "got 1"]),
    ("hierarchical_clustering", {"n_clusters": 1001}, {}, {}, "0007", ["'Number of clusters'", "1001"]),
    ("hierarchical_clustering", {"linkage": "median"}, {}, {}, "0008", ["'Linkage'", '"median"']),
    ("hierarchical_clustering", {"metric": "manhattan"}, {}, {}, "0008", ["'Metric'", "'manhattan'", "Ward"]),
]
