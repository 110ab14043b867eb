"""The algorithm seam: what Train, Sweep, Assign, Evaluate, the artefact store and the views need from
a clustering algorithm, and nothing more.

An algorithm is two classes, usually in one file (see ``docs/adding-an-algorithm.md``):

* a :class:`ClusterConfig` — its settings before it has seen data (the value on an
  ``untrained_cluster_model`` port): which configurations to train (:meth:`~ClusterConfig.candidates`)
  and how to fit one on a prepared feature matrix (:meth:`~ClusterConfig.fit`);
* a :class:`ClusterModel` — what fitting learnt: ``k`` clusters and, for any feature matrix, each row's
  cluster and score against every cluster (of the model's :attr:`~ClusterModel.score_kind`: a distance,
  lower is nearer, or a probability, higher is nearer), a summary for the views, and its state for the
  portable file.

Noise: a model that :attr:`~ClusterModel.may_assign_noise` labels a row it puts in no cluster
:data:`~modules.results.NOISE_LABEL` (−1). A model without a natural per-cluster score (e.g. a density
clustering) sets :attr:`~ClusterModel.has_scores` False: its results are the ``Assignments`` column
alone, and it labels rows by :meth:`~ClusterModel.assign`. A configuration that finds the number of
clusters itself sets :attr:`~ClusterConfig.decides_k` (its candidates have ``n_clusters`` 0).

Everything around them is shared and algorithm-blind: the features and their normalisation
(:mod:`modules.features`), the trained-model wrapper that carries them with provenance and label
mapping (:class:`~modules.trained_model.TrainedClusterModel`), the result columns
(:mod:`modules.results`), the sweep table (:mod:`modules.sweep_table`). Defining a subclass with an
``algorithm`` name registers it, so saved models of that algorithm load again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from modules.results import DISTANCE, NOISE_LABEL, PROBABILITY, SCORE_KINDS
from modules.sweep_table import NOISE_FRACTION, SWEEP_METRICS, SweepMetric

__all__ = [
    "Candidate",
    "CentreModel",
    "ClusterConfig",
    "ClusterModel",
    "Fit",
    "FitControl",
    "config_class",
    "derive_seeds",
    "input_positions",
    "model_class",
    "registered_sweep_metrics",
    "score_column_kinds",
    "score_column_prefixes",
    "sweep_metric_values",
]

_CONFIGS: dict[str, type[ClusterConfig]] = {}
_MODELS: dict[str, type[ClusterModel]] = {}


@dataclass(frozen=True)
class Candidate:
    """One configuration to train: a number of clusters, how the fit starts, and a seed.

    ``init`` is shown in the sweep results' ``Initialization`` column; ``uses_labels`` says the fit
    starts from the label column (the trainer then passes the rows' label codes).
    """

    n_clusters: int
    init: str = ""
    seed: int | None = None
    uses_labels: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    def with_seed(self, seed: int) -> Candidate:
        return Candidate(self.n_clusters, self.init, seed, self.uses_labels, dict(self.settings))


@dataclass(frozen=True)
class CentreModel:
    """A model that is its cluster centres and a metric, as the portable formats (ONNX, PMML) describe it.

    A row's score against cluster j is the ``metric`` distance from its features (after
    normalisation) to ``centres[j]``: ``"euclidean"`` (not squared) or ``"cosine"`` (1 − cosine
    similarity, clipped to [0, 2]; a zero centre scores 1 against every row).
    """

    centres: np.ndarray  # (k, d) float64, in the model's feature space
    metric: str


@dataclass
class Fit:
    """A fitted model and the cluster of every training row (as the model assigns them)."""

    model: ClusterModel
    labels: np.ndarray  # (m,) int64


@dataclass
class FitControl:
    """What a fit may call back: progress (0 … 1) and whether the run was cancelled."""

    progress: Callable[[float], None] = lambda _fraction: None
    should_stop: Callable[[], bool] = lambda: False


class ClusterConfig(ABC):
    """An algorithm's settings before training (subclass it as a dataclass).

    Every configuration carries ``normalize`` (min-max the features) and ``assign_label_mode`` (what
    scoring does to the label column); the rest is the algorithm's own.
    """

    algorithm: ClassVar[str]
    #: How messages and the views name the algorithm, e.g. "K-Means".
    algorithm_name: ClassVar[str]
    normalize: bool
    assign_label_mode: str
    #: The optional keyword arguments :meth:`fit` takes: ``"sample_weight"`` (a weight column on Train
    #: or Sweep), ``"start"`` (Train's "Start from model"). Others refuse those inputs with 0013.
    fit_options: ClassVar[frozenset[str]] = frozenset()
    #: The fit finds the number of clusters itself (e.g. a density clustering): its candidates have
    #: ``n_clusters`` 0, the module's description and parameter panel say "the number of clusters is
    #: found by the fit", and the sweep table shows the fitted k.
    decides_k: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "algorithm" in cls.__dict__:
            _CONFIGS[cls.algorithm] = cls

    @classmethod  # noqa: B027 - an optional hook
    def warm_up(cls) -> None:
        """Load or compile what fitting needs, so the first real fit does not wait for it."""

    # -- what to train ------------------------------------------------------------------------------

    @abstractmethod
    def candidates(self, base_seed: int) -> list[Candidate]:
        """Every configuration a sweep may train, in run-index order, seeds derived from ``base_seed``."""

    @abstractmethod
    def training_candidate(self) -> Candidate:
        """The one configuration Train Clustering Model fits (its seed None: draw one)."""

    def own_seed(self) -> int | None:
        """The seed the user set on the configuration, if any (sweeps derive theirs from it)."""
        return None

    def train_warning(self) -> str | None:
        """A warning Train shows for this configuration (e.g. a range it only uses the start of)."""
        return None

    def sweep_warning(self) -> str | None:
        """A warning Sweep shows for this configuration (e.g. nothing to sweep)."""
        return None

    def partitioned_refusal(self) -> str | None:
        """Why Train cannot fit this configuration part by part on a partitioned table; None: it can."""
        return f"a {self.algorithm_name} model cannot be trained part by part."

    def fit_partitioned(
        self,
        X: Any,
        candidate: Candidate,
        control: FitControl,
        *,
        client: Any,
        start: np.ndarray | None = None,
    ) -> ClusterModel:
        """Fit one candidate (seed set) on a matrix partitioned by rows on a Dask cluster (``X``: a float64
        ``dask.array`` of the complete rows, normalised, its partition sizes known) without gathering it;
        ``start``: a warm start. Only a configuration whose :meth:`partitioned_refusal` is None can."""
        raise NotImplementedError(self.partitioned_refusal())

    def uses_label_column(self) -> bool:
        """Whether some candidate starts from the label column."""
        return any(c.uses_labels for c in self.candidates(0))

    # -- how to train -------------------------------------------------------------------------------

    def check_matrix(self, X: np.ndarray, rows: np.ndarray | None) -> None:  # noqa: B027 - optional hook
        """Raise ModuleError when the prepared matrix cannot be clustered (``rows``: the input positions
        of X's rows, for the message; None when row i is input row i — see :func:`input_positions`)."""

    @abstractmethod
    def fit(
        self, X: np.ndarray, candidate: Candidate, init_labels: np.ndarray | None, control: FitControl
    ) -> Fit:
        """Fit one candidate (seed set) on the prepared matrix (complete rows, normalised).

        The trainers pass the keyword arguments named in :attr:`fit_options` when they apply:
        ``sample_weight`` (the rows' weights: float64 (m,), >= 0, not all zero) and ``start`` (the
        :meth:`ClusterModel.start_centres` of an earlier model mapped into X's feature space: a warm
        start, the candidate's initialisation is then not used).
        """

    def fit_and_score(
        self,
        X: np.ndarray,
        candidate: Candidate,
        init_labels: np.ndarray | None,
        control: FitControl,
        *,
        rows: np.ndarray | None,
        out: np.ndarray | None = None,
        columns: np.ndarray | None = None,
        **options: Any,
    ) -> tuple[Fit, np.ndarray, np.ndarray]:
        """Fit one candidate as :meth:`fit` does, then score the training rows X against the model:
        ``(fit, labels, scores_t)``, the scores as ``fit.model.label_and_score(X, out, columns)`` gives
        them after ``fit.model.check_rows(X, rows)`` (the labels: ``fit.labels`` when the model
        :attr:`~ClusterModel.keeps_fit_labels`). Override it when the fit can score its rows
        itself (e.g. in its last pass over the data), with the same results."""
        fit = self.fit(X, candidate, init_labels, control, **options)
        fit.model.check_rows(X, rows)
        labels, scores_t = fit.model.label_and_score(X, out=out, columns=columns)
        return fit, fit.labels if fit.model.keeps_fit_labels else labels, scores_t

    # -- description and storage --------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """What the output view shows of the configuration (JSON)."""
        return self.to_state()

    def to_json_summary(self) -> dict[str, Any]:
        """What ``GET …/outputs/{port}`` shows for an untrained model: its type and settings."""
        return {
            "type": "untrained_cluster_model",
            "algorithm": self.algorithm,
            "algorithm_name": self.algorithm_name,
            **self.summary(),
        }

    def to_state(self) -> dict[str, Any]:
        """The configuration as JSON (the portable file's metadata)."""
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ClusterConfig:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in state.items() if k in names})


