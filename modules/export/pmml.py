"""A trained centre-based model as PMML 4.4: a ``ClusteringModel`` with the studio's feature steps.

- ``DataDictionary``: one ``DataField`` per source column — ``double`` for numeric, boolean (0/1) and
  datetime (seconds since 1970-01-01 UTC) columns, ``string`` with its categories for one-hot columns.
- ``MiningSchema``: a missing value makes the result invalid (the studio leaves such a row
  unassigned); a category not seen in training is used as is, so it matches none of the one-hot fields
  (the studio gives it all zeros).
- ``LocalTransformations``: one ``NormDiscrete`` field per category, then, when the model normalises,
  ``(x - min) / scale`` per feature as ``Apply`` of ``-`` and ``/`` — the studio's arithmetic exactly.
- ``ComparisonMeasure kind="distance"`` with ``euclidean`` (the studio's score is the Euclidean
  distance, not squared), one ``ClusteringField`` per feature, one ``Cluster`` per centre (``id`` =
  the studio's 0-based cluster number, ``size`` = its training rows, the centre as ``Array
  type="real"``; numbers are written so that they read back to the same double).
- ``Output``: the assignment (``predictedValue``) and the score against every cluster (``affinity``),
  named as the studio's result columns.

The cosine metric has no PMML comparison measure: such a model raises ExportUnsupported.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import numpy as np

from modules.export.common import ExportUnsupported, centre_model, real_text, unique_name
from modules.features import FeatureColumn, FeatureSpace
from modules.results import result_column_names
from modules.trained_model import TrainedClusterModel

__all__ = ["PMML_NAMESPACE", "pmml_bytes"]

PMML_NAMESPACE = "http://www.dmg.org/PMML-4_4"
#: Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ENCODED = {
    "boolean": "Boolean columns are given as 1 (true) or 0 (false).",
    "datetime": "Datetime columns are given as seconds since 1970-01-01 00:00:00 UTC.",
}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _check_xml_text(space: FeatureSpace) -> None:
    for fc in space.columns:
        for text in [fc.name, *fc.categories]:
            if _NOT_XML.search(text):
                raise ExportUnsupported(
                    f"PMML is XML, which cannot hold the control character in the "
                    f"{'column name' if text == fc.name else 'category'} {text!r}. "
                    "Export the model as ONNX or JSON instead."
                )


def _header(root: ET.Element, trained: TrainedClusterModel) -> None:
    header = _sub(
        root,
        "Header",
        description=f"{trained.config.algorithm_name} clustering with {trained.k} clusters, "
        "exported from Cluster Studio",
    )
    _sub(header, "Application", name="Cluster Studio")
    kinds = {fc.kind for fc in trained.features.columns}
    for kind, note in _ENCODED.items():
        if kind in kinds:
            _sub(header, "Annotation", note)


def _data_dictionary(root: ET.Element, space: FeatureSpace) -> None:
    dictionary = _sub(root, "DataDictionary", numberOfFields=str(len(space.columns)))
    for fc in space.columns:
        if fc.kind == "onehot":
            field = _sub(dictionary, "DataField", name=fc.name, optype="categorical", dataType="string")
            for category in fc.categories:
                _sub(field, "Value", value=category)
        else:
            _sub(dictionary, "DataField", name=fc.name, optype="continuous", dataType="double")


def _mining_schema(model: ET.Element, space: FeatureSpace) -> None:
    schema = _sub(model, "MiningSchema")
    for fc in space.columns:
        attrs = {"name": fc.name, "missingValueTreatment": "returnInvalid"}
        if fc.kind == "onehot":
            attrs["invalidValueTreatment"] = "asIs"
        _sub(schema, "MiningField", **attrs)


def _output(trained: TrainedClusterModel, taken: set[str]) -> ET.Element:
    """The assignment and the scores, named as the studio's result columns (clear of every field)."""
    assignments, scores = result_column_names(sorted(taken), trained.k, trained.model.score_column_prefix)
    output = ET.Element("Output")
    _sub(
        output,
        "OutputField",
        name=assignments,
        optype="categorical",
        dataType="integer",
        feature="predictedValue",
    )
    for j, name in enumerate(scores):
        _sub(
            output,
            "OutputField",
            name=name,
            optype="continuous",
            dataType="double",
            feature="affinity",
            value=str(j),
        )
    return output


