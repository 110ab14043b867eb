"""An algorithm's own sweep metric: declared on its model class, offered by Sweep Clustering, given a
column in the sweep table (NaN for other algorithms), ranked on, charted, and refused (0141) for an
algorithm that does not compute it.

The toy algorithm, "spread seeds", takes the first k distinct rows as seeds (as the seam test's does)
and declares one extra metric, "Largest Distance" (lower is better): the largest distance of a row to
its seed, computed by hand below.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import modules
import modules.catalog.sweep_clustering as sweep_module
from backend.services.outputs import sweep as sweep_chart
from backend.services.outputs import visualize
from modules import registry
from modules.algorithms import base
from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.contract import InferEnv, Inferred, Module, Param, Port
from modules.errors import ModuleError
from modules.sweep_table import SweepMetric

LARGEST = SweepMetric("largest_distance", "Largest Distance", higher_is_better=False)
# Three groups along x; the first three rows seed them.
TRAINING = pd.DataFrame({"x": [0.0, 10.0, 20.0, 1.0, 12.0, 23.0, 3.0]})


class SpreadSeeds(Module):
    id = "spread_seeds"
    name = "Spread Seeds"
    category = "Tests"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)
    params = (Param("n_clusters", "Number of seeds", "int", default=3, min=2, max=10),)
    config_class: ClassVar[Any] = None  # set once the toy algorithm is defined

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"untrained_model": self.config_class(n_clusters=params["n_clusters"])}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        return Inferred(outputs={"untrained_model": self.config_class(n_clusters=params["n_clusters"])})


def define_toy() -> type[Module]:
    """The toy algorithm and its module (defining the classes registers them with the seam)."""

    @dataclass
    class SpreadSeedsConfig(ClusterConfig):
        algorithm: ClassVar[str] = "spread_seeds"
        algorithm_name: ClassVar[str] = "Spread seeds"

        n_clusters: int = 3
        normalize: bool = False
        assign_label_mode: str = "ignore"

        def candidates(self, base_seed: int) -> list[Candidate]:
            return [Candidate(k, "first_rows", base_seed) for k in range(2, self.n_clusters + 1)]

        def training_candidate(self) -> Candidate:
            return Candidate(self.n_clusters, "first_rows", 0)

        def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
            _, first = np.unique(X, axis=0, return_index=True)
            model = SpreadSeedsModel(X[np.sort(first)[: candidate.n_clusters]].copy())
            return Fit(model, model.assign(X))

    @dataclass(eq=False)
    class SpreadSeedsModel(ClusterModel):
        algorithm: ClassVar[str] = "spread_seeds"
        score_column_prefix: ClassVar[str] = "DistanceToSpreadSeed no."
        extra_metrics: ClassVar[tuple[SweepMetric, ...]] = (LARGEST,)

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
                "largest_distance": float(own.max()),
            }

        def summary(self) -> dict[str, Any]:
            return {}

        def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
            return {}, {"seeds": self.seeds}

        @classmethod
        def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> SpreadSeedsModel:
            return cls(arrays["seeds"])

    SpreadSeeds.config_class = SpreadSeedsConfig
    return SpreadSeeds


def reload_sweep() -> None:
    """Re-read the registered metrics, as a server start does once every algorithm file is loaded."""
    importlib.reload(sweep_module)
    importlib.reload(sweep_chart)
    registry.reload()


@pytest.fixture(autouse=True)
def toy_registered() -> Iterator[None]:
    module = define_toy()
    reload_sweep()
    registry.add(module)
    yield
    base._MODELS.pop("spread_seeds")
    base._CONFIGS.pop("spread_seeds")
    reload_sweep()


def run(module_id: str, params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return modules.run_module(module_id, params, inputs)


def toy_sweep(metric: str) -> dict[str, Any]:
    config = run("spread_seeds", {"n_clusters": 3}, {})["untrained_model"]
    return run(
        "sweep_clustering",
        {"sweep_mode": "grid", "sweep_metric": metric},
        {"untrained_model": config, "dataset": TRAINING},
    )


def test_sweep_offers_the_declared_metric() -> None:
    param = registry.get("sweep_clustering").param("sweep_metric")
    assert [c.value for c in param.choices][:4] == [
        "simplified_silhouette",
        "davies_bouldin",
        "dunn",
        "average_deviation",
    ]
    assert "largest_distance" in [c.value for c in param.choices]
    assert "Largest Distance: only for the algorithms that compute" in param.description


def test_sweep_ranks_on_the_declared_metric() -> None:
    table = toy_sweep("largest_distance")["sweep_results"]
    # k=3: seeds 0, 10, 20 → largest own distance 3 (x = 23); k=2: seeds 0, 10 → 13 (x = 23)
    assert table["Number of centroids"].tolist() == [3, 2]
    assert table["Largest Distance"].tolist() == [3.0, 13.0]
    assert table["Cluster metric"].tolist() == [3.0, 13.0]
    columns = table.columns.tolist()  # the extra metrics after the common four (the toy's registered last)
    assert (
        columns.index("Average Deviation") < columns.index("Largest Distance") == columns.index("Inertia") - 1
    )


def test_other_algorithms_leave_the_column_empty() -> None:
    config = run("kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "2-3"}, {})
    out = run(
        "sweep_clustering",
        {"sweep_mode": "grid"},
        {"untrained_model": config["untrained_model"], "dataset": TRAINING},
    )
    table = out["sweep_results"]
    assert table["Largest Distance"].isna().all() and len(table) > 0
    chart = visualize(table, "sweep")
    assert "Largest Distance" not in chart["series"]  # a column without values is not charted


def test_the_chart_plots_the_declared_metric_with_its_direction() -> None:
    chart = visualize(toy_sweep("largest_distance")["sweep_results"], "sweep")
    assert chart["metric"] == "Largest Distance" and chart["better"] == "lower"
    assert chart["best"]["k"] == 3 and chart["best"]["value"] == 3.0


def test_a_metric_the_algorithm_does_not_compute_is_refused() -> None:
    config = run("kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "2-3"}, {})
    with pytest.raises(ModuleError) as raised:
        run(
            "sweep_clustering",
            {"sweep_mode": "grid", "sweep_metric": "largest_distance"},
            {"untrained_model": config["untrained_model"], "dataset": TRAINING},
        )
    assert raised.value.code == "0141" and "K-Means" in raised.value.message
    assert "'Largest Distance'" in raised.value.message


def edge(edge_id: str, source: str, source_port: str, target: str, target_port: str) -> dict[str, str]:
    return {
        "id": edge_id,
        "source": source,
        "source_port": source_port,
        "target": target,
        "target_port": target_port,
    }


def test_validation_names_the_metric_and_the_algorithm() -> None:
    graph = {
        "nodes": [
            {"id": "data", "module": "dataset", "params": {"dataset_id": "sample-iris"}},
            {"id": "algo", "module": "kmeans_clustering", "params": {"trainer_mode": "range"}},
            {"id": "sweep", "module": "sweep_clustering", "params": {"sweep_metric": "largest_distance"}},
        ],
        "edges": [
            {"id": "e1", "source": "algo", "source_port": "untrained_model", "target": "sweep"}
            | {"target_port": "untrained_model"},
            {
                "id": "e2",
                "source": "data",
                "source_port": "dataset",
                "target": "sweep",
                "target_port": "dataset",
            },
        ],
    }
    report = modules.validate_graph(graph)
    codes = [(e["node_id"], e["code"]) for e in report["errors"]]
    assert ("sweep", "0141") in codes, report["errors"]
