"""fit_kmeans(score=RowScores(...)): the fit also scores its rows, and everything it returns is what a
fit followed by nearest_and_distances gives, bit for bit (the final pass shares its arithmetic)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from modules.engine import fit_kmeans
from modules.engine.distances import nearest_and_distances
from modules.engine.kmeans import RowScores


def _shapes() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    blobs = np.repeat(rng.normal(size=(6, 4)) * 6.0, 700, axis=0) + rng.normal(size=(4200, 4))
    return {
        # 2000 rows: a last chunk shorter than the others
        "uniform": rng.random((2000, 20)),
        # exact ties between centroids everywhere: every chunk takes the Lloyd pass's scores again
        "integer grid": rng.integers(1, 5, (3000, 3)).astype(float),
        "blobs": blobs,
        "duplicates": np.repeat(rng.random((40, 5)), 30, axis=0),
        "large offset": rng.random((1500, 6)) + 1e6,
    }


def _compare(X: np.ndarray, k: int, **options: Any) -> None:
    plain = fit_kmeans(X, k, **options)
    target = RowScores()
    scored = fit_kmeans(X, k, score=target, **options)
    assert np.array_equal(scored.centroids, plain.centroids)
    assert np.array_equal(scored.labels, plain.labels)
    assert scored.inertia == plain.inertia
    assert (scored.n_iter, scored.converged) == (plain.n_iter, plain.converged)
    labels, distances_t = nearest_and_distances(X, plain.centroids, options.get("metric", "euclidean"))
    assert target.labels is not None and target.out is not None
    assert np.array_equal(target.labels, labels)
    assert np.array_equal(target.out, distances_t)
    # Without the fit's own labels: the same fit, the scoring's labels returned in their place.
    lean = RowScores(keep_fit_labels=False)
    leaner = fit_kmeans(X, k, score=lean, **options)
    assert np.array_equal(leaner.centroids, plain.centroids)
    assert leaner.inertia == plain.inertia
    assert lean.labels is not None and np.array_equal(lean.labels, labels)
    assert leaner.labels is lean.labels or not _scored_in_fit(options)
    assert np.array_equal(lean.out, distances_t)


def _scored_in_fit(options: dict[str, Any]) -> bool:
    """Whether the fit scores its rows in its final pass (one Euclidean float64 run)."""
    return (
        options.get("metric", "euclidean") == "euclidean"
        and options.get("n_init", 1) == 1
        and (options.get("dtype", np.float64) is np.float64)
    )


@pytest.mark.parametrize("shape", list(_shapes()))
@pytest.mark.parametrize("k", [1, 3, 20])
def test_scores_and_fit_equal_a_fit_then_scoring(shape: str, k: int) -> None:
    _compare(_shapes()[shape], k, init="kmeans++", seed=3, max_iter=8)


@pytest.mark.parametrize("max_iter", [1, 100])  # stopped by the limit, and converged (labels kept)
def test_converged_and_stopped_fits(max_iter: int) -> None:
    _compare(_shapes()["blobs"], 6, init="first_n", max_iter=max_iter)


@pytest.mark.parametrize(
    "options",
    [
        {"sample_weight": np.linspace(0.0, 2.0, 2000)},
        {"tol": 1e-3},
        {"algorithm": "hamerly"},
        {"metric": "cosine"},  # scored after the fit
        {"dtype": np.float32},  # scored after the fit
        {"n_init": 3},  # scored after the fit
    ],
    ids=lambda options: next(iter(options)),
)
def test_options(options: dict[str, Any]) -> None:
    _compare(_shapes()["uniform"], 7, init="kmeans++", seed=1, max_iter=10, **options)


def test_scores_scattered_into_a_larger_table() -> None:
    X = _shapes()["uniform"]
    columns = np.arange(len(X), dtype=np.int64) * 2 + 1
    out = np.full((5, 2 * len(X) + 1), np.nan)
    target = RowScores(out=out, columns=columns)
    fit = fit_kmeans(X, 5, init="first_n", max_iter=5, score=target)
    expected = np.full_like(out, np.nan)
    labels, _ = nearest_and_distances(X, fit.centroids, out=expected, columns=columns)
    assert target.out is out
    assert np.array_equal(out, expected, equal_nan=True)
    assert target.labels is not None and np.array_equal(target.labels, labels)


def test_a_target_that_does_not_fit_is_refused() -> None:
    X = _shapes()["uniform"]
    with pytest.raises(ValueError, match="rows"):
        fit_kmeans(X, 4, score=RowScores(out=np.empty((3, len(X)))))
    with pytest.raises(ValueError, match="positions"):
        fit_kmeans(X, 4, score=RowScores(columns=np.arange(5)))


def test_rows_the_two_roundings_label_differently_keep_each_its_own() -> None:
    # Far from the origin the scoring's uncentred distances round differently from the fit's centred
    # ones: some rows get another label from each, and each side still equals its own reference.
    X = np.random.default_rng(7).random((1500, 6)) + 1e7
    target = RowScores()
    fit = fit_kmeans(X, 7, init="kmeans++", seed=3, max_iter=8, score=target)
    assert target.labels is not None and (target.labels != fit.labels).any()
    _compare(X, 7, init="kmeans++", seed=3, max_iter=8)