def _derived(transformations: ET.Element, name: str) -> ET.Element:
    return _sub(transformations, "DerivedField", name=name, optype="continuous", dataType="double")


def _constant(parent: ET.Element, value: float) -> None:
    _sub(parent, "Constant", real_text(value), dataType="double")


def _one_hot(transformations: ET.Element, fc: FeatureColumn, taken: set[str]) -> list[str]:
    fields = []
    for category, feature in zip(fc.categories, fc.feature_names(), strict=True):
        name = unique_name(taken, feature)
        _sub(_derived(transformations, name), "NormDiscrete", field=fc.name, value=category)
        fields.append(name)
    return fields


def _normalised(
    transformations: ET.Element, fields: list[str], space: FeatureSpace, taken: set[str]
) -> list[str]:
    assert space.norm_min is not None and space.norm_scale is not None
    out = []
    for field, low, scale in zip(fields, space.norm_min, space.norm_scale, strict=True):
        name = unique_name(taken, f"normalised({field})")
        divide = _sub(_derived(transformations, name), "Apply", function="/")
        subtract = _sub(divide, "Apply", function="-")
        _sub(subtract, "FieldRef", field=field)
        _constant(subtract, float(low))
        _constant(divide, float(scale))
        out.append(name)
    return out


def _transformations(model: ET.Element, space: FeatureSpace, taken: set[str]) -> list[str]:
    """The ``LocalTransformations`` and the name of each feature's field, in feature order."""
    transformations = ET.Element("LocalTransformations")
    fields: list[str] = []
    for fc in space.columns:
        fields += _one_hot(transformations, fc, taken) if fc.kind == "onehot" else [fc.name]
    if space.norm_min is not None and space.norm_scale is not None:
        fields = _normalised(transformations, fields, space, taken)
    if len(transformations):
        model.append(transformations)
    return fields


def _clusters(model: ET.Element, trained: TrainedClusterModel, centres: np.ndarray) -> None:
    for j, centre in enumerate(centres):
        cluster = _sub(
            model, "Cluster", id=str(j), name=f"Cluster {j}", size=str(int(trained.cluster_sizes[j]))
        )
        _sub(cluster, "Array", " ".join(real_text(float(v)) for v in centre), n=str(len(centre)), type="real")


def pmml_bytes(trained: TrainedClusterModel) -> bytes:
    """The PMML 4.4 document of a trained centre-based model (ExportUnsupported otherwise)."""
    centres = centre_model(trained, "PMML")
    if centres.metric != "euclidean":
        raise ExportUnsupported(
            f"PMML cannot express the {centres.metric} metric of this {trained.config.algorithm_name} model: "
            "a PMML clustering model compares a record with a cluster centre by a distance such as "
            "euclidean, squaredEuclidean, cityBlock, chebychev or minkowski (or a binary similarity), "
            "and none of them is one minus the cosine similarity. Export it as ONNX or JSON instead."
        )
    space = trained.features
    _check_xml_text(space)
    root = ET.Element("PMML", {"xmlns": PMML_NAMESPACE, "version": "4.4"})
    _header(root, trained)
    _data_dictionary(root, space)
    model = _sub(
        root,
        "ClusteringModel",
        modelName=f"{trained.config.algorithm_name} ({trained.k} clusters)",
        functionName="clustering",
        algorithmName=trained.config.algorithm_name,
        modelClass="centerBased",
        numberOfClusters=str(trained.k),
    )
    _mining_schema(model, space)
    taken = set(space.source_columns)
    output_slot = len(model)
    fields = _transformations(model, space, taken)
    model.insert(output_slot, _output(trained, taken))  # the schema puts Output before the transformations
    measure = _sub(model, "ComparisonMeasure", kind="distance")
    _sub(measure, "euclidean")
    for field in fields:
        _sub(model, "ClusteringField", field=field)
    _clusters(model, trained, centres.centres)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
