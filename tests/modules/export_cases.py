"""Models for the export tests, trained by the studio itself, and the studio's own scoring of rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from modules.algorithms.kmeans import KMeansConfig, KMeansModel
from modules.features import FeatureColumn, FeatureSpace
from modules.samples import load_sample
from modules.trained_model import TrainedClusterModel
from tests.modules.helpers import assign, kmeans, train

IRIS = load_sample("sample-iris")
IRIS_NUMERIC = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def mixed_table(n: int = 80, seed: int = 0) -> pd.DataFrame:
    """Every kind of feature column: numeric, boolean, datetime and string."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.normal(50.0, 20.0, n),
            "member": rng.integers(0, 2, n).astype(bool),
            "joined": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s"),
            "region": rng.choice(["north", "south", "east", "west"], n),
        }
    )


def with_gaps(df: pd.DataFrame) -> pd.DataFrame:
    """New rows to score: a missing and an infinite number, and a category never seen in training."""
    out = df.copy()
    out.loc[1, "amount"] = np.nan
    out.loc[2, "amount"] = np.inf
    out.loc[3, "region"] = "the moon"
    return out


@dataclass
class Case:
    name: str
    trained: TrainedClusterModel
    rows: pd.DataFrame  # rows to score with it


def trained_on(
    df: pd.DataFrame, columns: list[str], *, k: int, normalize: bool, metric: str
) -> TrainedClusterModel:
    config = kmeans(n_clusters=k, seed=7, init="kmeans++", normalize=normalize, metric=metric)
    return train(df, config, column_set={"names": columns})["trained_model"]


def studio_cases(metric: str) -> list[Case]:
    """Iris (numeric only, and with the species one-hot) and the mixed table, normalised and not."""
    cases = []
    for normalize in (True, False):
        tag = f"{metric}-{'normalised' if normalize else 'raw'}"
        cases.append(
            Case(f"iris-{tag}", trained_on(IRIS, IRIS_NUMERIC, k=3, normalize=normalize, metric=metric), IRIS)
        )
        with_species = IRIS_NUMERIC + ["species"]
        cases.append(
            Case(
                f"iris-species-{tag}",
                trained_on(IRIS, with_species, k=4, normalize=normalize, metric=metric),
                IRIS,
            )
        )
        mixed = mixed_table()
        model = trained_on(mixed, list(mixed.columns), k=3, normalize=normalize, metric=metric)
        cases.append(Case(f"mixed-{tag}", model, with_gaps(mixed_table(40, seed=1))))
    return cases


def studio_scores(trained: TrainedClusterModel, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """What Assign Data to Clusters gives: the assignments (−1 where unassigned) and the scores."""
    results = assign(rows, trained, append=False)
    labels = results["Assignments"].fillna(-1).to_numpy(dtype=np.int64)
    return labels, results.iloc[:, 1:].to_numpy(dtype=np.float64)


def hand_model(*, normalize: bool) -> TrainedClusterModel:
    """Two clusters over a numeric column ``x`` and a one-hot column ``c`` (categories a, b).

    Raw features are ``[x, c=a, c=b]``. Normalised, ``x`` becomes ``(x - 1) / 2`` and the one-hot
    features ``(v - 0) / 1``. Centres: ``[0, 1, 0]`` and ``[4, 0, 1]`` in the (normalised) space.
    """
    space = FeatureSpace(
        [FeatureColumn("x", "numeric"), FeatureColumn("c", "onehot", ["a", "b"])],
        np.array([1.0, 0.0, 0.0]) if normalize else None,
        np.array([2.0, 1.0, 1.0]) if normalize else None,
    )
    model = KMeansModel(
        centroids=np.array([[0.0, 1.0, 0.0], [4.0, 0.0, 1.0]]),
        metric="euclidean",
        init="first_n",
        max_iterations=10,
        iterations_run=1,
        converged=True,
        inertia=0.0,
    )
    config = KMeansConfig(n_clusters=2, normalize=normalize, seed=0)
    return TrainedClusterModel(model, space, config, 0, np.array([2, 1]), 0.0, 3)


#: Three rows, their clusters and their distances, worked out by hand for :func:`hand_model`.
#: Raw x of 1, 9 and 3 normalise to 0, 4 and 1; the raw model gets 0, 4 and 1 directly.
HAND_ROWS = {
    True: pd.DataFrame({"x": [1.0, 9.0, 3.0], "c": ["a", "b", "zebra"]}),
    False: pd.DataFrame({"x": [0.0, 4.0, 1.0], "c": ["a", "b", "zebra"]}),
}
# row 1: [0, 1, 0] → 0 and √(16 + 1 + 1); row 2: [4, 0, 1] → √18 and 0;
# row 3 (unseen category: no one-hot bit): [1, 0, 0] → √(1 + 1) and √(9 + 1).
HAND_LABELS = np.array([0, 1, 0])
HAND_SCORES = np.sqrt(np.array([[0.0, 18.0], [18.0, 0.0], [2.0, 10.0]]))
