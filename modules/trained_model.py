"""The trained clustering model on ``trained_cluster_model`` ports, and the portable model file.

A :class:`TrainedClusterModel` is algorithm-blind: it carries the algorithm's fitted
:class:`~modules.algorithms.base.ClusterModel`, the :class:`~modules.features.FeatureSpace` that turns a
table into its features, the configuration it was trained from, and what the trainer recorded (seed,
cluster sizes, timing, the label mapping).

:func:`dump_model` writes a configuration or a trained model to one ``.npz`` file: arrays as ``.npy``
members and a JSON document in the ``metadata`` member. :func:`load_model` reads it back with
``allow_pickle=False``; nothing is ever pickled. The document is flat — the shared fields, then the
algorithm's own — so files written before algorithms were pluggable (format version 1, always K-Means)
load unchanged.
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass
from typing import IO, Any, ClassVar

import numpy as np

import modules.algorithms  # noqa: F401 - registers every algorithm, so any saved model loads
from modules.algorithms.base import ClusterConfig, ClusterModel, config_class, model_class
from modules.features import FeatureColumn, FeatureSpace

__all__ = [
    "MODEL_FORMAT",
    "MODEL_FORMAT_VERSION",
    "TrainedClusterModel",
    "dump_model",
    "json_value",
    "load_model",
    "model_from_bytes",
    "model_from_document",
    "model_to_bytes",
    "portable_document",
]

MODEL_FORMAT = "cluster-studio-model"
MODEL_FORMAT_VERSION = 2
#: Files of format version 1 hold K-Means models and say no algorithm.
_V1_ALGORITHM = "kmeans"
UNTRAINED_KIND = "untrained_cluster_model"
_PROVENANCE = ("seed", "training_seconds", "n_training_rows", "label_column", "label_mode", "cluster_labels")
#: Recorded only for models that may assign noise (absent from the file and the summary otherwise).
_NOISE_COUNT = "noise_count"
TRAINED_KIND = "trained_cluster_model"


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
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


@dataclass(eq=False)
class TrainedClusterModel:
    """A fitted algorithm with the features it reads and what its training recorded."""

    kind: ClassVar[str] = TRAINED_KIND

    model: ClusterModel
    features: FeatureSpace
    config: ClusterConfig
    seed: int
    cluster_sizes: np.ndarray
    training_seconds: float
    n_training_rows: int
    label_column: str | None = None
    label_mode: str = "ignore"
    cluster_labels: list[Any] | None = None
    #: How many training rows are noise (``NOISE_LABEL``): None for a model that never assigns noise.
    noise_count: int | None = None

    @property
    def k(self) -> int:
        return self.model.k

    @property
    def algorithm(self) -> str:
        return self.model.algorithm

    def _provenance(self) -> dict[str, Any]:
        """What the trainer recorded, as JSON (in the file and in the summary alike)."""
        recorded = {name: getattr(self, name) for name in _PROVENANCE}
        if self.noise_count is not None:
            recorded[_NOISE_COUNT] = int(self.noise_count)
        return recorded

    def _shared_meta(self) -> dict[str, Any]:
        return {
            "feature_columns": self.features.columns_json(),
            "normalize": self.config.normalize,
            **self._provenance(),
            "config": {"algorithm": self.config.algorithm, **self.config.to_state()},
        }

    def _shared_arrays(self) -> dict[str, np.ndarray | None]:
        return {
            "norm_min": self.features.norm_min,
            "norm_scale": self.features.norm_scale,
            "cluster_sizes": self.cluster_sizes,
        }

    def to_portable(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The flat metadata document and the arrays of the portable file."""
        own_meta, own_arrays = self.model.to_state()
        meta = {"algorithm": self.algorithm, **self._shared_meta(), **own_meta}
        arrays = {k: v for k, v in {**self._shared_arrays(), **own_arrays}.items() if v is not None}
        return meta, arrays

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrainedClusterModel):
            return NotImplemented
        meta_a, arrays_a = self.to_portable()
        meta_b, arrays_b = other.to_portable()
        if json.dumps(meta_a, sort_keys=True) != json.dumps(meta_b, sort_keys=True):
            return False
        if arrays_a.keys() != arrays_b.keys():
            return False
        return all(
            arrays_a[n].dtype == arrays_b[n].dtype and np.array_equal(arrays_a[n], arrays_b[n])
            for n in arrays_a
        )

    __hash__ = None  # type: ignore[assignment]

    def to_json_summary(self) -> dict[str, Any]:
        """What ``GET …/outputs/{port}`` shows for a trained model (strict JSON: no NaN/inf)."""
        space = self.features
        return {
            "type": self.kind,
            "algorithm": self.algorithm,
            "algorithm_name": self.config.algorithm_name,
            "k": self.k,
            "features": space.names,
            "feature_columns": space.columns_json(),
            "normalize": self.config.normalize,
            "normalization": None
            if space.norm_min is None or space.norm_scale is None
            else {"min": space.norm_min.tolist(), "scale": space.norm_scale.tolist()},
            "cluster_sizes": [int(v) for v in self.cluster_sizes],
            **self._provenance(),
            "parameters": self.config.to_json_summary(),
            **self.model.summary(),
        }


