"""K-means clustering by Lloyd's algorithm (Euclidean, or spherical k-means under cosine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from modules.engine import _kernels, _scoring_kernels
from modules.engine._mstep import centroids_from_sums, relocate_empty_clusters
from modules.engine._options import (
    absolute_tolerance,
    check_n_init,
    check_tol,
    column_sums,
    restart_seeds,
    same_clustering,
)
from modules.engine._passes import AssignmentPasses
from modules.engine._validation import (
    check_centroids,
    check_data,
    check_dtype,
    check_enough_distinct_rows,
    check_finite_sums,
    check_metric,
    check_sample_weight,
    check_zero_rows,
    unit_rows,
)
from modules.engine.distances import (
    _assign,
    _distance_to_own,
    _row_sq_norms,
    _score_offsets,
    nearest_and_distances,
    score_target,
)
from modules.engine.initialization import (
    _initial_centroids,
    check_init,
    check_init_labels,
    check_n_clusters,
)
from modules.errors import Cancelled, ModuleError

MAX_SEED = 2**32 - 1
ALGORITHMS = ("auto", "lloyd", "hamerly", "yinyang")


@dataclass
class KMeansFit:
    """The result of :func:`fit_kmeans`."""

    centroids: np.ndarray  # (k, d) float64; unit-length rows under cosine
    labels: np.ndarray  # (n,) int64 in 0..k-1, the nearest centroid of each row
    n_iter: int  # Lloyd passes done
    converged: bool  # stopped because no assignment changed
    inertia: float  # sum of (weighted) squared Euclidean distances to the own centroid; cosine: of (1 - cos)
    algorithm: str = "lloyd"  # "hamerly" / "yinyang" if some pass ran with those bounds, else "lloyd" (plain)
    skipped_fraction: float = 0.0  # share of the n * k row-centroid distances of all passes not computed


@dataclass
class RowScores:
    """What :func:`fit_kmeans` fills when asked to score the rows it fitted (``score=``): every row's
    distances to the returned centroids and its nearest one, exactly as :func:`nearest_and_distances`
    gives them with the same ``out`` and ``columns``."""

    out: np.ndarray | None = None  # (k, N) C-contiguous float64, or None: a new (k, n) array
    columns: np.ndarray | None = None  # row i's distances go to out[:, columns[i]]; None: column i
    labels: np.ndarray | None = None  # filled: (n,) int64, the argmin of each row's distances
    #: False: the fit's own labels are not kept (one (n,) array less at the peak): the fit's ``labels``
    #: are then these ``labels``, which differ from the fit's only where a row's nearest centroids are
    #: within rounding of each other (one run scored in the fit's final pass; else no effect).
    keep_fit_labels: bool = True


def fit_kmeans(  # noqa: C901 - the public API: every option checked in one place
    X: object,
    n_clusters: int,
    *,
    init: str = "kmeans++",
    metric: str = "euclidean",
    seed: int = 0,
    max_iter: int = 100,
    init_labels: object = None,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    tol: float = 0.0,
    n_init: int = 1,
    sample_weight: object = None,
    dtype: type = np.float64,
    init_centroids: object = None,
    algorithm: str = "auto",
    score: RowScores | None = None,
) -> KMeansFit:
    """Cluster the rows of X (no missing values) into ``n_clusters`` by Lloyd's algorithm.

    Each pass assigns every row to its nearest centroid and moves every centroid to the mean of its
    rows (under cosine: the normalised mean of the rows' unit vectors); a centroid left without rows
    is re-seeded at the row farthest from its own centroid. It stops when no assignment changes (or the
    centroids no longer move), when the centroids moved by at most the tolerance, or after ``max_iter``
    passes; the returned labels are the nearest centroids of the returned centroids.
    ``progress(fraction)`` is called after every pass and with 1.0 at the end; ``should_stop()`` is
    polled before every pass and True raises ``Cancelled``.

    The options mean what they mean in scikit-learn's ``KMeans``:

    * ``tol`` (>= 0) is relative: the fit also stops once the sum over clusters of the squared centroid
      shift is at most ``tol`` times the mean of the per-feature variances of X (unweighted, as
      scikit-learn computes it). 0 keeps "until no label changes".
    * ``n_init`` restarts from as many initialisations (seeds: ``seed`` first, then derived from it)
      and keeps the lowest inertia; a later restart replaces the best only when its inertia is
      strictly lower and its partition differs (ties keep the first).
    * ``sample_weight`` (n,) finite, >= 0, not all zero: weighted means in the M-step, inertia
      ``sum w * d^2``, a cluster is empty when its weight is 0; k-means++ draws rows in proportion to
      ``w * D^2`` (see :func:`modules.engine.initialization._initial_centroids` for each init).
    * ``dtype=np.float32`` holds X in float32 (converted once: half the memory of float64). The kernels
      widen each block of rows to float64, so Lloyd's sums, distances and centroids are float64
      arithmetic on the float32-rounded data: the fit equals the float64 fit of ``X.astype(float32)``
      (under cosine the float32 data are the unit rows; k-means++ / k-means|| seeding distances
      come from float32 products). Centroids and inertia
      agree with scikit-learn's float32 fit to float32 precision (~1e-6 relative).
    * ``init_centroids`` (k, d) is an explicit start: ``init``, ``init_labels`` and ``n_init`` are
      then not used (one run, as scikit-learn does for an array ``init``).
    * ``algorithm``: "lloyd" scores every row against every centroid each pass; "hamerly" skips the
      rows whose distance bounds prove their label; "yinyang" also keeps a bound per group of
      centroids and scores only the groups that may hold a nearer one (Hamerly's bounds instead when
      its group bounds would not fit a set memory budget); "auto" picks per fit. All give the same
      result, bit for bit.

    With ``score`` the rows are also scored against the returned centroids (``score.out`` and
    ``score.labels`` as :func:`nearest_and_distances` gives them): for one Euclidean float64 run in the
    fit's last pass over the data (the final E-step), otherwise after the fit.

    Raises ModuleError 0021 when X has fewer distinct rows than clusters, 0018 for a zero row under
    cosine, 0024 for ``label_column`` without ``init_labels``; ValueError for an invalid option. Same
    input and seed, same result, bit for bit.
    """
    precision = check_dtype(dtype)
    data = check_data(X, check_finite=False, dtype=precision)  # checked below, on sums computed anyway
    n_rows, n_features = data.shape
    cosine = check_metric(metric)
    n_clusters = check_n_clusters(n_clusters)
    check_init(init)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an int in 0..{MAX_SEED}, got {seed!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
    relative_tol = check_tol(tol)
    n_runs = check_n_init(n_init)
    weights = check_sample_weight(sample_weight, n_rows)
    start = None
    if init_centroids is not None:
        start = check_centroids(init_centroids, n_features)
        if start.shape[0] != n_clusters:
            raise ValueError(f"init_centroids has {start.shape[0]} rows but n_clusters={n_clusters}")
        n_runs = 1
    labels = check_init_labels(init_labels, n_rows) if init == "label_column" and start is None else None
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    if score is not None:
        score.out, columns = score_target(score.out, score.columns, n_rows, n_clusters)
        score.columns = columns if score.columns is not None else None
    _check_stop(should_stop)
    unscaled = data  # the rows as given (cosine replaces data by its unit rows)

    if cosine:
        sq_norms = _row_sq_norms(data)
        check_finite_sums(data, sq_norms)
        check_zero_rows(data, sq_norms)
        data = unit_rows(data, sq_norms).astype(precision, copy=False)
        del sq_norms
        shift = np.zeros(n_features)
        if start is not None:
            start = _unit_start(start)
    else:
        sums = column_sums(data)
        check_finite_sums(data, sums)
        # Euclidean k-means runs on the centred data, as scikit-learn does: it keeps ||c||^2 - 2 x.c
        # accurate. The kernels subtract the mean chunk by chunk, so X is not copied.
        shift = sums / n_rows  # bit for bit data.mean(axis=0) for float64 data
    if start is None:
        check_enough_distinct_rows(data, n_clusters)
    elif n_rows < n_clusters:
        raise ModuleError("0021", f"n_clusters={n_clusters} needs at least {n_clusters} rows, got {n_rows}")
    absolute_tol = 0.0
    if relative_tol > 0.0:
        absolute_tol = absolute_tolerance(data, data.mean(axis=0) if cosine else shift, relative_tol)

    # One Euclidean float64 run scores the rows in its final pass; otherwise they are scored at the end.
    score_in_fit = (
        score if score is not None and not cosine and precision is np.float64 and n_runs == 1 else None
    )
    best: KMeansFit | None = None
    for run, run_seed in enumerate(restart_seeds(int(seed), n_runs)):
        if start is not None:
            centroids = start
        else:
            rng = np.random.default_rng(run_seed)
            centroids = _initial_centroids(data, n_clusters, init, rng, cosine, labels, weights)
        fit = _lloyd(
            data,
            shift,
            centroids if cosine else centroids - shift,
            cosine,
            int(max_iter),
            _run_progress(progress, run, n_runs),
            should_stop,
            tol=absolute_tol,
            weights=weights,
            algorithm=algorithm,
            score=score_in_fit,
        )
        if not cosine:
            fit.centroids += shift
        if best is None or (
            fit.inertia < best.inertia and not same_clustering(fit.labels, best.labels, n_clusters)
        ):
            best = fit
    assert best is not None
    if score is not None and score_in_fit is None:
        score.labels, _ = nearest_and_distances(
            unscaled if precision is np.float64 else X,
            best.centroids,
            metric,
            out=score.out,
            columns=score.columns,
        )
    return best


def _unit_start(start: np.ndarray) -> np.ndarray:
    norms = np.einsum("ij,ij->i", start, start)
    if not (norms > 0.0).all():
        raise ValueError("init_centroids has a zero row, which has no direction under the cosine metric")
    return start / np.sqrt(norms)[:, None]


def _run_progress(
    progress: Callable[[float], None] | None, run: int, n_runs: int
) -> Callable[[float], None] | None:
    """Progress of one restart as a share of all of them."""
    if progress is None or n_runs == 1:
        return progress
    return lambda fraction: progress((run + fraction) / n_runs)


def _check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled()


def _lloyd(
    X: np.ndarray,
    shift: np.ndarray,
    centroids: np.ndarray,
    cosine: bool,
    max_iter: int,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    tol: float = 0.0,
    weights: np.ndarray | None = None,
    algorithm: str = "auto",
    trace: Callable[[np.ndarray, np.ndarray], None] | None = None,
    score: RowScores | None = None,
) -> KMeansFit:
    """Lloyd iterations on ``X - shift`` from ``centroids``; X valid (unit rows under cosine).

    ``tol`` is absolute: the fit also converges once the squared centroid shifts summed over clusters
    are ``<= tol`` (scikit-learn's ``center_shift_tot``), then a final E-step. ``weights`` (float64,
    >= 0) weight the rows in the M-step, the empty-cluster rule and the inertia. ``algorithm``: see
    :func:`_passes.choose_algorithm`. ``trace(labels, centroids)``, if given, receives copies of every
    pass's labels and the centroids computed from them (for the tests). With ``score`` (Euclidean; its
    ``out`` and ``columns`` checked: int64 or None) the final E-step also scores the rows against the returned
    centroids ``centroids + shift``: see :func:`_final_pass_with_scores`.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    passes = AssignmentPasses(X, shift, centroids.shape[0], cosine, weights, algorithm)
    converged = labels_fit_new_centroids = False
    reported = 0.0
    n_iter = 0
    for iteration in range(max_iter):
        _check_stop(should_stop)
        n_changed = passes.run(centroids)
        labels = passes.labels
        sums, totals = passes.sums_and_totals()
        if not totals.all():
            relocate_empty_clusters(X, shift, centroids, labels, sums, totals, cosine, weights)
        new_centroids = centroids_from_sums(sums, totals, centroids, cosine)
        n_iter = iteration + 1
        if trace is not None:
            trace(labels.copy(), new_centroids.copy())
        if progress is not None:
            reported = n_iter / max_iter
            progress(reported)
        # Centroids that did not move give the same labels next pass: no final E-step needed.
        labels_fit_new_centroids = np.array_equal(new_centroids, centroids)
        converged = _converged(n_changed, labels_fit_new_centroids, centroids, new_centroids, tol)
        centroids = new_centroids
        if converged:
            break

    algorithm_ran, skipped_fraction = passes.algorithm_ran, passes.skipped_fraction
    del passes  # its bounds and buffers are not needed for the final step: keep the peak low
    labels, inertia = _final_step(
        X, shift, centroids, labels, labels_fit_new_centroids, cosine, weights, score
    )
    if progress is not None and reported < 1.0:
        progress(1.0)
    return KMeansFit(
        centroids=centroids,
        labels=labels,
        n_iter=n_iter,
        converged=converged,
        inertia=inertia,
        algorithm=algorithm_ran,
        skipped_fraction=skipped_fraction,
    )


