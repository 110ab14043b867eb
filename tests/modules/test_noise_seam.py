"""The noise seam, with a toy density algorithm defined in this file: a model may put rows in no cluster
(``NOISE_LABEL``), may have no per-cluster score columns, and may decide the number of clusters itself.
Train → Assign → Evaluate → Sweep, the label modes, the portable file and its exports, web-service
scoring, graph validation and the chart payloads all cope. Every answer is computed by hand.

The toy, "rounded anchors": a value of the first feature that at least ``min_count`` rows round to is
an anchor (a cluster, in increasing order); a row within ``radius`` of an anchor joins the nearest, any
other row is noise. It has no scores, finds its k, and may assign noise.
"""

from __future__ import annotations

import importlib
import json
import math
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
from backend.services.web_services.formats import Shape
from backend.services.web_services.render import render_scores
from backend.services.web_services.scoring import output_columns, score_frame
from modules import registry
from modules.algorithms import base
from modules.algorithms.base import (
    Candidate,
    ClusterConfig,
    ClusterModel,
    Fit,
    FitControl,
    registered_sweep_metrics,
    sweep_metric_values,
)
from modules.clustering_module import (
    FOUND_BY_FIT,
    ClusteringModule,
    assign_label_mode_param,
    normalize_param,
)
from modules.contract import Param
from modules.engine.metrics import label_centroid_metrics
from modules.errors import ModuleError
from modules.export import export_model, import_model
from modules.results import ASSIGNMENTS, NOISE_LABEL, find_result_columns
from modules.scoring import score_rows
from modules.sweep_table import NOISE_FRACTION, SWEEP_METRICS
from modules.trained_model import TrainedClusterModel, model_from_bytes, model_to_bytes


@dataclass
class RoundedAnchorsConfig(ClusterConfig):
    algorithm: ClassVar[str] = "toy_rounded_anchors"
    algorithm_name: ClassVar[str] = "Rounded anchors"
    decides_k: ClassVar[bool] = True

    radius: float = 0.5
    min_count: int = 2
    normalize: bool = False
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [Candidate(0, "", base_seed, settings={"min_count": m}) for m in (self.min_count, 3)]

    def training_candidate(self) -> Candidate:
        return Candidate(0, "", 0, settings={"min_count": self.min_count})

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        values, counts = np.unique(np.round(X[:, 0]), return_counts=True)
        model = RoundedAnchorsModel(values[counts >= candidate.settings["min_count"]], self.radius)
        return Fit(model, model.assign(X))


@dataclass(eq=False)
class RoundedAnchorsModel(ClusterModel):
    algorithm: ClassVar[str] = "toy_rounded_anchors"
    may_assign_noise: ClassVar[bool] = True
    has_scores: ClassVar[bool] = False
    extra_metrics = (NOISE_FRACTION,)

    anchors: np.ndarray
    radius: float

    @property
    def k(self) -> int:
        return len(self.anchors)

    def assign(self, X: np.ndarray) -> np.ndarray:
        if not self.k:
            return np.full(len(X), NOISE_LABEL, dtype=np.int64)
        gaps = np.abs(X[:, :1] - self.anchors[None, :])
        nearest = np.argmin(gaps, axis=1)
        return np.where(gaps[np.arange(len(X)), nearest] <= self.radius, nearest, NOISE_LABEL).astype(
            np.int64
        )

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        assert (labels >= 0).all()  # the seam never hands noise rows to the model
        return label_centroid_metrics(X, labels)

    def summary(self) -> dict[str, Any]:
        return {"anchors": self.anchors.tolist()}

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"radius": self.radius}, {"anchors": self.anchors}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> RoundedAnchorsModel:
        return cls(arrays["anchors"], float(meta["radius"]))


