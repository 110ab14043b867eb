"""The model objects travelling on model ports, and their portable serialisation.

* :class:`UntrainedClusterModel` — a K-Means configuration (single value or range); produced by
  ``kmeans_clustering``.
* :class:`TrainedClusterModel` — centroids, the feature columns (with one-hot expansion), the
  metric, the min-max normalisation fitted on the training rows, the label mapping and the seed
  actually used; produced by Train Clustering Model and Sweep Clustering.

:func:`dump_model` writes either kind to one ``.npz`` file: the arrays as ``.npy`` members and a
JSON document in the ``metadata`` member (a NumPy unicode scalar). :func:`load_model` reads it back
with ``allow_pickle=False``; nothing is ever pickled.
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import asdict, dataclass, field
from typing import IO, Any, ClassVar

import numpy as np

__all__ = [
    "MODEL_FORMAT",
    "MODEL_FORMAT_VERSION",
    "FeatureColumn",
    "TrainedClusterModel",
    "UntrainedClusterModel",
    "dump_model",
    "json_value",
    "load_model",
    "model_from_bytes",
    "model_to_bytes",
]

MODEL_FORMAT = "cluster-studio-model"
MODEL_FORMAT_VERSION = 1


def json_value(value: Any) -> Any:
    """A JSON-native copy of a scalar (numpy scalars unwrapped, NaN/NA → None, others → str)."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass
class UntrainedClusterModel:
    """A K-Means configuration: the parameters of ``kmeans_clustering``.

    In ``single`` mode ``n_clusters``, ``init`` and ``seed`` apply; in ``range`` mode
    ``n_clusters_range``, ``init_sweep`` and ``n_seeds``. ``seed=None`` means: draw one at training
    time and record it.
    """

    kind: ClassVar[str] = "untrained_cluster_model"

    trainer_mode: str = "single"
    n_clusters: int = 2
    n_clusters_range: list[int] = field(default_factory=lambda: [2, 3, 4, 5])
    init: str = "kmeans++"
    init_sweep: list[str] = field(default_factory=lambda: ["kmeans++"])
    seed: int | None = None
    n_seeds: int = 1
    metric: str = "euclidean"
    normalize: bool = True
    iterations: int = 100
    assign_label_mode: str = "ignore"

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> UntrainedClusterModel:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in params.items() if k in names})

    def first_configuration(self) -> tuple[int, str]:
        """``(k, init)`` of a single run: the single values, or the first of each list in range mode."""
        if self.trainer_mode == "range":
            return self.n_clusters_range[0], self.init_sweep[0]
        return self.n_clusters, self.init

    def uses_label_column(self) -> bool:
        inits = self.init_sweep if self.trainer_mode == "range" else [self.init]
        return "label_column" in inits

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json_summary(self) -> dict[str, Any]:
        """What ``GET …/outputs/{port}`` shows: the type and the parameters that apply."""
        out: dict[str, Any] = {"type": self.kind, "trainer_mode": self.trainer_mode}
        if self.trainer_mode == "range":
            out.update(
                n_clusters_range=list(self.n_clusters_range),
                init_sweep=list(self.init_sweep),
                n_seeds=self.n_seeds,
            )
        else:
            out.update(n_clusters=self.n_clusters, init=self.init, seed=self.seed)
        out.update(
            metric=self.metric,
            normalize=self.normalize,
            iterations=self.iterations,
            assign_label_mode=self.assign_label_mode,
        )
        return out


@dataclass
class FeatureColumn:
    """An input column used as features, and how it becomes numbers.

    ``kind``: ``numeric`` (as is), ``boolean`` (0/1), ``datetime`` (seconds since 1970-01-01 UTC) or
    ``onehot`` (one 0/1 feature per category, in ``categories`` order; an unseen category at
    assignment time gets all zeros).
    """

    name: str
    kind: str
    categories: list[str] = field(default_factory=list)

    def feature_names(self) -> list[str]:
        if self.kind == "onehot":
            return [f"{self.name}={c}" for c in self.categories]
        return [self.name]

    @property
    def width(self) -> int:
        return len(self.categories) if self.kind == "onehot" else 1


