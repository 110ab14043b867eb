"""The JSON export and import_model: a round trip gives an equal model; bad bytes a clear ModuleError."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from modules.errors import ModuleError
from modules.export import ModelImportError, export_model, import_model
from modules.trained_model import model_to_bytes
from tests.modules.export_cases import (
    HAND_LABELS,
    HAND_ROWS,
    HAND_SCORES,
    IRIS,
    IRIS_NUMERIC,
    hand_model,
    mixed_table,
    studio_scores,
    trained_on,
)
from tests.modules.helpers import kmeans


def cases() -> list:
    mixed = mixed_table()
    return [
        trained_on(IRIS, IRIS_NUMERIC, k=3, normalize=True, metric="euclidean"),
        trained_on(IRIS, IRIS_NUMERIC + ["species"], k=3, normalize=False, metric="cosine"),
        trained_on(mixed, list(mixed.columns), k=4, normalize=True, metric="euclidean"),
        hand_model(normalize=True),
    ]


def test_json_round_trip_gives_an_equal_model_that_scores_the_same() -> None:
    for trained in cases():
        exported = export_model(trained, "json")
        assert (exported.media_type, exported.extension) == ("application/json", "json")
        back = import_model(exported.content)
        assert back == trained
        assert back.features.names == trained.features.names
        rows = mixed_table(20, seed=3) if "region" in trained.features.source_columns else IRIS
        if trained.features.source_columns == ["x", "c"]:
            rows = HAND_ROWS[True]
        labels, scores = studio_scores(back, rows)
        want_labels, want_scores = studio_scores(trained, rows)
        assert labels.tolist() == want_labels.tolist()
        assert np.array_equal(scores, want_scores, equal_nan=True)


def test_json_document_is_strict_self_describing_json() -> None:
    trained = hand_model(normalize=True)
    document = json.loads(export_model(trained, "json").content)
    assert document["format"] == "cluster-studio-model+json" and document["format_version"] == 1
    assert document["model"]["kind"] == "trained_cluster_model"
    assert document["model"]["algorithm"] == "kmeans"
    assert document["model"]["feature_columns"] == [
        {"name": "x", "kind": "numeric", "categories": []},
        {"name": "c", "kind": "onehot", "categories": ["a", "b"]},
    ]
    assert document["arrays"]["centroids"] == {
        "dtype": "float64",
        "shape": [2, 3],
        "data": [0.0, 1.0, 0.0, 4.0, 0.0, 1.0],
    }
    assert document["arrays"]["norm_scale"]["data"] == [2.0, 1.0, 1.0]
    assert document["arrays"]["cluster_sizes"] == {"dtype": "int64", "shape": [2], "data": [2, 1]}
    # the hand-made model still scores as worked out by hand after the trip
    labels, scores = studio_scores(import_model(json.dumps(document).encode()), HAND_ROWS[True])
    assert labels.tolist() == HAND_LABELS.tolist()
    np.testing.assert_allclose(scores, HAND_SCORES, rtol=0, atol=1e-12)


def test_floats_round_trip_bit_for_bit_and_non_finite_values_stay_strict_json() -> None:
    trained = hand_model(normalize=True)
    model = trained.model
    model.centroids = np.array([[0.1 + 0.2, 1 / 3, 5e-324], [1e308, -0.0, 2.0 / 7.0]])  # type: ignore[attr-defined]
    model.inertia = float("inf")  # type: ignore[attr-defined]
    content = export_model(trained, "json").content
    assert b"NaN" not in content and b"Infinity" in content  # tagged, never bare
    json.loads(content, parse_constant=lambda name: pytest.fail(f"bare {name} in the document"))
    back = import_model(content)
    assert back == trained
    assert back.model.centroids.tobytes() == model.centroids.tobytes()  # type: ignore[attr-defined]
    assert back.model.inertia == float("inf")  # type: ignore[attr-defined]


def test_the_studio_npz_imports() -> None:
    trained = trained_on(IRIS, IRIS_NUMERIC, k=3, normalize=True, metric="euclidean")
    assert import_model(model_to_bytes(trained)) == trained


def _broken_json(change: str) -> bytes:
    document = json.loads(export_model(hand_model(normalize=True), "json").content)
    if change == "format":
        document["format"] = "something-else"
    elif change == "version":
        document["format_version"] = 99
    elif change == "shape":
        document["arrays"]["centroids"]["shape"] = [3, 2]
    elif change == "dtype":
        document["arrays"]["centroids"]["dtype"] = "str"
    elif change == "algorithm":
        document["model"]["algorithm"] = "no_such_algorithm"
    elif change == "width":
        document["arrays"]["norm_min"] = {"dtype": "float64", "shape": [2], "data": [0.0, 0.0]}
    elif change == "columns":
        document["model"]["feature_columns"] = "x"
    return json.dumps(document).encode()


def _zip_without_metadata() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("centroids.npy", b"not an array")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "neither a Cluster Studio model export (JSON) nor a Cluster Studio model file (.npz)"),
        (b"\x00\xff garbage \x89PNG", "neither a Cluster Studio model export"),
        (b"name,value\n1,2\n", "neither a Cluster Studio model export"),
        (b"{not json", "not a valid Cluster Studio model"),
        (b"[1, 2]", "neither a Cluster Studio model export"),
        (b'{"format": "onnx"}', "its 'format' is not 'cluster-studio-model+json'"),
        (_broken_json("format"), "its 'format' is not"),
        (_broken_json("version"), "format version 99"),
        (_broken_json("shape"), "not a valid Cluster Studio model"),
        (_broken_json("dtype"), "not a valid Cluster Studio model"),
        (_broken_json("algorithm"), "unknown clustering algorithm 'no_such_algorithm'"),
        (_broken_json("width"), "one minimum and one scale for each of 3 features"),
        (_broken_json("columns"), "not a valid Cluster Studio model"),
        (b"PK\x03\x04 truncated zip", "not a valid Cluster Studio model"),
        (_zip_without_metadata(), "not a valid Cluster Studio model"),
        (model_to_bytes(kmeans(n_clusters=3)), "untrained model configuration, not a trained model"),
    ],
)
def test_import_of_anything_else_is_a_module_error_saying_what_is_wrong(data: bytes, fragment: str) -> None:
    with pytest.raises(ModuleError) as refused:
        import_model(data)
    assert isinstance(refused.value, ModelImportError)
    assert refused.value.code == "0082"
    assert fragment in refused.value.message
