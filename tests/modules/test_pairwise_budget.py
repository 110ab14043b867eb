"""The pairwise memory budget (modules.limits): an algorithm whose fit needs memory growing with the
square of the rows states its cost in ``check_matrix``, and Train and Sweep refuse a too-large input with
0160 before fitting. The algorithm here is a toy defined in this file (first k rows as fixed centres)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pytest

import modules
from modules.algorithms.base import Candidate, ClusterConfig, ClusterModel, Fit, FitControl
from modules.limits import MAX_PAIRWISE_BYTES, check_pairwise_budget, condensed_distance_bytes
from modules.samples import load_sample

IRIS = load_sample("sample-iris")


@dataclass
class PairwiseToyConfig(ClusterConfig):
    algorithm: ClassVar[str] = "pairwise_toy"
    algorithm_name: ClassVar[str] = "Pairwise toy"

    budget: int = 1000
    normalize: bool = False
    assign_label_mode: str = "ignore"

    def candidates(self, base_seed: int) -> list[Candidate]:
        return [Candidate(2, "first_rows", base_seed)]

    def training_candidate(self) -> Candidate:
        return Candidate(2, "first_rows", 0)

    def check_matrix(self, X: np.ndarray, rows: np.ndarray | None) -> None:
        check_pairwise_budget(
            len(X), condensed_distance_bytes, "The toy's distance matrix", budget=self.budget
        )

    def fit(self, X: np.ndarray, candidate: Candidate, init_labels: Any, control: FitControl) -> Fit:
        model = PairwiseToyModel(X[: candidate.n_clusters].copy())
        return Fit(model, model.assign(X))


@dataclass(eq=False)
class PairwiseToyModel(ClusterModel):
    algorithm: ClassVar[str] = "pairwise_toy"
    score_column_prefix: ClassVar[str] = "DistanceToToyRow no."

    centres: np.ndarray

    @property
    def k(self) -> int:
        return len(self.centres)

    def scores(self, X: np.ndarray) -> np.ndarray:
        return np.linalg.norm(X[:, None, :] - self.centres[None, :, :], axis=2)

    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        nan = float("nan")
        return {"average_deviation": nan, "simplified_silhouette": nan, "davies_bouldin": nan, "dunn": nan}

    def summary(self) -> dict[str, Any]:
        return {}

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"centres": self.centres}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> PairwiseToyModel:
        return cls(arrays["centres"])


# Found by tests/modules/test_errors.py (module, params, inputs, ctx, code, message fragments).
ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    (
        module,
        {},
        {"untrained_model": lambda: PairwiseToyConfig(budget=1000), "dataset": IRIS},
        {},
        "0160",
        [
            "150 training rows",
            "87.3 KiB",
            "1000 bytes",
            "STUDIO_MAX_PAIRWISE_BYTES",
            "At most 16 rows",
            "Split Data",
        ],
    )
    for module in ("train_clustering_model", "sweep_clustering")
]


def test_condensed_distance_bytes() -> None:
    assert [condensed_distance_bytes(n) for n in (0, 1, 2, 3, 10_000)] == [0, 0, 8, 24, 399_960_000]


def test_within_the_budget_passes_and_beyond_it_names_the_most_rows_that_fit() -> None:
    check_pairwise_budget(16, condensed_distance_bytes, "A matrix", budget=960)  # 16·15/2·8 = 960
    with pytest.raises(modules.ModuleError) as refused:
        check_pairwise_budget(100, condensed_distance_bytes, "A matrix", budget=960)
    assert refused.value.code == "0160"
    assert refused.value.message == (
        "A matrix of 100 training rows needs 38.7 KiB, more than the memory budget of 960 bytes "
        "(STUDIO_MAX_PAIRWISE_BYTES). At most 16 rows fit: train on a sample, e.g. Split Data with a "
        "fraction of at most 0.16 in front of the trainer."
    )


def test_the_default_budget_is_2_gib_and_holds_the_condensed_matrix_of_23170_rows() -> None:
    assert MAX_PAIRWISE_BYTES == 2 * 1024**3
    check_pairwise_budget(23_170, condensed_distance_bytes, "A matrix")
    with pytest.raises(modules.ModuleError, match="At most 23,170 rows fit"):
        check_pairwise_budget(23_171, condensed_distance_bytes, "A matrix")


def test_the_budget_is_read_from_the_environment() -> None:
    env = {**os.environ, "STUDIO_MAX_PAIRWISE_BYTES": "12345"}
    code = "from modules.limits import MAX_PAIRWISE_BYTES; print(MAX_PAIRWISE_BYTES)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "12345"


def test_train_refuses_before_fitting_and_trains_within_the_budget() -> None:
    with pytest.raises(modules.ModuleError) as refused:
        modules.run_module(
            "train_clustering_model", {}, {"untrained_model": PairwiseToyConfig(budget=1000), "dataset": IRIS}
        )
    assert refused.value.code == "0160" and "At most 16 rows" in refused.value.message
    out = modules.run_module(
        "train_clustering_model",
        {},
        {"untrained_model": PairwiseToyConfig(budget=condensed_distance_bytes(150)), "dataset": IRIS},
    )
    assert out["trained_model"].k == 2