class RoundedAnchors(ClusteringModule):
    id = "toy_rounded_anchors"
    name = "Rounded Anchors"
    category = "Tests"
    description = "A toy density clustering."
    config_class = RoundedAnchorsConfig
    params = (
        Param("radius", "Radius", "float", default=0.5, min=0.0),
        Param("min_count", "Minimum count", "int", default=2, min=1, max=10),
        normalize_param(),
        assign_label_mode_param("in the cluster first"),
    )


# rounded: 0 0 5 5 9 0 20 → anchors 0 and 5; 9.0 and 20.0 are noise
TRAINING = pd.DataFrame(
    {"x": [0.0, 0.1, 5.0, 5.2, 9.0, 0.3, 20.0], "lab": ["a", None, "b", None, None, "c", "z"]}
)
LABELS = [0, 0, 1, 1, NOISE_LABEL, 0, NOISE_LABEL]


def reload_sweep() -> None:
    """Re-read the registered metrics, as a server start does once every algorithm file is loaded."""
    importlib.reload(sweep_module)
    importlib.reload(sweep_chart)
    registry.reload()


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    # registered for this file's tests only: other tests see the real algorithms' metrics
    base._CONFIGS[RoundedAnchorsConfig.algorithm] = RoundedAnchorsConfig
    base._MODELS[RoundedAnchorsModel.algorithm] = RoundedAnchorsModel
    reload_sweep()
    registry.add(RoundedAnchors)
    yield
    for name in (RoundedAnchorsModel.algorithm, "toy_other_density"):
        base._MODELS.pop(name, None)
    base._CONFIGS.pop(RoundedAnchorsConfig.algorithm)
    reload_sweep()