Model = ClusterConfig | TrainedClusterModel


def portable_document(model: Model) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The portable file's JSON document (format, version, kind, then the model's metadata) and arrays."""
    if isinstance(model, TrainedClusterModel):
        meta, arrays = model.to_portable()
        kind = TRAINED_KIND
    elif isinstance(model, ClusterConfig):
        meta, arrays, kind = {"algorithm": model.algorithm, **model.to_state()}, {}, UNTRAINED_KIND
    else:
        raise TypeError(f"not a cluster model: {type(model).__name__}")
    return {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION, "kind": kind, **meta}, arrays


def dump_model(model: Model, path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write a model to one ``.npz`` (a path or a binary file object); no pickle inside."""
    doc, arrays = portable_document(model)
    members: dict[str, Any] = {"metadata": np.array(json.dumps(doc, allow_nan=True))}
    members.update({k: np.ascontiguousarray(v) for k, v in arrays.items()})
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
    return model_from_document(doc, arrays)


def model_from_document(doc: dict[str, Any], arrays: dict[str, np.ndarray]) -> Model:
    """The model a portable document and its arrays describe (what :func:`portable_document` gave)."""
    doc, arrays = dict(doc), dict(arrays)
    if doc.pop("format", None) != MODEL_FORMAT:
        raise ValueError("not a Cluster Studio model file")
    if int(doc.pop("format_version", 0)) > MODEL_FORMAT_VERSION:
        raise ValueError("the model file's format version is newer than this code")
    kind = doc.pop("kind")
    algorithm = doc.pop("algorithm", _V1_ALGORITHM)
    if kind == UNTRAINED_KIND:
        return config_class(algorithm).from_state(doc)
    if kind != TRAINED_KIND:
        raise ValueError(f"unknown model kind {kind!r}")
    return _trained_from(doc, arrays, algorithm)


def _trained_from(doc: dict[str, Any], arrays: dict[str, np.ndarray], algorithm: str) -> TrainedClusterModel:
    config_state = dict(doc.pop("config"))
    config = config_class(config_state.pop("algorithm", _V1_ALGORITHM)).from_state(config_state)
    doc.pop("normalize", None)  # the configuration's own
    features = FeatureSpace(
        [FeatureColumn(**fc) for fc in doc.pop("feature_columns")],
        arrays.pop("norm_min", None),
        arrays.pop("norm_scale", None),
    )
    shared = {name: doc.pop(name) for name in (*_PROVENANCE, _NOISE_COUNT) if name in doc}
    cluster_sizes = arrays.pop("cluster_sizes")
    fitted = model_class(algorithm).from_state(doc, arrays)  # what is left is the algorithm's own
    return TrainedClusterModel(fitted, features, config, cluster_sizes=cluster_sizes, **shared)


def model_to_bytes(model: Model) -> bytes:
    buf = io.BytesIO()
    dump_model(model, buf)
    return buf.getvalue()


def model_from_bytes(data: bytes) -> Model:
    return load_model(io.BytesIO(data))
