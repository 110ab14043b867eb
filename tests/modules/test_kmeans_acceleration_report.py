"""The Train node log says which assignment pass K-Means ran and what share of distances it skipped."""

from __future__ import annotations

import numpy as np
import pandas as pd

import modules
from modules.algorithms.kmeans import KMeansModel
from tests.modules.helpers import kmeans, train


def _blobs(n_rows: int, n_features: int, n_centres: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    centres = rng.random((n_centres, n_features)) * 10
    X = centres[rng.integers(0, n_centres, n_rows)] + rng.standard_normal((n_rows, n_features)) * 0.3
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(n_features)])


def test_a_large_fit_reports_the_bounds_and_the_share_they_skipped() -> None:
    ctx = modules.RunContext()
    out = train(_blobs(6000, 8, 8), kmeans(n_clusters=8, init="first_n", seed=0), ctx=ctx)
    model = out["trained_model"].model
    assert model.acceleration == "hamerly" and 0.0 < model.skipped_fraction < 1.0
    line = next(entry for entry in ctx.logs if "K-Means (k=8" in entry)
    assert f"Hamerly bounds skipped {100 * model.skipped_fraction:.1f} % of distance computations" in line


def test_a_small_fit_reports_plain_lloyd() -> None:
    ctx = modules.RunContext()
    out = train(pd.DataFrame({"x": [0.0, 4.0, 5.0, 12.0]}), kmeans(n_clusters=2, init="first_n"), ctx=ctx)
    assert out["trained_model"].model.acceleration == "lloyd"
    assert any("plain Lloyd passes (every row-centroid distance computed)" in entry for entry in ctx.logs)


def test_state_round_trips_and_older_state_loads_with_defaults() -> None:
    model = KMeansModel(
        centroids=np.array([[0.0, 1.0], [2.0, 3.0]]),
        metric="euclidean",
        init="first_n",
        max_iterations=100,
        iterations_run=7,
        converged=True,
        inertia=1.5,
        acceleration="hamerly",
        skipped_fraction=0.873,
    )
    meta, arrays = model.to_state()
    back = KMeansModel.from_state(dict(meta), arrays)
    assert (back.acceleration, back.skipped_fraction) == ("hamerly", 0.873)
    assert back.fit_report() == (
        "metric=euclidean: 7 iterations, converged; Hamerly bounds skipped 87.3 % of distance computations"
    )
    older = {key: value for key, value in meta.items() if key not in ("acceleration", "skipped_fraction")}
    loaded = KMeansModel.from_state(older, arrays)
    assert (loaded.acceleration, loaded.skipped_fraction) == ("lloyd", 0.0)
