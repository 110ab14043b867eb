"""The PMML export: valid against the DMG's PMML 4.4 schema, its centres are the model's, and scoring
it as the PMML specification says gives the studio's assignments and distances."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import xmlschema

from modules.export import ExportUnsupported, export_model
from modules.trained_model import TrainedClusterModel
from tests.modules.export_cases import (
    HAND_LABELS,
    HAND_ROWS,
    HAND_SCORES,
    IRIS,
    IRIS_NUMERIC,
    hand_model,
    studio_cases,
    studio_scores,
    trained_on,
)

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "pmml-4-4.xsd"
NS = {"p": "http://www.dmg.org/PMML-4_4"}
EPOCH = pd.Timestamp("1970-01-01")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def pmml_root(trained: TrainedClusterModel) -> ET.Element:
    exported = export_model(trained, "pmml")
    assert (exported.media_type, exported.extension) == ("application/xml", "pmml")
    return ET.fromstring(exported.content)


# -- a reference scorer for the part of PMML the export uses, written from the specification ----------


def _expression(element: ET.Element, values: dict[str, Any]) -> Any:
    """FieldRef, Constant, NormDiscrete and Apply of - and /; None is a missing value."""
    tag = element.tag.split("}")[1]
    if tag == "FieldRef":
        return values[element.attrib["field"]]
    if tag == "Constant":
        return float(element.text or "")
    if tag == "NormDiscrete":
        value = values[element.attrib["field"]]
        return None if value is None else float(value == element.attrib["value"])
    assert tag == "Apply", tag
    left, right = (_expression(child, values) for child in element)
    if left is None or right is None:
        return None
    function = element.attrib["function"]
    assert function in ("-", "/"), function
    return left - right if function == "-" else left / right


def pmml_score(root: ET.Element, record: dict[str, Any]) -> tuple[int | None, list[float] | None, float]:
    """The winning cluster's id, the distance to every cluster (None, None: an invalid result) and the
    largest squared length among the record's point and the centres."""
    model = root.find("p:ClusteringModel", NS)
    assert model is not None
    for field in model.findall("p:MiningSchema/p:MiningField", NS):
        if record[field.attrib["name"]] is None:
            assert field.attrib["missingValueTreatment"] == "returnInvalid"
            return None, None, 0.0
    values = dict(record)
    for derived in model.findall("p:LocalTransformations/p:DerivedField", NS):
        values[derived.attrib["name"]] = _expression(derived[0], values)
    assert model.find("p:ComparisonMeasure/p:euclidean", NS) is not None
    point = [values[f.attrib["field"]] for f in model.findall("p:ClusteringField", NS)]
    distances, ids, size = [], [], sum(x * x for x in point)
    for cluster in model.findall("p:Cluster", NS):
        centre = [float(v) for v in (cluster.findtext("p:Array", namespaces=NS) or "").split()]
        distances.append(math.sqrt(sum((x - c) ** 2 for x, c in zip(point, centre, strict=True))))
        ids.append(int(cluster.attrib["id"]))
        size = max(size, sum(c * c for c in centre))
    return ids[int(np.argmin(distances))], distances, size