def _final_step(
    X: np.ndarray,
    shift: np.ndarray,
    centroids: np.ndarray,
    labels: np.ndarray,
    labels_hold: bool,
    cosine: bool,
    weights: np.ndarray | None,
    score: RowScores | None,
) -> tuple[np.ndarray, float]:
    """The labels of the returned centroids and the inertia: the (weighted) squared distances (cosine:
    the distances) of the rows to their centroids, summed chunk by chunk (:func:`chunk_inertia`).
    ``labels`` are kept when they still hold (the centroids did not move), else a final E-step."""
    chunk_rows = _kernels.CHUNK_ROWS
    per_chunk = np.empty(-(-X.shape[0] // chunk_rows))
    no_weights = np.empty(0) if weights is None else weights
    if score is not None:
        labels = _final_pass_with_scores(
            X, shift, centroids, labels, labels_hold, no_weights, per_chunk, score
        )
    else:
        if labels_hold:
            distances = _distance_to_own(X, centroids, labels, cosine, shift=shift)
        else:
            labels, distances = _assign(X, centroids, cosine, shift)
        if not cosine:
            np.square(distances, out=distances)
        _scoring_kernels.chunk_inertia(distances, no_weights, chunk_rows, per_chunk)
    return labels, float(per_chunk.sum())


def _converged(n_changed: int, unmoved: bool, old: np.ndarray, new: np.ndarray, tol: float) -> bool:
    """No label changed (scikit-learn's strict convergence), or the centroids did not move (its tol=0
    test), or with tol > 0 the squared moves summed over clusters are <= tol (its ``center_shift_tot``,
    computed the same way)."""
    if n_changed == 0 or unmoved:
        return True
    if tol <= 0.0:
        return False
    shifts = np.sqrt(((new - old) ** 2).sum(axis=1))
    return float((shifts**2).sum()) <= tol


# The final pass takes a row's label from its scores when the nearest centroid beats the next by more
# than this many units of (d + 2) * 2^-53 * (||x|| + ||shift|| + max ||c|| + max ||c - shift||)^2 in
# squared distance: about ten times a bound on the rounding of both ways of computing it (the GEMM
# products, the norms, the centring of the rows and of the centroids, the square roots).
_MARGIN_UNITS = 128.0


def _final_pass_with_scores(
    X: np.ndarray,
    shift: np.ndarray,
    centroids: np.ndarray,
    labels: np.ndarray,
    known: bool,
    weights: np.ndarray,
    chunk_inertia: np.ndarray,
    score: RowScores,
) -> np.ndarray:
    """The final E-step of a Euclidean fit and the scoring of its rows, in one pass over X.

    ``centroids`` are centred (the fit's); the rows are scored against ``centroids + shift``, the
    centroids :func:`fit_kmeans` returns. ``labels`` (the last pass's) are kept when ``known`` (they
    still hold), else overwritten in place by this pass's, which it returns (without
    ``score.keep_fit_labels``, overwritten by the scoring's labels, which are then returned).
    ``chunk_inertia`` receives the inertia chunk by chunk (``weights``: empty for none), as
    :func:`_final_step` sums it.
    """
    assert score.out is not None
    columns = np.empty(0, dtype=np.int64) if score.columns is None else score.columns
    n, d = X.shape
    centers = centroids + shift
    center_sq_norms = np.einsum("ij,ij->i", centers, centers)
    # A row at distance r from its nearest centroid c has ||x|| <= r + ||c||: the rounding of both sides
    # is bounded through r + 2 max ||c|| + ||shift|| + max ||c - shift|| (see fit_labels_and_scores).
    center_norm = float(np.sqrt(center_sq_norms.max()))
    centred_norm = float(np.sqrt(np.einsum("ij,ij->i", centroids, centroids).max()))
    margin_base = (2.0 * center_norm + float(np.sqrt(shift @ shift)) + centred_norm) * (1.0 + 2.0**-20)
    score.labels = np.empty(n, dtype=np.int64) if score.keep_fit_labels else labels
    with _kernels.parallel_section():
        _scoring_kernels.fit_labels_and_scores(
            X,
            shift,
            centroids,
            np.ascontiguousarray(centroids.T),
            _score_offsets(centroids, False),
            np.ascontiguousarray(centers.T),
            center_sq_norms,
            _MARGIN_UNITS * (d + 2) * 2.0**-53,
            margin_base,
            known,
            labels,
            score.keep_fit_labels,
            weights,
            chunk_inertia,
            columns,
            score.labels,
            score.out,
            _kernels.CHUNK_ROWS,
            _kernels.n_workers(),
        )
    return labels
