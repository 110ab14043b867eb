"""Input checks shared by the engine's public functions; private kernels assume their results."""

from __future__ import annotations

import numpy as np

from modules.errors import ModuleError

METRICS = ("euclidean", "cosine")


def check_data(X: object, *, check_finite: bool = True, dtype: type = np.float64) -> np.ndarray:
    """Return X as a C-contiguous (n, d) array of ``dtype`` (float64, or float32 where a caller opts
    in); raise 0003 if empty, 0018 if not finite."""
    data: np.ndarray = np.ascontiguousarray(X, dtype=dtype)
    if data.ndim != 2:
        raise ValueError(f"X must be a 2-D array, got shape {data.shape}")
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise ModuleError("0003", f"the data is empty ({data.shape[0]} rows, {data.shape[1]} columns)")
    if check_finite:
        check_finite_sums(data, data.sum())
    return data


def check_finite_sums(data: np.ndarray, sums: np.ndarray | float) -> None:
    """Raise 0018 naming the first row with a NaN or infinite value, given sums over ``data``.

    A non-finite value makes any sum over it non-finite, so finite ``sums`` (of rows, columns or all)
    clear the data at no extra pass. Finite values whose sum overflows raise 0018 too.
    """
    if np.isfinite(sums).all():
        return
    bad_rows = np.flatnonzero(~np.isfinite(data).all(axis=1))
    if bad_rows.size:
        raise ModuleError("0018", f"row {int(bad_rows[0])} has a missing or infinite feature value")
    raise ModuleError("0018", "the feature values are too large: their sums overflow")


def check_metric(metric: str) -> bool:
    """Return True for cosine, False for euclidean."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    return metric == "cosine"


def check_centroids(centroids: object, n_features: int) -> np.ndarray:
    """Return centroids as a C-contiguous float64 (k, d) array matching the data's width."""
    array = np.ascontiguousarray(centroids, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"centroids must be a non-empty 2-D array, got shape {array.shape}")
    if array.shape[1] != n_features:
        raise ValueError(f"centroids have {array.shape[1]} features but the data has {n_features}")
    if not np.isfinite(array).all():
        raise ValueError("centroids contain NaN or infinite values")
    return array


def check_dtype(dtype: object) -> type:
    """np.float64 or np.float32 (the precisions the engine computes in)."""
    try:
        resolved = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}")
    return np.float64 if resolved == np.dtype(np.float64) else np.float32


def check_sample_weight(sample_weight: object, n_rows: int) -> np.ndarray | None:
    """Row weights as a float64 (n,) array: finite, >= 0 and not all zero; None stays None."""
    if sample_weight is None:
        return None
    weights = np.ascontiguousarray(sample_weight, dtype=np.float64)
    if weights.shape != (n_rows,):
        raise ValueError(f"sample_weight must have shape ({n_rows},), got {weights.shape}")
    bad = np.flatnonzero(~np.isfinite(weights))
    if bad.size:
        raise ValueError(f"sample_weight[{int(bad[0])}] is {weights[bad[0]]}: weights must be finite")
    negative = np.flatnonzero(weights < 0.0)
    if negative.size:
        raise ValueError(f"sample_weight[{int(negative[0])}] is {weights[negative[0]]}: weights must be >= 0")
    if not (weights > 0.0).any():
        raise ValueError("sample_weight is zero for every row: at least one weight must be positive")
    return weights


def check_labels(labels: object, n_rows: int, n_clusters: int) -> np.ndarray:
    """Return labels as an int64 (n,) array with values in 0..k-1."""
    array = np.ascontiguousarray(labels, dtype=np.int64)
    if array.shape != (n_rows,):
        raise ValueError(f"labels must have shape ({n_rows},), got {array.shape}")
    if n_rows and (array.min() < 0 or array.max() >= n_clusters):
        raise ValueError(f"labels must lie in 0..{n_clusters - 1}")
    return array


def check_zero_rows(X: np.ndarray, sq_norms: np.ndarray) -> None:
    """Raise 0018 naming the first all-zero row (it has no direction under the cosine metric)."""
    zero_rows = np.flatnonzero(sq_norms == 0.0)
    if zero_rows.size:
        raise ModuleError(
            "0018",
            f"row {int(zero_rows[0])} has zero length under the cosine metric "
            f"({zero_rows.size} such row{'s' if zero_rows.size > 1 else ''} in all)",
        )


def unit_rows(X: np.ndarray, sq_norms: np.ndarray) -> np.ndarray:
    """A copy of X with every row scaled to unit length (rows must be non-zero)."""
    return X / np.sqrt(sq_norms)[:, None]


def normalize_centroids(centroids: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero."""
    norms = np.sqrt(np.einsum("ij,ij->i", centroids, centroids))
    safe = np.where(norms > 0.0, norms, 1.0)
    return centroids / safe[:, None]


def count_distinct_rows(X: np.ndarray, at_least: int) -> int:
    """Distinct rows in X, counted on growing prefixes and stopping once ``at_least`` are found.

    -0.0 and 0.0 count as the same value.
    """
    n_rows = X.shape[0]
    prefix = min(n_rows, max(4 * at_least, 1024))
    while True:
        n_distinct = _distinct_in(X[:prefix])
        if n_distinct >= at_least or prefix == n_rows:
            return n_distinct
        prefix = min(n_rows, prefix * 8)


def _distinct_in(rows: np.ndarray) -> int:
    canonical = np.ascontiguousarray(rows + 0.0)
    as_bytes = canonical.view(np.dtype((np.void, canonical.dtype.itemsize * canonical.shape[1])))
    return int(np.unique(as_bytes.ravel()).size)


def check_enough_distinct_rows(X: np.ndarray, n_clusters: int) -> None:
    """Raise 0021 when X has fewer distinct rows than clusters."""
    if X.shape[0] < n_clusters:
        raise ModuleError(
            "0021",
            f"n_clusters={n_clusters} needs at least {n_clusters} distinct rows, "
            f"but the data has only {X.shape[0]} rows",
        )
    n_distinct = count_distinct_rows(X, n_clusters)
    if n_distinct < n_clusters:
        raise ModuleError(
            "0021",
            f"n_clusters={n_clusters} needs at least {n_clusters} distinct rows, "
            f"but the data has only {n_distinct} distinct rows",
        )