@dataclass(eq=False)
class TrainedClusterModel:
    """A trained K-Means model. Centroids live in the model's feature space (after normalisation)."""

    kind: ClassVar[str] = "trained_cluster_model"

    centroids: np.ndarray
    feature_columns: list[FeatureColumn]
    metric: str
    normalize: bool
    norm_min: np.ndarray | None
    norm_scale: np.ndarray | None
    seed: int
    init: str
    max_iterations: int
    iterations_run: int
    converged: bool
    inertia: float
    cluster_sizes: np.ndarray
    training_seconds: float
    n_training_rows: int
    label_column: str | None = None
    label_mode: str = "ignore"
    cluster_labels: list[Any] | None = None
    config: UntrainedClusterModel = field(default_factory=UntrainedClusterModel)

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])

    @property
    def features(self) -> list[str]:
        """The feature names in centroid column order (one-hot columns expanded as ``col=value``)."""
        return [name for fc in self.feature_columns for name in fc.feature_names()]

    @property
    def source_columns(self) -> list[str]:
        """The input columns the model needs, in order."""
        return [fc.name for fc in self.feature_columns]

    def _meta(self) -> dict[str, Any]:
        return {
            "feature_columns": [asdict(fc) for fc in self.feature_columns],
            "metric": self.metric,
            "normalize": self.normalize,
            "seed": self.seed,
            "init": self.init,
            "max_iterations": self.max_iterations,
            "iterations_run": self.iterations_run,
            "converged": self.converged,
            "inertia": self.inertia,
            "training_seconds": self.training_seconds,
            "n_training_rows": self.n_training_rows,
            "label_column": self.label_column,
            "label_mode": self.label_mode,
            "cluster_labels": self.cluster_labels,
            "config": self.config.to_dict(),
        }

    def _arrays(self) -> dict[str, np.ndarray | None]:
        return {
            "centroids": self.centroids,
            "norm_min": self.norm_min,
            "norm_scale": self.norm_scale,
            "cluster_sizes": self.cluster_sizes,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrainedClusterModel):
            return NotImplemented
        if json.dumps(self._meta(), sort_keys=True) != json.dumps(other._meta(), sort_keys=True):
            return False
        for name, a in self._arrays().items():
            b = other._arrays()[name]
            if (a is None) != (b is None):
                return False
            if a is not None and b is not None and (a.dtype != b.dtype or not np.array_equal(a, b)):
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def to_json_summary(self) -> dict[str, Any]:
        """What ``GET …/outputs/{port}`` shows for a trained model (strict JSON: no NaN/inf)."""
        return {
            "type": self.kind,
            "k": self.k,
            "features": self.features,
            "feature_columns": [asdict(fc) for fc in self.feature_columns],
            "metric": self.metric,
            "normalize": self.normalize,
            "normalization": None
            if self.norm_min is None or self.norm_scale is None
            else {"min": self.norm_min.tolist(), "scale": self.norm_scale.tolist()},
            "centroids": [[_finite(float(v)) for v in row] for row in self.centroids],
            "cluster_sizes": [int(v) for v in self.cluster_sizes],
            "seed": self.seed,
            "init": self.init,
            "iterations": self.max_iterations,
            "iterations_run": self.iterations_run,
            "converged": self.converged,
            "inertia": _finite(self.inertia),
            "training_seconds": self.training_seconds,
            "n_training_rows": self.n_training_rows,
            "label_column": self.label_column,
            "label_mode": self.label_mode,
            "cluster_labels": self.cluster_labels,
            "parameters": self.config.to_json_summary(),
        }


Model = UntrainedClusterModel | TrainedClusterModel


def dump_model(model: Model, path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write a model to one ``.npz`` (a path or a binary file object); no pickle inside."""
    if isinstance(model, TrainedClusterModel):
        meta: dict[str, Any] = model._meta()
        arrays = {k: np.ascontiguousarray(v) for k, v in model._arrays().items() if v is not None}
    elif isinstance(model, UntrainedClusterModel):
        meta = model.to_dict()
        arrays = {}
    else:
        raise TypeError(f"not a cluster model: {type(model).__name__}")
    doc = {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION, "kind": model.kind, **meta}
    text = json.dumps(doc, allow_nan=True)
    members: dict[str, Any] = {"metadata": np.array(text), **arrays}
    if isinstance(path, str | os.PathLike):
        with open(path, "wb") as fh:
            np.savez(fh, **members)
    else:
        np.savez(path, **members)


def load_model(path: str | os.PathLike[str] | IO[bytes]) -> Model:
    """Read a model written by :func:`dump_model` (``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as data:
        doc = json.loads(str(data["metadata"][()]))
        arrays = {k: data[k] for k in data.files if k != "metadata"}
    if doc.get("format") != MODEL_FORMAT:
        raise ValueError("not a Cluster Studio model file")
    if int(doc.get("format_version", 0)) > MODEL_FORMAT_VERSION:
        raise ValueError(f"model format version {doc['format_version']} is newer than this code")
    kind = doc.pop("kind")
    for key in ("format", "format_version"):
        doc.pop(key)
    if kind == UntrainedClusterModel.kind:
        return UntrainedClusterModel(**doc)
    if kind != TrainedClusterModel.kind:
        raise ValueError(f"unknown model kind {kind!r}")
    doc["feature_columns"] = [FeatureColumn(**fc) for fc in doc["feature_columns"]]
    doc["config"] = UntrainedClusterModel(**doc["config"])
    return TrainedClusterModel(
        centroids=arrays["centroids"],
        norm_min=arrays.get("norm_min"),
        norm_scale=arrays.get("norm_scale"),
        cluster_sizes=arrays["cluster_sizes"],
        **doc,
    )


def model_to_bytes(model: Model) -> bytes:
    buf = io.BytesIO()
    dump_model(model, buf)
    return buf.getvalue()


def model_from_bytes(data: bytes) -> Model:
    return load_model(io.BytesIO(data))
