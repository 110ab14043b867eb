"""Small data sets shared by the engine tests."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_blobs


def _blobs() -> np.ndarray:
    X, _ = make_blobs(n_samples=3000, n_features=6, centers=7, cluster_std=1.5, random_state=3)
    return X


DATASETS = {
    "iris": lambda: load_iris().data,
    "wine": lambda: load_wine().data,
    "breast_cancer": lambda: load_breast_cancer().data,
    "blobs": _blobs,
}


@pytest.fixture(params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest) -> np.ndarray:
    return np.ascontiguousarray(DATASETS[request.param](), dtype=np.float64)


@pytest.fixture
def uniform() -> np.ndarray:
    """Rows spread evenly: Lloyd needs many passes, chunk boundaries are crossed (n % 256 != 0)."""
    return np.random.default_rng(7).random((2053, 5))
