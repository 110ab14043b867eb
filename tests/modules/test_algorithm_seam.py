"""A new clustering algorithm, defined in this one file, goes through Train → Assign → Evaluate → Sweep,
the portable model file, graph validation and the chart payloads without touching any other file.

The algorithm, "nearest seed row", takes the first k distinct training rows as the cluster centres and
never moves them: every answer below is computed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import modules
from backend.services.outputs import visualize
from modules import registry
from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.contract import InferEnv, Inferred, Module, Param, Port
from modules.trained_model import model_from_bytes, model_to_bytes

PREFIX = "DistanceToSeedRow no."


@dataclass
class SeedRowsConfig(ClusterConfig):
    algorithm: ClassVar[str] = "seed_rows"
    algorithm_name: ClassVar[str] = "Nearest seed row"

    n_clusters: int = 2
    normalize: bool = False
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [Candidate(k, "first_rows", base_seed) for k in range(2, self.n_clusters + 1)]

    def training_candidate(self) -> Candidate:
        return Candidate(self.n_clusters, "first_rows", 0)

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        _, first = np.unique(X, axis=0, return_index=True)
        model = SeedRowsModel(X[np.sort(first)[: candidate.n_clusters]].copy())
        control.progress(1.0)
        return Fit(model, model.assign(X))


@dataclass(eq=False)
class SeedRowsModel(ClusterModel):
    algorithm: ClassVar[str] = "seed_rows"
    score_column_prefix: ClassVar[str] = PREFIX

    seeds: np.ndarray

    @property
    def k(self) -> int:
        return len(self.seeds)

    def scores(self, X: np.ndarray) -> np.ndarray:
        return np.linalg.norm(X[:, None, :] - self.seeds[None, :, :], axis=2)

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        own = self.scores(X)[np.arange(len(X)), labels]
        nan = float("nan")
        return {
            "average_deviation": float(own.mean()),
            "simplified_silhouette": nan,
            "davies_bouldin": nan,
            "dunn": nan,
        }

    def summary(self) -> dict[str, Any]:
        return {"seed_rows": self.seeds.tolist()}

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"seeds": self.seeds}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> SeedRowsModel:
        return cls(arrays["seeds"])


class NearestSeedRows(Module):
    id = "nearest_seed_rows"
    name = "Nearest Seed Rows"
    category = "Tests"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)
    params = (Param("n_clusters", "Number of seed rows", "int", default=2, min=2, max=10),)

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"untrained_model": SeedRowsConfig(n_clusters=params["n_clusters"])}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        return Inferred(outputs={"untrained_model": SeedRowsConfig(n_clusters=params["n_clusters"])})


# Three groups along x; the first three rows are one of each, so they are the seeds.
TRAINING = pd.DataFrame({"x": [0.0, 10.0, 20.0, 1.0, 11.0, 22.0, 3.0], "name": list("abcdefg")})
EXPECTED_LABELS = [0, 1, 2, 0, 1, 2, 0]
EXPECTED_OWN = [0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 3.0]


@pytest.fixture(autouse=True)
def registered() -> Any:
    registry.add(NearestSeedRows)
    yield
    registry.reload()


def run(module_id: str, params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return modules.run_module(module_id, params, inputs)


def trained() -> dict[str, Any]:
    config = run("nearest_seed_rows", {"n_clusters": 3}, {})["untrained_model"]
    return run("train_clustering_model", {}, {"untrained_model": config, "dataset": TRAINING})


def test_train_scores_with_the_algorithms_own_columns() -> None:
    out = trained()
    results = out["results_dataset"]
    assert results.columns.tolist() == ["x", "name", "Assignments", f"{PREFIX}0", f"{PREFIX}1", f"{PREFIX}2"]
    assert results["Assignments"].tolist() == EXPECTED_LABELS
    np.testing.assert_allclose(results[f"{PREFIX}2"], np.abs(TRAINING["x"] - 20.0))
    model = out["trained_model"]
    assert model.k == 3 and model.features.names == ["x"]
    assert model.cluster_sizes.tolist() == [3, 2, 2]


def test_assign_and_the_portable_file() -> None:
    model = trained()["trained_model"]
    back = model_from_bytes(model_to_bytes(model))
    assert back == model and isinstance(back.model, SeedRowsModel)
    new = pd.DataFrame({"x": [19.0, -5.0, np.nan]})
    scored = run("assign_data_to_clusters", {"append": False}, {"trained_model": back, "dataset": new})
    assert scored["results_dataset"]["Assignments"].tolist() == [2, 0, pd.NA]
    np.testing.assert_allclose(scored["results_dataset"][f"{PREFIX}1"].iloc[:2], [9.0, 15.0])


def test_evaluate_reads_the_new_score_columns() -> None:
    results = trained()["results_dataset"]
    table = run("evaluate_clustering", {}, {"scored_dataset": results})["evaluation_results"]
    assert table["Number of Points"].tolist() == [7, 3, 2, 2]
    # cluster 0 holds x = 0, 1, 3 (seed 0): mean distance 4/3, largest 3
    assert table["Average Distance to Cluster Center"].iloc[1] == pytest.approx(4 / 3)
    assert table["Maximal Distance To Cluster Center"].iloc[0] == pytest.approx(max(EXPECTED_OWN))
    assert table["Average Distance to Cluster Center"].iloc[0] == pytest.approx(sum(EXPECTED_OWN) / 7)


def test_sweep_trains_every_candidate() -> None:
    config = run("nearest_seed_rows", {"n_clusters": 3}, {})["untrained_model"]
    out = run(
        "sweep_clustering",
        {"sweep_mode": "grid", "sweep_metric": "average_deviation"},
        {"untrained_model": config, "dataset": TRAINING},
    )
    sweep = out["sweep_results"]
    assert sweep["Number of centroids"].tolist() == [3, 2]  # k=3: mean own distance 8/7 beats k=2
    assert sweep["Average Deviation"].iloc[0] == pytest.approx(sum(EXPECTED_OWN) / 7)
    assert out["best_model"].k == 3


def test_chart_payloads_come_from_the_declared_views() -> None:
    out = trained()
    chart = visualize(out["results_dataset"], "clusters")
    assert chart["kind"] == "clusters"
    assert chart["distance_columns"] == [f"{PREFIX}{j}" for j in range(3)]
    assert chart["cluster_sizes"] == [{"cluster": j, "count": n} for j, n in enumerate([3, 2, 2])]
    model_view = visualize(out["trained_model"], "model")
    assert model_view["kind"] == "model" and model_view["algorithm"] == "seed_rows"
    assert model_view["seed_rows"] == [[0.0], [10.0], [20.0]] and "centroids" not in model_view


def test_graph_validation_knows_the_result_columns_ahead() -> None:
    graph = {
        "nodes": [
            {"id": "data", "module": "dataset", "params": {"dataset_id": "sample-iris"}},
            {"id": "algo", "module": "nearest_seed_rows", "params": {"n_clusters": 4}},
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
    names = [c["name"] for c in report["columns"]["train.results_dataset"]]
    assert names == ["Assignments"] + [f"{PREFIX}{j}" for j in range(4)]
