"""A clustering algorithm whose scores are probabilities (higher is nearer) goes through Train → Assign →
Evaluate, the label modes and the cluster chart, each asking the score kind instead of assuming
distances.

The toy algorithm, "soft seed rows", takes the first k distinct training rows as seeds and scores a
row against seed j with exp(−|x − s_j|) normalised over the seeds: every answer below is computed by
hand from that formula.
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
from modules.errors import ModuleError
from modules.results import PROBABILITY, find_result_columns, score_kind_of
from modules.scoring import LABEL_MODE_CHOICES
from modules.trained_model import model_from_bytes, model_to_bytes

PREFIX = "ProbabilityOfSoftSeed no."


@dataclass
class SoftSeedsConfig(ClusterConfig):
    algorithm: ClassVar[str] = "soft_seed_rows"
    algorithm_name: ClassVar[str] = "Soft seed rows"

    n_clusters: int = 2
    normalize: bool = False
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [Candidate(k, "first_rows", base_seed) for k in range(2, self.n_clusters + 1)]

    def training_candidate(self) -> Candidate:
        return Candidate(self.n_clusters, "first_rows", 0)

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        _, first = np.unique(X, axis=0, return_index=True)
        model = SoftSeedsModel(X[np.sort(first)[: candidate.n_clusters]].copy())
        return Fit(model, model.assign(X))


@dataclass(eq=False)
class SoftSeedsModel(ClusterModel):
    algorithm: ClassVar[str] = "soft_seed_rows"
    score_column_prefix: ClassVar[str] = PREFIX
    score_kind: ClassVar[str] = PROBABILITY

    seeds: np.ndarray

    @property
    def k(self) -> int:
        return len(self.seeds)

    def scores(self, X: np.ndarray) -> np.ndarray:
        weights = np.exp(-np.linalg.norm(X[:, None, :] - self.seeds[None, :, :], axis=2))
        return weights / weights.sum(axis=1, keepdims=True)

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        nan = float("nan")
        return {"average_deviation": nan, "simplified_silhouette": nan, "davies_bouldin": nan, "dunn": nan}

    def summary(self) -> dict[str, Any]:
        return {"seed_rows": self.seeds.tolist()}

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"seeds": self.seeds}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> SoftSeedsModel:
        return cls(arrays["seeds"])


class SoftSeedRows(Module):
    id = "soft_seed_rows"
    name = "Soft Seed Rows"
    category = "Tests"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)
    params = (
        Param("n_clusters", "Number of seed rows", "int", default=2, min=2, max=10),
        Param("assign_label_mode", "Label mode", "choice", default="ignore", choices=LABEL_MODE_CHOICES),
    )

    def _config(self, params: dict[str, Any]) -> SoftSeedsConfig:
        return SoftSeedsConfig(n_clusters=params["n_clusters"], assign_label_mode=params["assign_label_mode"])

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"untrained_model": self._config(params)}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        return Inferred(outputs={"untrained_model": self._config(params)})


# Seeds at x = 0 and x = 4 (the first two rows); x = 1 and 3 lean to one side, x = 2 is a tie.
TRAINING = pd.DataFrame({"x": [0.0, 4.0, 1.0, 3.0, 2.0], "tag": ["a", "b", None, None, None]})


def probabilities(x: np.ndarray) -> np.ndarray:
    near = np.exp(-np.abs(x[:, None] - np.array([0.0, 4.0])[None, :]))
    return near / near.sum(axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def registered() -> Any:
    registry.add(SoftSeedRows)
    yield
    registry.reload()


def run(module_id: str, params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return modules.run_module(module_id, params, inputs)


def trained(label_mode: str = "ignore") -> dict[str, Any]:
    config = run("soft_seed_rows", {"n_clusters": 2, "assign_label_mode": label_mode}, {})["untrained_model"]
    params = {"label_column": "tag"} if label_mode != "ignore" else {}
    return run("train_clustering_model", params, {"untrained_model": config, "dataset": TRAINING})


def test_rows_go_to_their_most_probable_cluster() -> None:
    results = trained()["results_dataset"]
    expected = probabilities(TRAINING["x"].to_numpy())
    # the argmax, not the argmin; the tie at x = 2 goes to the lowest index
    assert results["Assignments"].tolist() == [0, 1, 0, 1, 0]
    np.testing.assert_allclose(results[[f"{PREFIX}0", f"{PREFIX}1"]].to_numpy(), expected, rtol=1e-12)


def test_the_results_name_their_score_kind() -> None:
    results = trained()["results_dataset"]
    found = find_result_columns([str(c) for c in results.columns])
    assert found is not None and found.score_kind == PROBABILITY
    assert score_kind_of(f"{PREFIX}0") == "probability"
    assert score_kind_of("DistancesToClusterCenter no.0") == "distance"


def test_assign_picks_the_most_probable_cluster() -> None:
    model = model_from_bytes(model_to_bytes(trained()["trained_model"]))
    new = pd.DataFrame({"x": [3.5, -2.0, np.nan]})
    scored = run("assign_data_to_clusters", {"append": False}, {"trained_model": model, "dataset": new})
    assert scored["results_dataset"]["Assignments"].tolist() == [1, 0, pd.NA]
    np.testing.assert_allclose(
        scored["results_dataset"][f"{PREFIX}1"].iloc[:2], probabilities(np.array([3.5, -2.0]))[:, 1]
    )


def test_label_mode_takes_the_label_of_the_most_probable_row() -> None:
    # cluster 0's most probable labelled row is x = 0 ('a'), cluster 1's is x = 4 ('b')
    results = trained("fill_missing")["results_dataset"]
    assert results["tag"].tolist() == ["a", "b", "a", "b", "a"]


def test_evaluate_reports_probabilities_of_own_and_other_clusters() -> None:
    results = trained()["results_dataset"]
    table = run("evaluate_clustering", {}, {"scored_dataset": results})["evaluation_results"]
    assert table.columns.tolist() == [
        "Result Description",
        "Average Probability of Own Cluster",
        "Average Probability of Most Likely Other Cluster",
        "Number of Points",
        "Minimal Probability of Own Cluster",
    ]
    p = probabilities(TRAINING["x"].to_numpy())
    own = p[np.arange(5), [0, 1, 0, 1, 0]]
    assert table["Number of Points"].tolist() == [5, 3, 2]
    assert table["Average Probability of Own Cluster"].iloc[0] == pytest.approx(own.mean())
    assert table["Average Probability of Own Cluster"].iloc[1] == pytest.approx(own[[0, 2, 4]].mean())
    assert table["Average Probability of Most Likely Other Cluster"].iloc[0] == pytest.approx(
        (1 - own).mean()
    )
    assert table["Minimal Probability of Own Cluster"].iloc[0] == pytest.approx(0.5)  # the tie at x = 2


def test_evaluate_refuses_to_compare_distances_with_probabilities() -> None:
    probabilities_table = trained()["results_dataset"]
    distances_table = pd.DataFrame({"x": [0.0], "Assignments": [0], "DistancesToClusterCenter no.0": [0.5]})
    with pytest.raises(ModuleError) as raised:
        run(
            "evaluate_clustering",
            {},
            {"scored_dataset": probabilities_table, "scored_dataset_to_compare": distances_table},
        )
    assert raised.value.code == "0142"


def test_the_chart_histograms_the_probability_of_the_own_cluster() -> None:
    chart = visualize(trained()["results_dataset"], "clusters")
    assert chart["score_kind"] == "probability"
    assert chart["distance_columns"] == [f"{PREFIX}0", f"{PREFIX}1"]
    # over [0, 1] in ceil(sqrt(n)) bins: cluster 0 holds 0.982, 0.881 and 0.5 (the tie, on the edge)
    by_cluster = {h["cluster"]: h for h in chart["distance_histograms"]}
    assert by_cluster[0]["edges"] == [0.0, 0.5, 1.0] and by_cluster[0]["counts"] == [0, 3]
    assert by_cluster[1]["edges"] == [0.0, 0.5, 1.0] and by_cluster[1]["counts"] == [0, 2]


def test_a_model_must_name_a_known_score_kind() -> None:
    with pytest.raises(TypeError, match="score_kind"):

        class _Odd(SoftSeedsModel):
            score_kind: ClassVar[str] = "similarity"
