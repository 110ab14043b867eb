"""A trained centre-based model as an ONNX graph: the studio's features, normalisation and scoring.

The graph takes one input per source column of the model (named as the column; a name that clashes
with an output gets `` (2)``): ``double [N, 1]`` for numeric, boolean (0/1) and datetime (seconds since
1970-01-01 UTC) columns, ``string [N, 1]`` for one-hot encoded columns. It gives ``label`` (``int64
[N]``, the 0-based cluster as Assign Data to Clusters numbers it, −1 for a row the studio leaves
unassigned) and ``scores`` (``double [N, k]``, the studio's per-cluster scores; NaN where unassigned).

Every step is the studio's own arithmetic in float64, built the way skl2onnx builds K-Means:
one-hot by ``Equal`` against the category list, the min-max normalisation by ``Sub``/``Div``, Euclidean
distances as ``sqrt(max(0, (-2 x·c + ||x||²) + ||c||²))`` (``ReduceSumSquare``, ``Gemm``, ``Add``,
``Max``, ``Sqrt``), cosine distances as ``clip(1 − x·ĉ / ||x||, 0, 2)`` with unit centres ĉ, and the
cluster by ``ArgMin`` (ties to the lowest index). See docs/export.md.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from modules.algorithms.base import CentreModel
from modules.export.common import centre_model, unique_name, unit_centres
from modules.features import FeatureColumn, FeatureSpace
from modules.trained_model import TrainedClusterModel

__all__ = ["ONNX_IR_VERSION", "ONNX_OPSET", "onnx_bytes", "onnx_model"]

#: ``Equal`` compares strings from opset 19 on; IR version 9 is the one that opset shipped with, so
#: runtimes older than the newest can read the file.
ONNX_OPSET = 19
ONNX_IR_VERSION = 9
LABEL, SCORES = "label", "scores"


class _Builder:
    """Nodes and constants of one graph, with value names that never clash with the inputs."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.nodes: list[onnx.NodeProto] = []
        self.constants: list[onnx.TensorProto] = []
        self.axis1 = self.const("axis1", [1], dtype=np.int64)  # the feature axis, for reductions

    def _name(self, hint: str) -> str:
        return unique_name(self.taken, f"cs.{hint}")

    def const(self, hint: str, value: Any, dtype: Any = np.float64) -> str:
        name = self._name(hint)
        self.constants.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, output: str | None = None, **attrs: Any) -> str:
        out = output if output is not None else self._name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"{op_type}.{out}", **attrs))
        return out


def _input_names(space: FeatureSpace) -> list[str]:
    taken = {LABEL, SCORES}
    return [unique_name(taken, fc.name) for fc in space.columns]


def _feature_block(b: _Builder, fc: FeatureColumn, name: str) -> str | None:
    """``[N, width]`` double features of one column (None for a one-hot column with no category)."""
    if fc.kind != "onehot":
        return name
    if not fc.categories:
        return None
    categories = b.const(f"{name}.categories", np.array([fc.categories], dtype=object), dtype=object)
    hits = b.op("Equal", [name, categories], f"{name}.equal")
    return b.op("Cast", [hits], f"{name}.onehot", to=TensorProto.DOUBLE)


def _features(b: _Builder, space: FeatureSpace, names: list[str]) -> tuple[str, str]:
    """The normalised feature matrix ``[N, d]`` and the ``[N]`` mask of rows with a missing or
    infinite value (``x - x`` is NaN exactly there)."""
    blocks = [
        block for fc, name in zip(space.columns, names, strict=True) if (block := _feature_block(b, fc, name))
    ]
    raw = blocks[0] if len(blocks) == 1 else b.op("Concat", blocks, "raw", axis=1)
    not_finite = b.op("Sub", [raw, raw], "not_finite")
    row_check = b.op("ReduceSum", [not_finite, b.axis1], "row_check", keepdims=0)
    missing = b.op("IsNaN", [row_check], "missing")
    if space.norm_min is None or space.norm_scale is None:
        return raw, missing
    shifted = b.op("Sub", [raw, b.const("norm_min", space.norm_min[None, :])], "shifted")
    return b.op("Div", [shifted, b.const("norm_scale", space.norm_scale[None, :])], "features"), missing


