"""Sweep Clustering over any algorithm's parameter ranges, and the sweep table's elbow and seed columns:
a column per swept parameter (named as the declaration names it), the inertia, the spread of the chosen
metric across seeds and the seeds' agreement (mean pairwise adjusted Rand index).

The toy algorithm, "pick seeds", sweeps two parameters of its own through
:func:`~modules.clustering_module.grid_candidates`: ``anchor`` (a choice: seeds drawn at random from
every row, or from the lower half of the rows in x order) and ``jitter`` (a number added to the seeds,
so that it changes the metrics). Its fit picks k distinct rows as seeds with the candidate's seed and
labels every row by its nearest seed; the tests redo the fit by hand.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import modules
import modules.catalog.sweep_clustering as sweep_module
from backend.services.outputs import sweep as sweep_chart
from modules import registry
from modules.algorithms import base
from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.clustering_module import grid_candidates
from modules.contract import Choice, InferEnv, Inferred, Module, Param, Port, validate_params
from modules.sweep_table import METRIC_SPREAD, SEED_AGREEMENT, within_cluster_sum_of_squares

RNG = np.random.default_rng(7)
TRAINING = pd.DataFrame({"x": np.concatenate([RNG.normal(c, 0.6, 12) for c in (0.0, 5.0, 10.0, 15.0)])})
KS = (2, 3)
ANCHORS = ("anywhere", "low_half")
JITTERS = (0.0, 0.5)
SEEDS = (11, 12, 13)


def pick(X: np.ndarray, k: int, anchor: str, jitter: float, seed: int) -> np.ndarray:
    """The toy's seeds: k distinct rows drawn with ``seed`` (from the lower half in x for ``low_half``),
    plus ``jitter``."""
    order = np.argsort(X[:, 0], kind="stable")
    pool = order if anchor == "anywhere" else order[: len(order) // 2]
    chosen = np.random.default_rng(seed).choice(pool, size=k, replace=False)
    return X[np.sort(chosen)] + jitter


def nearest(X: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    return np.argmin(np.abs(X[:, None, 0] - seeds[None, :, 0]), axis=1).astype(np.int64)


class PickSeeds(Module):
    id = "pick_seeds"
    name = "Pick Seeds"
    category = "Tests"
    outputs = (Port("untrained_model", "Untrained model", "untrained_cluster_model"),)
    params = (
        Param(
            "anchor",
            "Where seeds come from",
            "choice",
            default="anywhere",
            choices=(Choice("anywhere", "Anywhere"), Choice("low_half", "Low half")),
        ),
        Param("jitter", "Seed jitter", "float", default=0.0),
    )
    config_class: ClassVar[Any] = None  # set once the toy algorithm is defined

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"untrained_model": self.config_class()}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        return Inferred(outputs={"untrained_model": self.config_class()})


def define_toy() -> type[Module]:
    @dataclass
    class PickSeedsConfig(ClusterConfig):
        algorithm: ClassVar[str] = "pick_seeds"
        algorithm_name: ClassVar[str] = "Pick seeds"

        normalize: bool = False
        assign_label_mode: str = "ignore"

        def candidates(self, base_seed: int) -> list[Candidate]:
            ranges = {"anchor": ANCHORS, "jitter": JITTERS, "fixed": ("same",)}
            return grid_candidates(KS, ranges, seeds=SEEDS)

        def training_candidate(self) -> Candidate:
            return self.candidates(0)[0]

        def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
            s = candidate.settings
            assert candidate.seed is not None
            model = PickSeedsModel(pick(X, candidate.n_clusters, s["anchor"], s["jitter"], candidate.seed))
            return Fit(model, model.assign(X))

    @dataclass(eq=False)
    class PickSeedsModel(ClusterModel):
        algorithm: ClassVar[str] = "pick_seeds"
        score_column_prefix: ClassVar[str] = "DistanceToPickedSeed no."

        seeds: np.ndarray

        @property
        def k(self) -> int:
            return len(self.seeds)

        def scores(self, X: np.ndarray) -> np.ndarray:
            return np.abs(X[:, None, 0] - self.seeds[None, :, 0])

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
            return {}, {"seeds": self.seeds}

        @classmethod
        def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> PickSeedsModel:
            return cls(arrays["seeds"])

    PickSeeds.config_class = PickSeedsConfig
    return PickSeeds


def reload_sweep() -> None:
    importlib.reload(sweep_module)
    importlib.reload(sweep_chart)
    registry.reload()


@pytest.fixture(autouse=True)
def toy_registered() -> Iterator[None]:
    module = define_toy()
    reload_sweep()
    registry.add(module)
    yield
    base._MODELS.pop("pick_seeds")
    base._CONFIGS.pop("pick_seeds")
    reload_sweep()


@pytest.fixture
def table() -> pd.DataFrame:
    config = modules.run_module("pick_seeds", {}, {})["untrained_model"]
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_mode": "grid", "sweep_metric": "average_deviation"},
        {"untrained_model": config, "dataset": TRAINING},
    )
    return out["sweep_results"]


def test_grid_candidates_are_the_product_in_run_index_order() -> None:
    got = grid_candidates([2, 3], {"a": [1, 2], "b": ["x", "y"]}, inits=["i"], seeds=[5, 6])
    expected = list(itertools.product([2, 3], [1, 2], ["x", "y"], [5, 6]))
    assert [(c.n_clusters, c.settings["a"], c.settings["b"], c.seed) for c in got] == expected
    assert {c.init for c in got} == {"i"}
    assert grid_candidates([4]) == [Candidate(4, "", None, settings={})]


def test_a_column_per_swept_parameter_named_by_the_declaration(table: pd.DataFrame) -> None:
    columns = table.columns.tolist()
    # "fixed" has one value in every candidate: not swept, no column
    assert columns[5:7] == ["Where seeds come from", "Seed jitter"]
    assert "fixed" not in columns
    assert table["Seed jitter"].dtype == np.float64
    assert set(table["Where seeds come from"]) == set(ANCHORS)
    swept = ["Number of centroids", "Where seeds come from", "Seed jitter", "Seed"]
    combos = set(table[swept].itertuples(index=False, name=None))
    assert combos == set(itertools.product(KS, ANCHORS, JITTERS, SEEDS))
    # the static schema (what the editor shows before running) has the same columns and kinds
    config = modules.run_module("pick_seeds", {}, {})["untrained_model"]
    sweep = registry.get("sweep_clustering")
    params = validate_params(sweep, {"sweep_mode": "grid", "sweep_metric": "average_deviation"})
    inferred = sweep.infer(params, {"untrained_model": config, "dataset": [("x", "numeric")]}, None)  # type: ignore[arg-type]
    schema = dict(inferred.outputs["sweep_results"])
    assert list(schema) == columns
    assert (schema["Where seeds come from"], schema["Seed jitter"]) == ("string", "numeric")


def test_inertia_spread_and_seed_agreement_by_hand(table: pd.DataFrame) -> None:
    X = TRAINING[["x"]].to_numpy(dtype=np.float64)
    for (k, anchor, jitter), group in table.groupby(
        ["Number of centroids", "Where seeds come from", "Seed jitter"]
    ):
        labelings = []
        for _, row in group.iterrows():
            labels = nearest(X, pick(X, int(k), str(anchor), float(jitter), int(row["Seed"])))
            labelings.append(labels)
            means = {j: X[labels == j, 0].mean() for j in np.unique(labels)}
            by_hand = sum((x - means[j]) ** 2 for x, j in zip(X[:, 0], labels, strict=True))
            assert row["Inertia"] == pytest.approx(by_hand, rel=1e-12)
        ari = np.mean([adjusted_rand_score(a, b) for a, b in itertools.combinations(labelings, 2)])
        assert group[SEED_AGREEMENT].tolist() == pytest.approx([ari] * len(SEEDS), rel=1e-12)
        spread = np.std(group["Average Deviation"].to_numpy(), ddof=1)
        assert group[METRIC_SPREAD].tolist() == pytest.approx([spread] * len(SEEDS), rel=1e-12)


def test_one_seed_per_configuration_has_no_spread_or_agreement() -> None:
    config = modules.run_module("pick_seeds", {}, {})["untrained_model"]
    out = modules.run_module(
        "sweep_clustering",
        {"sweep_mode": "random", "max_runs": 1, "sweep_metric": "average_deviation"},
        {"untrained_model": config, "dataset": TRAINING},
    )
    row = out["sweep_results"].iloc[0]
    assert np.isnan(row[METRIC_SPREAD]) and np.isnan(row[SEED_AGREEMENT])
    assert np.isfinite(row["Inertia"])


def test_inertia_leaves_noise_out_and_weighs_rows() -> None:
    X = np.array([[0.0], [2.0], [10.0], [11.0], [500.0]])
    labels = np.array([0, 0, 1, 1, -1])
    assert within_cluster_sum_of_squares(X, labels) == pytest.approx(1 + 1 + 0.25 + 0.25)
    # weights 3, 1 on cluster 0: mean 0.5, 3·0.25 + 1·2.25; cluster 1 unweighted (weights 1)
    weights = np.array([3.0, 1.0, 1.0, 1.0, 9.0])
    assert within_cluster_sum_of_squares(X, labels, weights) == pytest.approx(3.0 + 0.5)
    assert np.isnan(within_cluster_sum_of_squares(X, np.full(5, -1)))
    # chunks give the sum of the whole
    assert within_cluster_sum_of_squares(X, labels, chunk=2) == pytest.approx(2.5)
