"""Two seam rules for algorithms whose fit is not "each row to its nearest cluster", with a toy defined
here: the training rows keep the clusters the fit gave them (``ClusterModel.keeps_fit_labels``) in
Train's and Sweep's results, and a candidate of 0 clusters lets the fit decide k (graph validation then
does not name the score columns ahead, and the sweep table shows the fitted k).

The toy ("halves") puts the first half of the rows in cluster 0 and the rest in cluster 1, and scores a
row by its distance to the first and the last row: x = 0, 1, 2, 3, 10 gives clusters 0, 0, 0, 1, 1,
though x = 3 is nearer the first row (0) than the last (10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import modules
from modules import registry
from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.contract import InferEnv, Inferred, Module, Port
from modules.limits import MAX_CLUSTERS, check_cluster_count

PREFIX = "DistanceToEnd no."
TRAINING = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 10.0]})
HALVES = [0, 0, 0, 1, 1]


@dataclass
class HalvesConfig(ClusterConfig):
    algorithm: ClassVar[str] = "halves"
    algorithm_name: ClassVar[str] = "Halves"

    normalize: bool = False
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [Candidate(0, "halves", base_seed)]

    def training_candidate(self) -> Candidate:
        return Candidate(0, "halves", 0)  # 0 clusters: the fit decides

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        labels = (np.arange(len(X)) >= len(X) / 2).astype(np.int64)
        return Fit(HalvesModel(np.stack([X[0], X[-1]])), labels)


@dataclass(eq=False)
class HalvesModel(ClusterModel):
    algorithm: ClassVar[str] = "halves"
    score_column_prefix: ClassVar[str] = PREFIX
    keeps_fit_labels: ClassVar[bool] = True

    ends: np.ndarray

    @property
    def k(self) -> int:
        return len(self.ends)

    def scores(self, X: np.ndarray) -> np.ndarray:
        return np.linalg.norm(X[:, None, :] - self.ends[None, :, :], axis=2)

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
        return {}

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"ends": self.ends}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> HalvesModel:
        return cls(arrays["ends"])


@dataclass
class PiecesConfig(HalvesConfig):
    """Every row its own cluster, the count checked against the limit before anything is scored."""

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        check_cluster_count(len(X), "Cutting every row apart")
        return Fit(HalvesModel(X.copy()), np.arange(len(X), dtype=np.int64))


class HalvesModule(Module):
    id = "halves_clustering"
    name = "Halves"
    category = "Tests"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"untrained_model": HalvesConfig()}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        return Inferred(outputs={"untrained_model": HalvesConfig()})


# Found by tests/modules/test_errors.py (module, params, inputs, ctx, code, message fragments).
ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    (
        module,
        {},
        {"untrained_model": PiecesConfig, "dataset": pd.DataFrame({"x": np.arange(1001.0)})},
        {},
        "0007",
        ["Cutting every row apart gives 1,001 clusters", "1,000", "STUDIO_MAX_CLUSTERS"],
    )
    for module in ("train_clustering_model", "sweep_clustering")
]


@pytest.fixture(autouse=True)
def registered() -> Any:
    registry.add(HalvesModule)
    yield
    registry.reload()


def test_train_keeps_the_fits_clusters_and_scores_against_the_model() -> None:
    ctx = modules.RunContext()
    out = modules.run_module(
        "train_clustering_model", {}, {"untrained_model": HalvesConfig(), "dataset": TRAINING}, ctx
    )
    results = out["results_dataset"]
    assert results["Assignments"].tolist() == HALVES
    np.testing.assert_allclose(results[f"{PREFIX}1"], [10.0, 9.0, 8.0, 7.0, 0.0])
    assert out["trained_model"].cluster_sizes.tolist() == [3, 2]
    assert any(line.startswith("Halves (k=2, init=halves") for line in ctx.logs)


def test_sweep_keeps_the_best_runs_fit_clusters_and_shows_the_fitted_k() -> None:
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_metric": "average_deviation"},
        {"untrained_model": HalvesConfig(), "dataset": TRAINING},
    )
    assert out["results_dataset"]["Assignments"].tolist() == HALVES
    assert out["sweep_results"]["Number of centroids"].tolist() == [2]
    # own distances 0, 1, 2 (to x = 0) and 7, 0 (to x = 10)
    assert out["sweep_results"]["Average Deviation"].iloc[0] == pytest.approx(10 / 5)


def test_a_fit_that_decides_k_leaves_the_score_columns_unknown_to_validation() -> None:
    graph = {
        "nodes": [
            {"id": "data", "module": "dataset", "params": {"dataset_id": "sample-iris"}},
            {"id": "algo", "module": "halves_clustering", "params": {}},
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
    assert "train.results_dataset" not in report["columns"]


def test_a_fit_may_decide_up_to_the_cluster_limit() -> None:
    assert MAX_CLUSTERS == 1000
    check_cluster_count(1000, "A fit")
    with pytest.raises(modules.ModuleError) as refused:
        check_cluster_count(1001, "A fit")
    assert refused.value.code == "0007" and refused.value.message.startswith("A fit gives 1,001 clusters")