class ClusterModel(ABC):
    """What fitting one candidate learnt (subclass it as a dataclass)."""

    algorithm: ClassVar[str]
    #: The per-cluster score columns of a results table are named ``score_column_prefix + j`` (a model
    #: without scores, :attr:`has_scores` False, needs none).
    score_column_prefix: ClassVar[str] = ""
    #: The training rows keep the cluster the fit gave them (Train's and Sweep's results), not the one
    #: they score nearest: for a fit whose clusters are not the nearest by score, e.g. a cut tree.
    keeps_fit_labels: ClassVar[bool] = False
    #: What :meth:`scores` gives (:data:`modules.results.SCORE_KINDS`): ``"distance"`` (lower is nearer,
    #: a row's cluster is its lowest score) or ``"probability"`` (in [0, 1], higher is nearer, a row's
    #: cluster is its highest score).
    score_kind: ClassVar[str] = DISTANCE
    #: Sweep metrics this algorithm computes beyond the four of :data:`modules.sweep_table.SWEEP_METRICS`
    #: (e.g. a mixture's BIC): Sweep Clustering offers every registered algorithm's, and its table has
    #: a column for each. :meth:`sweep_metrics` returns their values under their ids.
    extra_metrics: ClassVar[tuple[SweepMetric, ...]] = ()
    #: The model may put a row in no cluster: its label is then :data:`~modules.results.NOISE_LABEL`
    #: (−1) — in :attr:`Fit.labels`, :meth:`assign` and :meth:`label_and_score`. Noise rows count in no
    #: cluster's size, are left out of the sweep metrics (:func:`sweep_metric_values`, which adds the
    #: :data:`~modules.sweep_table.NOISE_FRACTION`), of Evaluate's statistics and of the label modes.
    may_assign_noise: ClassVar[bool] = False
    #: The model gives each row a score per cluster (:meth:`scores`, the results' score columns).
    #: False: no score columns at all (a density model has no natural per-cluster score); the model
    #: then overrides :meth:`assign` (and :meth:`scores` is never called), ``k`` comes from the model.
    has_scores: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.score_kind not in SCORE_KINDS:
            raise TypeError(f"{cls.__name__}.score_kind must be one of {SCORE_KINDS}, not {cls.score_kind!r}")
        if "algorithm" in cls.__dict__:
            if cls.has_scores and not cls.score_column_prefix:
                raise TypeError(f"{cls.__name__} has scores, so it needs a score_column_prefix")
            _MODELS[cls.algorithm] = cls

    @classmethod
    def higher_is_nearer(cls) -> bool:
        """Whether a higher score means nearer (the probability kind)."""
        return cls.score_kind == PROBABILITY

    @property
    @abstractmethod
    def k(self) -> int:
        """The number of clusters."""

    def check_rows(self, X: np.ndarray, rows: np.ndarray | None) -> None:  # noqa: B027 - optional hook
        """Raise ModuleError when rows to score cannot be scored (``rows`` as in
        :meth:`ClusterConfig.check_matrix`)."""

    @property
    def n_score_columns(self) -> int:
        """How many score columns the results have: ``k``, or 0 without scores (:attr:`has_scores`)."""
        return self.k if self.has_scores else 0

    def scores(self, X: np.ndarray) -> np.ndarray:
        """``(n, k)`` float64: each row's score against every cluster, of the :attr:`score_kind`
        (every model with :attr:`has_scores` defines it)."""
        raise NotImplementedError(f"{type(self).__name__} has no per-cluster scores")

    def nearest(self, S: np.ndarray) -> np.ndarray:
        """``(n,)`` int64: the nearest cluster of each row of scores ``S`` (``(n, k)``): the argmin of a
        distance, the argmax of a probability (ties to the lowest index)."""
        pick = np.argmax if self.higher_is_nearer() else np.argmin
        return np.asarray(pick(S, axis=1), dtype=np.int64)

    def assign(self, X: np.ndarray) -> np.ndarray:
        """``(n,)`` int64: each row's cluster, the nearest by its scores (see :meth:`nearest`)."""
        return self.nearest(self.scores(X))

    def label_and_score(
        self, X: np.ndarray, out: np.ndarray | None = None, columns: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each row's cluster and its scores, transposed: ``(labels (n,) int64, scores_t (k, n))``.

        The labels are the nearest clusters by :meth:`scores` (:meth:`nearest`). With ``out`` (a
        C-contiguous float64 ``(k, N)`` array) row i's scores go to ``out[:, columns[i]]`` (default
        ``columns``: 0 … n−1) and ``out`` is returned. Override it to do both in one pass.
        """
        if not self.has_scores:  # no score columns: the labels alone, scores (0, n)
            labels = np.asarray(self.assign(X), dtype=np.int64)
            return labels, np.empty((0, len(X))) if out is None else out
        S = self.scores(X)
        labels = self.nearest(S)
        if out is None:
            return labels, np.ascontiguousarray(S.T)
        out[:, np.arange(len(S)) if columns is None else columns] = S.T
        return labels, out

    @abstractmethod
    def sweep_metrics(self, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        """The sweep metrics of this clustering of X by id: the four of
        :data:`modules.sweep_table.SWEEP_METRICS` and the model's :attr:`extra_metrics`. Sweep calls it
        through :func:`sweep_metric_values`: a model that may assign noise gets only its clustered rows
        (no :data:`~modules.results.NOISE_LABEL`), and at least two clusters."""

    def centres_for_export(self) -> CentreModel | None:
        """The model as centres and a metric, for the ONNX and PMML exports (None: not centre-based,
        so those formats cannot describe it; the JSON export still can)."""
        return None

    def n_iterations(self) -> int:
        """How many passes the fit made (0 for an algorithm that does not iterate)."""
        return 0

    def start_centres(self) -> np.ndarray | None:
        """``(k, d)`` centres in the model's feature space that a new fit may start from (Train's
        warm start); None when the algorithm has no such start."""
        return None

    def fit_report(self) -> str:
        """A few words for the node log about how the fit went."""
        return f"{self.k} clusters"

    @abstractmethod
    def summary(self) -> dict[str, Any]:
        """What the model view shows (strict JSON). A model with centres offers ``centroids``."""

    @abstractmethod
    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """``(JSON metadata, named arrays)`` for the portable file."""

    @classmethod
    @abstractmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> ClusterModel:
        """The model :meth:`to_state` described."""


def sweep_metric_values(model: ClusterModel, X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """The sweep metrics of a clustering of X, as Sweep Clustering records them.

    For a model that :attr:`~ClusterModel.may_assign_noise`: noise rows are left out of every metric;
    fewer than two clusters among the other rows give NaN for every metric (not an exception); and
    :data:`~modules.sweep_table.NOISE_FRACTION` is the share of noise rows (NaN without rows).
    """
    if not model.may_assign_noise:
        return model.sweep_metrics(X, labels)
    clustered = labels != NOISE_LABEL
    kept = labels[clustered]
    if np.unique(kept).size >= 2:
        values = dict(model.sweep_metrics(X[clustered], kept))
    else:
        values = {m.id: float("nan") for m in (*SWEEP_METRICS, *model.extra_metrics)}
    values[NOISE_FRACTION.id] = float(np.mean(~clustered)) if labels.size else float("nan")
    return values


def input_positions(rows: np.ndarray | None, indices: np.ndarray) -> np.ndarray:
    """The input positions of rows ``indices`` of a prepared matrix (``rows`` as ``check_matrix`` gets
    them: None when row i is input row i)."""
    return indices if rows is None else rows[indices]


def registered_configs() -> list[type[ClusterConfig]]:
    return list(_CONFIGS.values())


def config_class(algorithm: str) -> type[ClusterConfig]:
    try:
        return _CONFIGS[algorithm]
    except KeyError:
        raise ValueError(f"unknown clustering algorithm {algorithm!r}") from None


def model_class(algorithm: str) -> type[ClusterModel]:
    try:
        return _MODELS[algorithm]
    except KeyError:
        raise ValueError(f"unknown clustering algorithm {algorithm!r}") from None


def score_column_prefixes() -> list[str]:
    """The score-column prefix of every registered algorithm with scores (longest first, for parsing
    names)."""
    return sorted({m.score_column_prefix for m in _MODELS.values() if m.has_scores}, key=len, reverse=True)


def registered_sweep_metrics() -> tuple[SweepMetric, ...]:
    """The four common sweep metrics, then every registered algorithm's extra ones (each id once, in
    the order the algorithms registered; the same id declared twice must mean the same metric)."""
    found: dict[str, SweepMetric] = {m.id: m for m in SWEEP_METRICS}
    for model in _MODELS.values():
        for metric in model.extra_metrics:
            if found.setdefault(metric.id, metric) != metric:
                raise TypeError(f"sweep metric {metric.id!r} declared twice with different meanings")
    return tuple(found.values())


def score_column_kinds() -> dict[str, str]:
    """The score-column prefix of every registered algorithm with scores and its score kind."""
    return {m.score_column_prefix: m.score_kind for m in _MODELS.values() if m.has_scores}


def derive_seeds(base: int, n: int) -> list[int]:
    """``n`` seeds from ``base``: the base itself first, then independent ones derived from it."""
    out = [int(base)]
    for i in range(1, n):
        out.append(int(np.random.SeedSequence(int(base), spawn_key=(i,)).generate_state(1)[0]))
    return out