def run(module_id: str, params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return modules.run_module(module_id, params, inputs)


def config(**params: Any) -> RoundedAnchorsConfig:
    return run("toy_rounded_anchors", {"normalize": False, **params}, {})["untrained_model"]


def trained(**params: Any) -> dict[str, Any]:
    return run(
        "train_clustering_model",
        {"column_set": {"names": ["x"]}, "label_column": "lab"},
        {"untrained_model": config(**params), "dataset": TRAINING},
    )


def test_noise_keeps_minus_one_in_assignments_and_no_score_columns() -> None:
    out = trained()
    results = out["results_dataset"]
    assert results.columns.tolist() == ["x", "lab", ASSIGNMENTS]
    assert results[ASSIGNMENTS].dtype == "Int64" and results[ASSIGNMENTS].tolist() == LABELS
    model = out["trained_model"]
    assert model.k == 2 and model.cluster_sizes.tolist() == [3, 2] and model.noise_count == 2
    found = find_result_columns(results.columns.tolist())
    assert found is not None and not found.has_scores and found.k is None


def test_unscored_rows_stay_null_and_noise_stays_minus_one_on_assign() -> None:
    model = model_from_bytes(model_to_bytes(trained()["trained_model"]))
    assert isinstance(model, TrainedClusterModel)
    assert model.noise_count == 2 and isinstance(model.model, RoundedAnchorsModel)
    new = pd.DataFrame({"x": [5.4, 7.0, np.nan, -0.5]})
    scored = run("assign_data_to_clusters", {"append": False}, {"trained_model": model, "dataset": new})
    assert scored["results_dataset"].columns.tolist() == [ASSIGNMENTS]
    assert scored["results_dataset"][ASSIGNMENTS].tolist() == [1, NOISE_LABEL, pd.NA, 0]


def test_label_modes_leave_noise_rows_alone() -> None:
    # cluster 0's label: its first labelled row ("a"); cluster 1's: "b"
    filled = trained(assign_label_mode="fill_missing")
    assert filled["trained_model"].cluster_labels == ["a", "b"]
    assert labels_of(filled["results_dataset"]) == ["a", "a", "b", "b", None, "c", "z"]
    overwritten = trained(assign_label_mode="overwrite")["results_dataset"]
    assert labels_of(overwritten) == ["a", "a", "b", "b", None, "a", "z"]


def labels_of(results: pd.DataFrame) -> list[Any]:
    return [None if pd.isna(v) else v for v in results["lab"]]


def test_evaluate_leaves_noise_out_and_counts_it() -> None:
    results = trained()["results_dataset"]
    table = run("evaluate_clustering", {}, {"scored_dataset": results})["evaluation_results"]
    assert table["Result Description"].tolist() == [
        "Combined Evaluation",
        "Evaluation For Cluster No.0",
        "Evaluation For Cluster No.1",
        "Noise",
    ]
    assert table["Number of Points"].tolist() == [5, 3, 2, 2]
    assert table["Average Distance to Cluster Center"].isna().all()  # no scores to average


def test_evaluate_of_scored_results_with_noise_leaves_noise_out() -> None:
    frame = pd.DataFrame(
        {
            "Assignments": pd.array([0, 1, NOISE_LABEL, 0, None], dtype="Int64"),
            "DistancesToClusterCenter no.0": [1.0, 4.0, 9.0, 3.0, np.nan],
            "DistancesToClusterCenter no.1": [5.0, 2.0, 9.0, 6.0, np.nan],
        }
    )
    table = run("evaluate_clustering", {}, {"scored_dataset": frame})["evaluation_results"]
    assert table["Number of Points"].tolist() == [3, 2, 1, 1]
    assert table["Average Distance to Cluster Center"].tolist()[:3] == pytest.approx([2.0, 2.0, 2.0])
    assert table["Maximal Distance To Cluster Center"].iloc[0] == 3.0
    assert table["Result Description"].iloc[-1] == "Noise"


def test_sweep_metrics_leave_noise_out_and_add_the_noise_fraction() -> None:
    X = TRAINING[["x"]].to_numpy()
    labels = np.array(LABELS)
    model = RoundedAnchorsModel(np.array([0.0, 5.0]), 0.5)
    values = sweep_metric_values(model, X, labels)
    # by hand: centroids 0.4/3 and 5.1; own distances of the five clustered rows
    mean0 = 0.4 / 3
    own = np.abs([mean0, 0.1 - mean0, 0.1, 0.1, 0.3 - mean0])
    other = np.array([5.1, 5.0, 5.0 - mean0, 5.2 - mean0, 4.8])
    assert values["average_deviation"] == pytest.approx(own.mean())
    assert values["simplified_silhouette"] == pytest.approx(np.mean((other - own) / np.maximum(own, other)))
    assert values["noise_fraction"] == pytest.approx(2 / 7)


def test_fewer_than_two_clusters_give_nan_metrics_not_an_exception() -> None:
    X = TRAINING[["x"]].to_numpy()
    model = RoundedAnchorsModel(np.array([0.0]), 0.5)
    one = np.array([0, 0, NOISE_LABEL, NOISE_LABEL, NOISE_LABEL, 0, NOISE_LABEL])
    values = sweep_metric_values(model, X, one)
    assert all(math.isnan(values[m.id]) for m in SWEEP_METRICS)
    assert values["noise_fraction"] == pytest.approx(4 / 7)
    all_noise = sweep_metric_values(model, X, np.full(7, NOISE_LABEL))
    assert all(math.isnan(values[m.id]) for m in SWEEP_METRICS) and all_noise["noise_fraction"] == 1.0
    assert all(math.isnan(v) for v in label_centroid_metrics(X, one).values())


def test_noise_fraction_is_one_metric_however_many_declare_it() -> None:
    class OtherDensityModel(RoundedAnchorsModel):
        algorithm: ClassVar[str] = "toy_other_density"
        extra_metrics = (NOISE_FRACTION,)

    assert [m.id for m in registered_sweep_metrics()].count("noise_fraction") == 1
    assert OtherDensityModel.has_scores is False


def test_sweep_shows_the_fitted_k() -> None:
    out = run(
        "sweep_clustering",
        {"sweep_mode": "grid", "sweep_metric": "average_deviation", "column_set": {"names": ["x"]}},
        {"untrained_model": config(), "dataset": TRAINING},
    )
    sweep = out["sweep_results"]
    # min_count 2: anchors 0 and 5; min_count 3: anchor 0 only (one cluster: metrics NaN, ranked last)
    assert sweep["Number of centroids"].tolist() == [2, 1]
    assert math.isnan(sweep["Average Deviation"].iloc[1])
    assert sweep["Noise fraction"].tolist() == pytest.approx([2 / 7, 4 / 7])
    assert out["results_dataset"][ASSIGNMENTS].tolist() == LABELS


def test_decides_k_is_said_in_the_description() -> None:
    assert RoundedAnchors.description.endswith(FOUND_BY_FIT)
    assert RoundedAnchors.description.count(FOUND_BY_FIT) == 1


def test_graph_validation_knows_the_assignments_column_without_k() -> None:
    module = registry.get("train_clustering_model")
    params = {"column_set": None, "label_column": None, "append": True, "weight_column": None}
    inputs = {"untrained_model": config(), "dataset": [("x", "numeric")]}
    inferred = module.infer(params, inputs, None)  # type: ignore[arg-type]  # Train's infer needs no env
    assert inferred.outputs["results_dataset"] == [("x", "numeric"), (ASSIGNMENTS, "numeric")]
    assert inferred.outputs["trained_model"].k is None


def test_chart_draws_noise_apart_and_has_no_histograms() -> None:
    out = trained()
    chart = visualize(out["results_dataset"], "clusters")
    assert chart["noise_count"] == 2 and chart["k"] == 2
    assert chart["cluster_sizes"] == [{"cluster": 0, "count": 3}, {"cluster": 1, "count": 2}]
    assert chart["distance_columns"] == [] and chart["distance_histograms"] == []
    assert sorted(chart["points"]["cluster"]) == sorted(LABELS)
    assert [c["cluster"] for c in chart["centroids"]] == [0, 1]
    assert [e["count"] for e in chart["ellipses"]] == [3, 2]  # noise is in no ellipse
    assert chart["excluded"]["missing_assignment"] == 0
    model_view = visualize(out["trained_model"], "model")
    assert model_view["noise_count"] == 2 and model_view["anchors"] == [0.0, 5.0]


def test_a_model_without_noise_reports_no_noise_count() -> None:
    out = run(
        "train_clustering_model",
        {"column_set": {"names": ["x"]}},
        {
            "untrained_model": run("kmeans_clustering", {"n_clusters": 2}, {})["untrained_model"],
            "dataset": TRAINING,
        },
    )
    assert out["trained_model"].noise_count is None
    assert "noise_count" not in out["trained_model"].to_json_summary()


def test_exports_json_round_trips_and_centre_formats_refuse() -> None:
    model = trained()["trained_model"]
    back = import_model(export_model(model, "json").content)
    assert back == model and back.noise_count == 2
    for fmt in ("onnx", "pmml"):
        with pytest.raises(ModuleError) as raised:
            export_model(model, fmt)  # type: ignore[arg-type]
        assert "centre" in raised.value.message or "center" in raised.value.message


def test_web_service_scoring_writes_assignments_only() -> None:
    model = trained()["trained_model"]
    assert output_columns(["x"], model.k, model.algorithm, append=False) == [ASSIGNMENTS]
    frame = pd.DataFrame({"x": [5.4, 7.0, np.nan]})
    assert score_frame(model, frame, append=False)[ASSIGNMENTS].tolist() == [1, NOISE_LABEL, pd.NA]
    payload, _ = render_scores(frame, score_rows(frame, model), model, append=False, shape=Shape.RECORDS)
    assert json.loads(payload) == {"records": [{ASSIGNMENTS: 1}, {ASSIGNMENTS: -1}, {ASSIGNMENTS: None}]}


# defined once at import (registering them); the fixture takes them out again after each test
base._MODELS.pop(RoundedAnchorsModel.algorithm)
base._CONFIGS.pop(RoundedAnchorsConfig.algorithm)