def records(trained: TrainedClusterModel, rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as PMML input records, encoded as docs/export.md says (None: missing)."""
    out = []
    for _, row in rows.iterrows():
        record: dict[str, Any] = {}
        for fc in trained.features.columns:
            value = row[fc.name]
            if fc.kind == "onehot":
                record[fc.name] = None if pd.isna(value) else str(value)
            elif fc.kind == "datetime":
                record[fc.name] = (value - EPOCH) / pd.Timedelta(seconds=1)
            else:
                number = float(value)
                record[fc.name] = number if math.isfinite(number) else None
        out.append(record)
    return out


# -- tests ---------------------------------------------------------------------------------------------


def test_hand_computed_toy_model(schema: xmlschema.XMLSchema) -> None:
    for normalize in (True, False):
        trained = hand_model(normalize=normalize)
        root = pmml_root(trained)
        schema.validate(export_model(trained, "pmml").content.decode())
        scored = [pmml_score(root, r) for r in records(trained, HAND_ROWS[normalize])]
        assert [label for label, _, _ in scored] == HAND_LABELS.tolist()
        np.testing.assert_allclose([d for _, d, _ in scored], HAND_SCORES, rtol=0, atol=1e-12)


def test_exports_validate_against_the_pmml_4_4_schema(schema: xmlschema.XMLSchema) -> None:
    for case in studio_cases("euclidean"):
        content = export_model(case.trained, "pmml").content
        assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        errors = list(schema.iter_errors(content.decode()))
        assert errors == [], (case.name, errors[:1])


def test_clusters_hold_the_model_centres_exactly() -> None:
    for case in studio_cases("euclidean"):
        root = pmml_root(case.trained)
        model = root.find("p:ClusteringModel", NS)
        assert model is not None
        assert model.attrib["modelClass"] == "centerBased" and model.attrib["functionName"] == "clustering"
        assert model.attrib["numberOfClusters"] == str(case.trained.k)
        clusters = model.findall("p:Cluster", NS)
        centres = np.array(
            [[float(v) for v in (c.findtext("p:Array", namespaces=NS) or "").split()] for c in clusters]
        )
        expected: Any = case.trained.model
        assert np.array_equal(centres, expected.centroids), case.name  # bit for bit
        assert [c.attrib["id"] for c in clusters] == [str(j) for j in range(case.trained.k)]
        assert [int(c.attrib["size"]) for c in clusters] == case.trained.cluster_sizes.tolist()
        fields = [f.attrib["field"] for f in model.findall("p:ClusteringField", NS)]
        assert len(fields) == case.trained.features.width


def test_scoring_the_pmml_gives_the_studio_assignments_and_distances() -> None:
    for case in studio_cases("euclidean"):
        root = pmml_root(case.trained)
        expected_labels, expected_scores = studio_scores(case.trained, case.rows)
        scored = [pmml_score(root, r) for r in records(case.trained, case.rows)]
        labels = [-1 if label is None else label for label, _, _ in scored]
        assert labels == expected_labels.tolist(), case.name
        for (_, distances, size), want in zip(scored, expected_scores, strict=True):
            if distances is None:
                assert np.isnan(want).all()
                continue
            # PMML's distance is sqrt(sum((x - c)²)). The studio expands it as scikit-learn does,
            # -2 x·c + ||x||² + ||c||², exact to a few units in the last place of the squared lengths:
            # tight on normalised features, looser on raw datetimes (seconds, ~1e9).
            tolerance = 1e-9 + 1e-14 * size
            assert np.abs(np.square(distances) - np.square(want)).max() <= tolerance, case.name


def test_normalisation_is_written_as_local_transformations() -> None:
    trained = trained_on(IRIS, IRIS_NUMERIC + ["species"], k=3, normalize=True, metric="euclidean")
    model = pmml_root(trained).find("p:ClusteringModel", NS)
    assert model is not None
    derived = {d.attrib["name"]: d for d in model.findall("p:LocalTransformations/p:DerivedField", NS)}
    setosa = derived["species=setosa"].find("p:NormDiscrete", NS)
    assert setosa is not None and setosa.attrib == {"field": "species", "value": "setosa"}
    petal = derived["normalised(petal_length)"]
    constants = [float(c.text or "") for c in petal.iter(f"{{{NS['p']}}}Constant")]
    space = trained.features
    assert space.norm_min is not None and space.norm_scale is not None
    j = space.names.index("petal_length")
    assert constants == [space.norm_min[j], space.norm_scale[j]]
    outputs = [o.attrib["name"] for o in model.findall("p:Output/p:OutputField", NS)]
    assert outputs == ["Assignments"] + [f"DistancesToClusterCenter no.{j}" for j in range(3)]


def test_a_cosine_model_is_refused_in_words() -> None:
    trained = trained_on(IRIS, IRIS_NUMERIC, k=3, normalize=True, metric="cosine")
    with pytest.raises(ExportUnsupported) as refused:
        export_model(trained, "pmml")
    assert refused.value.code == "0083"
    message = refused.value.message
    assert message.startswith("PMML cannot express the cosine metric of this K-Means model")
    assert "one minus the cosine similarity" in message and "Export it as ONNX or JSON instead" in message


def test_a_category_xml_cannot_hold_is_refused_in_words() -> None:
    trained = hand_model(normalize=False)
    trained.features.columns[1].categories = ["a", "bell\x07"]
    with pytest.raises(ExportUnsupported, match="cannot hold the control character in the category 'bell"):
        export_model(trained, "pmml")
