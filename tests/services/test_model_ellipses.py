"""The cluster chart draws a model's own component ellipses when its summary carries covariances.

The toy algorithm, "fixed gaussians", is two Gaussians it was given (means and covariances, in the
model's feature space); the data are laid out so that the chart's principal components are the
feature axes, so every ellipse below is worked out by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import modules
from backend.executor import ArtefactStore
from backend.executor.task import VISUALIZATION, NodeTask
from backend.services.outputs import visualize
from modules import registry
from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.contract import InferEnv, Inferred, Module, Port

# Two Gaussians: variance 0.04 along x, 0.01 along y (in the model's space).
MEANS = np.array([[0.25, 0.5], [0.75, 0.5]])
COVARIANCES = np.array([np.diag([0.04, 0.01])] * 2)


def grid(scale: float = 1.0) -> pd.DataFrame:
    """x on 0, 0.1 … 1 and y on {0, 1}: y varies more (variance 0.26 vs 0.11), so the chart's first
    principal component is y and its second x; both already span [0, 1] before ``scale``."""
    xs = np.tile(np.linspace(0.0, 1.0, 11), 2)
    ys = np.repeat([0.0, 1.0], 11)
    return pd.DataFrame({"x": xs * scale, "y": ys * scale})


@dataclass
class FixedConfig(ClusterConfig):
    algorithm: ClassVar[str] = "fixed_gaussians"
    algorithm_name: ClassVar[str] = "Fixed Gaussians"
    scale: float = 1.0
    normalize: bool = False
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [Candidate(2, "given", base_seed)]

    def training_candidate(self) -> Candidate:
        return Candidate(2, "given", 0)

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        model = FixedModel(MEANS * self.scale, COVARIANCES * self.scale**2)
        return Fit(model, model.assign(X))


@dataclass(eq=False)
class FixedModel(ClusterModel):
    algorithm: ClassVar[str] = "fixed_gaussians"
    score_column_prefix: ClassVar[str] = "DistanceToFixedMean no."
    means: np.ndarray
    covariances: np.ndarray

    @property
    def k(self) -> int:
        return 2

    def scores(self, X: np.ndarray) -> np.ndarray:
        return np.linalg.norm(X[:, None, :] - self.means[None, :, :], axis=2)

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        return {}

    def summary(self) -> dict[str, Any]:
        return {"means": self.means.tolist(), "covariances": self.covariances.tolist()}

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"means": self.means, "covariances": self.covariances}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> FixedModel:
        return cls(arrays["means"], arrays["covariances"])


class FixedGaussians(Module):
    id = "fixed_gaussians"
    name = "Fixed Gaussians"
    category = "Tests"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"untrained_model": FixedConfig()}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        return Inferred(outputs={"untrained_model": FixedConfig()})


@pytest.fixture(autouse=True)
def toy() -> Iterator[None]:
    registry.add(FixedGaussians)
    yield
    registry.reload()


def trained(df: pd.DataFrame, **config: Any) -> dict[str, Any]:
    model = FixedConfig(**config)
    return modules.run_module("train_clustering_model", {}, {"untrained_model": model, "dataset": df})


def expected_ellipses(chart: dict[str, Any]) -> list[tuple[float, float, float, float, float]]:
    """(cx, cy, rx, ry, angle): plane x = y − centre_y, plane y = x − centre_x; 2σ semi-axes along
    the plane's y (x's variance 0.04 → 0.4) and x (y's 0.01 → 0.2)."""
    centre_x, centre_y = chart["projection"]["center"]
    return [(my - centre_y, mx - centre_x, 0.4, 0.2, 90.0) for mx, my in MEANS]


def shown(chart: dict[str, Any]) -> list[tuple[float, float, float, float, float]]:
    return [(e["cx"], e["cy"], e["rx"], e["ry"], e["angle_deg"]) for e in chart["ellipses"]]


def test_the_chart_axes_are_the_features() -> None:
    chart = visualize(trained(grid())["results_dataset"], "clusters")
    np.testing.assert_allclose(np.abs(chart["projection"]["components"]), [[0, 1], [1, 0]], atol=1e-12)


@pytest.mark.parametrize(("scale", "normalize"), [(1.0, False), (10.0, False), (10.0, True)])
def test_the_models_ellipses_in_the_plane(scale: float, normalize: bool) -> None:
    # scale 10 unnormalised: the model's space is 10× the chart's; normalised: it is the chart's again
    config = {"scale": scale if not normalize else 1.0, "normalize": normalize}
    out = trained(grid(scale), **config)
    chart = visualize(out["results_dataset"], "clusters", model=out["trained_model"])
    assert chart["ellipse_source"] == "model"
    np.testing.assert_allclose(shown(chart), expected_ellipses(chart), atol=1e-12)
    assert [e["cluster"] for e in chart["ellipses"]] == [0, 1]


def test_without_the_model_the_points_ellipses_stay() -> None:
    out = trained(grid())
    chart = visualize(out["results_dataset"], "clusters")
    assert chart["ellipse_source"] == "points"


def test_a_model_on_other_features_than_the_charts_keeps_the_points_ellipses() -> None:
    df = grid().assign(extra=np.arange(22.0))
    out = modules.run_module(
        "train_clustering_model",
        {"column_set": ["x", "y"]},
        {"untrained_model": FixedConfig(), "dataset": df},
    )
    chart = visualize(out["results_dataset"], "clusters", model=out["trained_model"])
    assert (
        chart["ellipse_source"] == "points"
    )  # the chart also projects 'extra', the model knows nothing of it


def test_a_run_precomputes_the_chart_with_the_nodes_model(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path)
    data_ref = store.write(grid(), "data_table", [])
    toy = NodeTask("f", "fixed_gaussians", {}, {}, {}, str(tmp_path)).execute()
    inputs = {"untrained_model": toy.outputs["untrained_model"], "dataset": data_ref}
    result = NodeTask("t", "train_clustering_model", {}, inputs, {}, str(tmp_path)).execute()
    assert result.error is None, result.log
    derived = store.read_derived(result.outputs["results_dataset"], VISUALIZATION)
    assert derived is not None
    chart = json.loads(derived)
    assert chart["ellipse_source"] == "model"
    np.testing.assert_allclose(shown(chart), expected_ellipses(chart), atol=1e-12)