def _euclidean(b: _Builder, X: str, centres: np.ndarray) -> str:
    row_sq = b.op("ReduceSumSquare", [X, b.axis1], "row_sq", keepdims=1)
    cross = b.op("Gemm", [X, b.const("centres", centres), row_sq], "cross", alpha=-2.0, beta=1.0, transB=1)
    centre_sq = np.einsum("ij,ij->i", centres, centres)[None, :]
    squared = b.op("Add", [cross, b.const("centre_sq", centre_sq)], "squared")
    clipped = b.op("Max", [squared, b.const("zero", 0.0)], "squared_clipped")
    return b.op("Sqrt", [clipped], "distances")


def _cosine(b: _Builder, X: str, centres: np.ndarray, missing: str) -> tuple[str, str]:
    """Cosine distances, and the missing mask widened to all-zero rows (no direction: the studio
    refuses to score them)."""
    row_sq = b.op("ReduceSumSquare", [X, b.axis1], "row_sq", keepdims=1)
    inverse_norm = b.op("Reciprocal", [b.op("Sqrt", [row_sq], "row_norm")], "inverse_norm")
    products = b.op("MatMul", [X, b.const("unit_centres_t", unit_centres(centres).T.copy())], "products")
    similarity = b.op("Mul", [products, inverse_norm], "similarity")
    distance = b.op("Sub", [b.const("one", 1.0), similarity], "one_minus_similarity")
    clipped = b.op("Clip", [distance, b.const("zero", 0.0), b.const("two", 2.0)], "distances")
    zero_row = b.op("Equal", [row_sq, b.const("zero_sq", 0.0)], "zero_row")
    zero_row = b.op("Squeeze", [zero_row, b.axis1], "zero_row_flat")
    return clipped, b.op("Or", [missing, zero_row], "unscorable")


def _outputs(b: _Builder, distances: str, missing: str) -> None:
    nearest = b.op("ArgMin", [distances], "nearest", axis=1, keepdims=0, select_last_index=0)
    b.op("Where", [missing, b.const("unassigned", -1, dtype=np.int64), nearest], LABEL, output=LABEL)
    missing_column = b.op("Unsqueeze", [missing, b.axis1], "missing_column")
    b.op("Where", [missing_column, b.const("nan", np.nan), distances], SCORES, output=SCORES)


def _metadata(trained: TrainedClusterModel, centres: CentreModel, names: list[str]) -> dict[str, str]:
    prefix = trained.model.score_column_prefix
    columns = [
        {"column": fc.name, "input": name, "kind": fc.kind, "categories": list(fc.categories)}
        for fc, name in zip(trained.features.columns, names, strict=True)
    ]
    return {
        "cluster_studio.algorithm": trained.algorithm,
        "cluster_studio.metric": centres.metric,
        "cluster_studio.k": str(trained.k),
        "cluster_studio.inputs": json.dumps(columns),
        "cluster_studio.features": json.dumps(trained.features.names),
        "cluster_studio.score_columns": json.dumps([f"{prefix}{j}" for j in range(trained.k)]),
    }


def onnx_model(trained: TrainedClusterModel) -> onnx.ModelProto:
    """The ONNX model of a trained centre-based model (ExportUnsupported otherwise)."""
    centres = centre_model(trained, "ONNX")
    space = trained.features
    names = _input_names(space)
    b = _Builder(set(names) | {LABEL, SCORES})
    X, missing = _features(b, space, names)
    if centres.metric == "cosine":
        distances, missing = _cosine(b, X, centres.centres, missing)
    else:
        distances = _euclidean(b, X, centres.centres)
    _outputs(b, distances, missing)
    inputs = [
        helper.make_tensor_value_info(
            name, TensorProto.STRING if fc.kind == "onehot" else TensorProto.DOUBLE, ["N", 1]
        )
        for fc, name in zip(space.columns, names, strict=True)
    ]
    outputs = [
        helper.make_tensor_value_info(LABEL, TensorProto.INT64, ["N"]),
        helper.make_tensor_value_info(SCORES, TensorProto.DOUBLE, ["N", trained.k]),
    ]
    graph = helper.make_graph(b.nodes, "cluster_studio_model", inputs, outputs, initializer=b.constants)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        producer_name="Cluster Studio",
        doc_string=f"{trained.config.algorithm_name} clustering with {trained.k} clusters "
        f"({centres.metric} metric) exported from Cluster Studio.",
    )
    model.ir_version = ONNX_IR_VERSION
    helper.set_model_props(model, _metadata(trained, centres, names))
    return model


def onnx_bytes(trained: TrainedClusterModel) -> bytes:
    return onnx_model(trained).SerializeToString()
