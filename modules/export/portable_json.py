"""The portable model as one self-describing JSON document, and reading it (or the .npz) back.

The document holds what the studio's own ``.npz`` holds (:func:`modules.trained_model.portable_document`):

    {"format": "cluster-studio-model+json", "format_version": 1,
     "description": "...",
     "model": {<the .npz metadata document: format, format_version, kind, algorithm, feature_columns,
                normalize, seed, …, config, and the algorithm's own fields>},
     "arrays": {"centroids": {"dtype": "float64", "shape": [k, d], "data": [row-major numbers]}, …}}

It is strict JSON: a non-finite number is written as ``{"$float": "NaN" | "Infinity" | "-Infinity"}``
in the model document and as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` in an array. Every
other float is written by ``repr``, which reads back to the same double, so a model read back is equal
(``==``) to the one written.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from modules.export.common import ModelImportError
from modules.trained_model import (
    TrainedClusterModel,
    model_from_bytes,
    model_from_document,
    portable_document,
)

__all__ = ["JSON_FORMAT", "JSON_FORMAT_VERSION", "import_model", "json_bytes"]

JSON_FORMAT = "cluster-studio-model+json"
JSON_FORMAT_VERSION = 1
_DESCRIPTION = (
    "A trained clustering model exported from Cluster Studio. 'model' is the model's metadata; each entry "
    "of 'arrays' is one array: its numpy dtype, its shape and its values in row-major order."
)
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_ARRAY_KINDS = "biuf"  # boolean, signed and unsigned integers, floats: nothing else is ever stored
_ZIP_MAGIC = b"PK\x03\x04"


def _float_name(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _encode(value: Any) -> Any:
    """A copy of a JSON-like value with non-finite floats tagged (so the document is strict JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": _float_name(value)}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.keys() == {"$float"} and value["$float"] in _NON_FINITE:
            return _NON_FINITE[value["$float"]]
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _array_json(array: np.ndarray) -> dict[str, Any]:
    flat = array.ravel().tolist()
    if array.dtype.kind == "f":
        flat = [v if math.isfinite(v) else _float_name(v) for v in flat]
    return {"dtype": array.dtype.name, "shape": list(array.shape), "data": flat}


def _array_from(name: str, entry: Any) -> np.ndarray:
    if not isinstance(entry, dict) or not {"dtype", "shape", "data"} <= entry.keys():
        raise ValueError(f"array {name!r} needs 'dtype', 'shape' and 'data'")
    dtype = np.dtype(str(entry["dtype"]))
    if dtype.kind not in _ARRAY_KINDS:
        raise ValueError(f"array {name!r} has dtype {dtype.name}, which a model never stores")
    data = entry["data"]
    if not isinstance(data, list):
        raise ValueError(f"array {name!r}: 'data' must be a list of numbers")
    if dtype.kind == "f":
        data = [_NON_FINITE[v] if isinstance(v, str) and v in _NON_FINITE else v for v in data]
    return np.array(data, dtype=dtype).reshape([int(n) for n in entry["shape"]])


def json_bytes(trained: TrainedClusterModel) -> bytes:
    """The JSON export of a trained model (any algorithm)."""
    doc, arrays = portable_document(trained)
    out = {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "description": _DESCRIPTION,
        "model": _encode(doc),
        "arrays": {name: _array_json(np.asarray(array)) for name, array in arrays.items()},
    }
    return json.dumps(out, allow_nan=False, ensure_ascii=False, indent=1).encode("utf-8")


def _from_json(text: str) -> Any:
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        raise ModelImportError(
            f"This JSON document is not a Cluster Studio model export (its 'format' is not {JSON_FORMAT!r})."
        )
    version = document.get("format_version")
    if not isinstance(version, int) or version > JSON_FORMAT_VERSION:
        raise ModelImportError(
            f"This model export has format version {version!r}; this studio reads versions up to "
            f"{JSON_FORMAT_VERSION}."
        )
    model, arrays = document.get("model"), document.get("arrays")
    if not isinstance(model, dict) or not isinstance(arrays, dict):
        raise ValueError("the document needs a 'model' object and an 'arrays' object")
    return model_from_document(_decode(model), {name: _array_from(name, e) for name, e in arrays.items()})


def _check_consistent(trained: TrainedClusterModel) -> None:
    """Shapes that agree with each other, so the model scores rows instead of failing later."""
    width, k = trained.features.width, trained.k
    # a model that may assign noise may have found no cluster at all (every row noise)
    if k < (0 if trained.model.may_assign_noise else 1) or width < 1:
        raise ValueError(f"the model has {k} clusters over {width} features")
    if np.shape(trained.cluster_sizes) != (k,):
        raise ValueError(f"{np.size(trained.cluster_sizes)} cluster sizes for {k} clusters")
    norm = (trained.features.norm_min, trained.features.norm_scale)
    if any(a is not None and np.shape(a) != (width,) for a in norm) or (norm[0] is None) != (norm[1] is None):
        raise ValueError(
            f"the normalisation does not have one minimum and one scale for each of {width} features"
        )
    labels, scores_t = trained.model.label_and_score(np.ones((1, width)))
    expected = (trained.model.n_score_columns, 1)
    if np.shape(labels) != (1,) or np.shape(scores_t) != expected:
        raise ValueError(
            f"the model scores a row of {width} features as {np.shape(scores_t)[::-1]}, not "
            f"(1, {expected[0]})"
        )


def _parse(data: bytes) -> Any:
    if data[:4] == _ZIP_MAGIC:
        return model_from_bytes(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.lstrip().startswith("{"):
        raise ModelImportError(
            "This file is neither a Cluster Studio model export (JSON) nor a Cluster Studio model "
            "file (.npz)."
        )
    return _from_json(text)


def import_model(data: bytes) -> TrainedClusterModel:
    """The trained model in a JSON export or a studio ``.npz``; ModelImportError (a ModuleError) for
    anything else, saying what is wrong."""
    try:
        model = _parse(bytes(data))
        if not isinstance(model, TrainedClusterModel):
            raise ModelImportError("This file holds an untrained model configuration, not a trained model.")
        _check_consistent(model)
    except ModelImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the bytes break, the caller gets one clear error
        reason = str(exc).strip() or type(exc).__name__
        raise ModelImportError(f"This file is not a valid Cluster Studio model: {reason[:300]}.") from exc
    return model
