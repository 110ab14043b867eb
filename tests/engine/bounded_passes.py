"""Shared by the tests of the bounded passes: a traced fit, and the check that every bounded algorithm
gives plain Lloyd's passes bit for bit."""

from __future__ import annotations

import numpy as np

from modules.engine.kmeans import KMeansFit, _lloyd

BOUNDED = ("hamerly", "yinyang")


def _fit(
    X: np.ndarray,
    init: np.ndarray,
    algorithm: str,
    *,
    cosine: bool = False,
    weights: np.ndarray | None = None,
    tol: float = 0.0,
    max_iter: int = 300,
) -> tuple[KMeansFit, list[tuple[np.ndarray, np.ndarray]]]:
    if cosine:
        X = X / np.linalg.norm(X, axis=1, keepdims=True)
        init = init / np.linalg.norm(init, axis=1, keepdims=True)
        shift = np.zeros(X.shape[1])
    else:
        shift = X.mean(axis=0)
    passes: list[tuple[np.ndarray, np.ndarray]] = []
    fit = _lloyd(
        X,
        shift,
        init - shift,
        cosine,
        max_iter,
        tol=tol,
        weights=weights,
        algorithm=algorithm,
        trace=lambda labels, centroids: passes.append((labels, centroids)),
    )
    return fit, passes


def _assert_identical_passes(X: np.ndarray, init: np.ndarray, **options: object) -> KMeansFit:
    """Every bounded algorithm's passes equal plain Lloyd's; returns the Hamerly fit."""
    plain, plain_passes = _fit(X, init, "lloyd", **options)  # type: ignore[arg-type]
    assert plain.algorithm == "lloyd" and plain.skipped_fraction == 0.0
    fits = {}
    for algorithm in BOUNDED:
        bounded, bounded_passes = _fit(X, init, algorithm, **options)  # type: ignore[arg-type]
        assert bounded.algorithm == algorithm
        assert len(bounded_passes) == len(plain_passes) == plain.n_iter == bounded.n_iter, algorithm
        for number, ((labels, centroids), (expected_labels, expected_centroids)) in enumerate(
            zip(bounded_passes, plain_passes, strict=True), start=1
        ):
            np.testing.assert_array_equal(
                labels, expected_labels, err_msg=f"{algorithm}: labels of pass {number}"
            )
            np.testing.assert_array_equal(
                centroids, expected_centroids, err_msg=f"{algorithm}: centroids of pass {number}"
            )
        np.testing.assert_array_equal(bounded.labels, plain.labels)
        np.testing.assert_array_equal(bounded.centroids, plain.centroids)
        assert (bounded.converged, bounded.inertia) == (plain.converged, plain.inertia)
        assert 0.0 <= bounded.skipped_fraction < 1.0
        fits[algorithm] = bounded
    return fits["hamerly"]


def _blobs(n_rows: int, n_features: int, n_centres: int, spread: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.random((n_centres, n_features))
    return centres[rng.integers(0, n_centres, n_rows)] + spread * rng.standard_normal((n_rows, n_features))
