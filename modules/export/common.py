"""What the three export formats share: the result type, the errors, and the model as centres."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from modules.algorithms.base import CentreModel
from modules.errors import ModuleError
from modules.trained_model import TrainedClusterModel

__all__ = [
    "EXPORT_UNSUPPORTED",
    "IMPORT_FAILED",
    "METRICS",
    "ExportUnsupported",
    "Exported",
    "ModelImportError",
    "centre_model",
    "real_text",
    "unique_name",
    "unit_centres",
]

#: The error codes (modules.errors.ERROR_CODES) of a format that cannot express a model, and of a
#: model file that cannot be read.
EXPORT_UNSUPPORTED = "0083"
IMPORT_FAILED = "0082"
#: The metrics a :class:`CentreModel` may name, with how the messages say them.
METRICS = {"euclidean": "Euclidean", "cosine": "cosine"}


@dataclass(frozen=True)
class Exported:
    """One exported model: the file's bytes, its media type and its usual file-name extension."""

    content: bytes
    media_type: str
    extension: str


class ExportUnsupported(ModuleError):
    """The requested format cannot express this model; the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(EXPORT_UNSUPPORTED, message)


class ModelImportError(ModuleError):
    """The bytes given to :func:`modules.export.import_model` are not a model it can read."""

    def __init__(self, message: str) -> None:
        super().__init__(IMPORT_FAILED, message)


def centre_model(trained: TrainedClusterModel, format_name: str) -> CentreModel:
    """The model's centres and metric, or ExportUnsupported when ``format_name`` cannot describe it."""
    centres = trained.model.centres_for_export()
    name = trained.config.algorithm_name
    if centres is None:
        raise ExportUnsupported(
            f"{format_name} cannot express this {name} model: the format describes a clustering by its "
            f"cluster centres, and {name} is not a centre-based algorithm. Export it as JSON instead."
        )
    if centres.metric not in METRICS:
        raise ExportUnsupported(
            f"{format_name} export does not support the {centres.metric!r} metric of this {name} model "
            f"(it supports {' and '.join(METRICS)}). Export it as JSON instead."
        )
    matrix = np.asarray(centres.centres, dtype=np.float64)
    if matrix.shape != (trained.k, trained.features.width):
        raise ExportUnsupported(
            f"The model's centres have shape {matrix.shape}, but it has {trained.k} clusters over "
            f"{trained.features.width} features; it cannot be exported as {format_name}."
        )
    if not np.isfinite(matrix).all():
        raise ExportUnsupported(
            f"The model has a cluster centre with a missing or infinite coordinate; {format_name} "
            "cannot express it."
        )
    return CentreModel(matrix, centres.metric)


def unit_centres(centres: np.ndarray) -> np.ndarray:
    """Centres scaled to unit length (zero centres stay zero), computed exactly as the engine does
    before a cosine distance, so an export scores bit for bit as the studio."""
    norms = np.sqrt(np.einsum("ij,ij->i", centres, centres))
    safe = np.where(norms > 0.0, norms, 1.0)
    return np.asarray(centres / safe[:, None], dtype=np.float64)


def unique_name(taken: set[str], base: str) -> str:
    """``base``, or else ``base (2)``, ``base (3)``…: the first not taken yet (now added to ``taken``)."""
    name, i = base, 1
    while name in taken:
        i += 1
        name = f"{base} ({i})"
    taken.add(name)
    return name


def real_text(value: float) -> str:
    """A float as text that reads back to the same double (``repr``), in XML Schema's spelling."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(float(value))
