"""Portable export of a trained clustering model, and import of the studio's own portable files.

- :func:`export_model` writes a trained model as ONNX (:mod:`.onnx_graph`), PMML 4.4 (:mod:`.pmml`) or
  the studio's JSON document (:mod:`.portable_json`). ONNX and PMML describe the model by its cluster
  centres, so they need an algorithm whose model offers
  :meth:`~modules.algorithms.base.ClusterModel.centres_for_export`; where a format cannot express a
  model, :class:`ExportUnsupported` says why in words. JSON takes any model.
- :func:`import_model` reads the JSON export or the studio's ``.npz`` back
  (:class:`ModelImportError` for anything else).

Nothing here knows an algorithm by name. docs/export.md describes the three formats.
"""

from __future__ import annotations

from typing import Literal

from modules.export.common import Exported, ExportUnsupported, ModelImportError
from modules.export.portable_json import import_model
from modules.trained_model import TrainedClusterModel

__all__ = [
    "FORMATS",
    "ExportFormat",
    "ExportUnsupported",
    "Exported",
    "ModelImportError",
    "export_model",
    "import_model",
]

ExportFormat = Literal["onnx", "pmml", "json"]
#: Each format's media type and file-name extension.
FORMATS: dict[str, tuple[str, str]] = {
    "onnx": ("application/octet-stream", "onnx"),
    "pmml": ("application/xml", "pmml"),
    "json": ("application/json", "json"),
}


def export_model(trained: TrainedClusterModel, fmt: ExportFormat) -> Exported:
    """``trained`` as one file of format ``fmt``; ExportUnsupported when the format cannot express it."""
    if fmt == "onnx":
        from modules.export.onnx_graph import onnx_bytes  # the onnx package loads only when used

        content = onnx_bytes(trained)
    elif fmt == "pmml":
        from modules.export.pmml import pmml_bytes

        content = pmml_bytes(trained)
    elif fmt == "json":
        from modules.export.portable_json import json_bytes

        content = json_bytes(trained)
    else:
        raise ExportUnsupported(f"There is no export format {fmt!r}; the formats are {', '.join(FORMATS)}.")
    media_type, extension = FORMATS[fmt]
    return Exported(content, media_type, extension)
