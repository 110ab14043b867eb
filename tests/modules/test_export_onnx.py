"""The ONNX export, run in onnxruntime, scores rows exactly as Assign Data to Clusters does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import pytest

from modules.algorithms.base import CentreModel
from modules.algorithms.kmeans import KMeansConfig, KMeansModel
from modules.errors import ModuleError
from modules.export import ExportUnsupported, export_model
from modules.features import FeatureColumn, FeatureSpace
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

EPOCH = pd.Timestamp("1970-01-01")


def session(trained: TrainedClusterModel) -> onnxruntime.InferenceSession:
    exported = export_model(trained, "onnx")
    assert (exported.media_type, exported.extension) == ("application/octet-stream", "onnx")
    onnx.checker.check_model(onnx.load_from_string(exported.content), full_check=True)
    return onnxruntime.InferenceSession(exported.content, providers=["CPUExecutionProvider"])


def feeds(trained: TrainedClusterModel, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """One ``[N, 1]`` input per source column, encoded as docs/export.md says."""
    out: dict[str, np.ndarray] = {}
    for fc in trained.features.columns:
        column = rows[[fc.name]]
        if fc.kind == "onehot":
            out[fc.name] = column.astype(str).to_numpy(dtype=object)
        elif fc.kind == "datetime":
            out[fc.name] = ((column - EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64)
        else:
            out[fc.name] = column.to_numpy(dtype=np.float64)
    return out


def run(trained: TrainedClusterModel, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    label, scores = session(trained).run(["label", "scores"], feeds(trained, rows))
    return label, scores


def test_hand_computed_toy_model_normalised_and_not() -> None:
    for normalize in (True, False):
        label, scores = run(hand_model(normalize=normalize), HAND_ROWS[normalize])
        assert label.dtype == np.int64 and label.tolist() == HAND_LABELS.tolist()
        assert scores.dtype == np.float64 and scores.shape == (3, 2)
        np.testing.assert_allclose(scores, HAND_SCORES, rtol=0, atol=1e-12)
        # the studio agrees with the hand-worked answer too
        studio_labels, studio = studio_scores(hand_model(normalize=normalize), HAND_ROWS[normalize])
        assert studio_labels.tolist() == HAND_LABELS.tolist()
        np.testing.assert_allclose(studio, HAND_SCORES, rtol=0, atol=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_onnxruntime_gives_the_studio_assignments_and_scores(metric: str) -> None:
    for case in studio_cases(metric):
        expected_labels, expected_scores = studio_scores(case.trained, case.rows)
        label, scores = run(case.trained, case.rows)
        assert label.tolist() == expected_labels.tolist(), case.name
        assert np.array_equal(np.isnan(scores), np.isnan(expected_scores)), case.name
        assigned = expected_labels >= 0
        np.testing.assert_allclose(
            scores[assigned], expected_scores[assigned], rtol=0, atol=1e-9, err_msg=case.name
        )


def test_rows_the_studio_leaves_unassigned_get_label_minus_one_and_nan_scores() -> None:
    trained = trained_on(IRIS, IRIS_NUMERIC, k=3, normalize=True, metric="euclidean")
    rows = IRIS.head(4).copy()
    rows.loc[0, "sepal_length"] = np.nan
    rows.loc[2, "petal_width"] = -np.inf
    label, scores = run(trained, rows)
    assert label[[0, 2]].tolist() == [-1, -1] and (label[[1, 3]] >= 0).all()
    assert np.isnan(scores[[0, 2]]).all() and np.isfinite(scores[[1, 3]]).all()


def test_an_all_zero_row_under_the_cosine_metric_is_unassigned() -> None:
    """The studio refuses such a row (0018: it has no direction); the graph marks it unassigned."""
    trained = trained_on(IRIS, IRIS_NUMERIC, k=3, normalize=False, metric="cosine")
    rows = IRIS.head(2).copy()
    rows.loc[0, IRIS_NUMERIC] = 0.0
    with pytest.raises(ModuleError) as refused:
        studio_scores(trained, rows)
    assert refused.value.code == "0018"
    label, scores = run(trained, rows)
    assert label[0] == -1 and np.isnan(scores[0]).all()
    assert label[1] == studio_scores(trained, rows.iloc[[1]])[0][0]


def test_graph_interface_inputs_outputs_and_metadata() -> None:
    trained = trained_on(IRIS, IRIS_NUMERIC + ["species"], k=3, normalize=True, metric="euclidean")
    model = onnx.load_from_string(export_model(trained, "onnx").content)
    inputs = {i.name: i.type.tensor_type for i in model.graph.input}
    assert list(inputs) == IRIS_NUMERIC + ["species"]
    assert inputs["species"].elem_type == onnx.TensorProto.STRING
    assert {inputs[c].elem_type for c in IRIS_NUMERIC} == {onnx.TensorProto.DOUBLE}
    assert [o.name for o in model.graph.output] == ["label", "scores"]
    ops = {n.op_type for n in model.graph.node}
    assert {"ReduceSumSquare", "Gemm", "Add", "ArgMin", "Sqrt", "Sub", "Div", "Equal", "Cast"} <= ops
    assert {i.data_type for i in model.graph.initializer} <= {
        onnx.TensorProto.DOUBLE,
        onnx.TensorProto.INT64,
        onnx.TensorProto.STRING,
    }
    props = {p.key: p.value for p in model.metadata_props}
    assert props["cluster_studio.metric"] == "euclidean" and props["cluster_studio.k"] == "3"
    assert json.loads(props["cluster_studio.score_columns"]) == [
        f"DistancesToClusterCenter no.{j}" for j in range(3)
    ]
    species = json.loads(props["cluster_studio.inputs"])[-1]
    assert species == {
        "column": "species",
        "input": "species",
        "kind": "onehot",
        "categories": ["setosa", "versicolor", "virginica"],
    }


def test_a_column_named_like_an_output_gets_its_own_input_name() -> None:
    space = FeatureSpace([FeatureColumn("label", "numeric"), FeatureColumn("scores", "numeric")])
    model = KMeansModel(np.array([[0.0, 0.0], [3.0, 4.0]]), "euclidean", "first_n", 10, 1, True, 0.0)
    trained = TrainedClusterModel(
        model, space, KMeansConfig(n_clusters=2, normalize=False), 0, np.array([1, 1]), 0.0, 2
    )
    sess = session(trained)
    assert [i.name for i in sess.get_inputs()] == ["label (2)", "scores (2)"]
    label, scores = sess.run(None, {"label (2)": np.array([[3.0]]), "scores (2)": np.array([[4.0]])})
    assert label.tolist() == [1] and scores.tolist() == [[5.0, 0.0]]


@dataclass(eq=False)
class NotCentreBasedModel(KMeansModel):
    """A model without centres (not registered: it defines no ``algorithm`` of its own)."""

    def centres_for_export(self) -> CentreModel | None:
        return None


class SpectralConfig(KMeansConfig):
    algorithm_name = "Spectral"


def test_a_model_that_is_not_centre_based_is_refused_in_words() -> None:
    base = trained_on(IRIS, IRIS_NUMERIC, k=2, normalize=False, metric="euclidean")
    fitted: Any = base.model
    model = NotCentreBasedModel(
        fitted.centroids, "euclidean", "first_n", 10, fitted.iterations_run, True, fitted.inertia
    )
    trained = TrainedClusterModel(model, base.features, SpectralConfig(), 0, base.cluster_sizes, 0.0, 150)
    for fmt, name in (("onnx", "ONNX"), ("pmml", "PMML")):
        with pytest.raises(ExportUnsupported) as refused:
            export_model(trained, fmt)  # type: ignore[arg-type]
        assert refused.value.code == "0083"
        assert refused.value.message.startswith(f"{name} cannot express this Spectral model")
        assert "not a centre-based algorithm" in refused.value.message
    assert export_model(trained, "json").media_type == "application/json"


def test_an_unknown_format_is_refused() -> None:
    trained = hand_model(normalize=False)
    with pytest.raises(ExportUnsupported, match="There is no export format 'csv'"):
        export_model(trained, "csv")  # type: ignore[arg-type]
