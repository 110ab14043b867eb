"""Every error code a module can raise, with a message naming the offender."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import modules
from modules import registry
from modules.samples import load_sample
from tests.modules.helpers import kmeans

IRIS = load_sample("sample-iris")
TOY = pd.DataFrame({"x": [0.0, 1.0, 10.0], "y": [1.0, 2.0, 3.0], "s": ["a", "b", "c"]})


def km(**params: Any) -> Callable[[], modules.ClusterConfig]:
    return lambda: kmeans(**params)


def trained() -> modules.TrainedClusterModel:
    out = modules.run_module(
        "train_clustering_model", {}, {"untrained_model": kmeans(n_clusters=2, seed=0), "dataset": TOY}
    )
    return out["trained_model"]


def empty_loader(_id: str) -> pd.DataFrame:
    return pd.DataFrame({"a": []})


def duplicate_loader(_id: str) -> pd.DataFrame:
    return pd.DataFrame([[1, 2]], columns=["a", "a"])


# (module, params, inputs (callables are called), ctx kwargs, code, fragments of the message)
def missing_loader(model_id: str) -> Any:
    raise KeyError(model_id)


CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str, list[str]]] = [
    # dataset
    ("dataset", {}, {}, {}, "0002", ["'Dataset' (dataset_id)", "required"]),
    ("dataset", {"dataset_id": "sample-nope"}, {}, {}, "0003", ["'sample-nope'", "not found"]),
    ("dataset", {"dataset_id": "e"}, {}, {"load_dataset": empty_loader}, "0003", ["'e'", "empty", "0 rows"]),
    ("dataset", {"dataset_id": "d"}, {}, {"load_dataset": duplicate_loader}, "0018", ["duplicate", "'a'"]),
    ("trained_model", {}, {}, {}, "0002", ["'Trained model' (model_id)", "required"]),
    ("trained_model", {"model_id": "m-1"}, {}, {}, "0003", ["'m-1'", "not available"]),
    ("trained_model", {"model_id": "m-2"}, {}, {"load_model": missing_loader}, "0003", ["not found"]),
    ("trained_model", {"model_id": "m-3"}, {}, {"load_model": lambda _id: IRIS}, "0003", ["not a trained"]),
    # kmeans_clustering
    ("kmeans_clustering", {"n_clusters": "many"}, {}, {}, "0002", ["'Number of Centroids'", '"many"']),
    ("kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "2-"}, {}, {}, "0002", ["'2-'"]),
    ("kmeans_clustering", {"n_clusters": 1}, {}, {}, "0005", ["'Number of Centroids'", "≥ 2", "got 1"]),
    ("kmeans_clustering", {"iterations": 0}, {}, {}, "0005", ["'Iterations'", "got 0"]),
    ("kmeans_clustering", {"iterations": 10_001}, {}, {}, "0007", ["'Iterations'", "≤ 10000", "got 10001"]),
    (
        "kmeans_clustering",
        {"trainer_mode": "range", "n_seeds": 101},
        {},
        {},
        "0007",
        ["'Number of seeds", "101"],
    ),
    ("kmeans_clustering", {"seed": 2**32}, {}, {}, "0007", ["'Random number seed'", "4294967296"]),
    ("kmeans_clustering", {"init": "kmeans"}, {}, {}, "0008", ["'Initialization'", '"kmeans"']),
    ("kmeans_clustering", {"metric": "manhattan"}, {}, {}, "0008", ["'Metric'", '"manhattan"']),
    ("kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "1-3"}, {}, {}, "0008", ["value 1"]),
    # train_clustering_model
    (
        "train_clustering_model",
        {"label_column": "nope"},
        {"untrained_model": km(), "dataset": IRIS},
        {},
        "0001",
        ["'Label column'", "'nope'"],
    ),
    (
        "train_clustering_model",
        {"column_set": {"names": ["sepal_length", "petal"]}},
        {"untrained_model": km(), "dataset": IRIS},
        {},
        "0001",
        ["'Column Set'", "'petal'"],
    ),
    ("train_clustering_model", {}, {"untrained_model": km()}, {}, "0003", ["'Dataset'", "not connected"]),
    (
        "train_clustering_model",
        {},
        {"untrained_model": km(), "dataset": IRIS.iloc[:0]},
        {},
        "0003",
        ["'Dataset'", "empty", "0 rows"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": km(), "dataset": IRIS[["species"]]},
        {},
        "0011",
        ["'Column Set'", "matches no column"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": lambda: IRIS, "dataset": IRIS},
        {},
        "0013",
        ["'Untrained model'", "got a data table"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": trained, "dataset": IRIS},
        {},
        "0013",
        ["needs an untrained clustering model", "got a trained clustering model"],
    ),
    (
        "train_clustering_model",
        {"column_set": {"names": ["x", "z"]}},
        {"untrained_model": km(), "dataset": pd.DataFrame({"x": [1.0, 2.0, 3.0], "z": [1j, 2j, 3j]})},
        {},
        "0017",
        ["'z'", "'other'"],
    ),
    (
        "train_clustering_model",
        {},
        {
            "untrained_model": km(metric="cosine"),
            "dataset": pd.DataFrame({"x": [1.0, 0.0, 2.0], "y": [1.0, 0.0, 5.0]}),
        },
        {},
        "0018",
        ["cosine", "row 2"],
    ),
    (
        "train_clustering_model",
        {"column_set": {"names": ["s"]}},
        {
            "untrained_model": km(),
            "dataset": pd.DataFrame({"x": [1.0, 2.0, 3.0], "s": [None, None, None]}, dtype=object),
        },
        {},
        "0020",
        ["'s'", "no value"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": km(n_clusters=3), "dataset": pd.DataFrame({"x": [1.0, np.nan, 2.0]})},
        {},
        "0021",
        ["Only 2 rows", "3 clusters"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": km(n_clusters=3), "dataset": pd.DataFrame({"x": [1.0, 1.0, 2.0, 2.0]})},
        {},
        "0021",
        ["distinct"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": km(init="label_column"), "dataset": IRIS},
        {},
        "0024",
        ["'label_column'", "'Label column'"],
    ),
    (
        "train_clustering_model",
        {},
        {"untrained_model": km(assign_label_mode="overwrite"), "dataset": IRIS},
        {},
        "0024",
        ["'overwrite'", "'Label column'"],
    ),
    # sweep_clustering
    (
        "sweep_clustering",
        {"label_column": "nope"},
        {"untrained_model": km(), "dataset": IRIS},
        {},
        "0001",
        ["'Label column'", "'nope'"],
    ),
    ("sweep_clustering", {}, {"dataset": IRIS}, {}, "0003", ["'Untrained model'", "not connected"]),
    (
        "sweep_clustering",
        {"max_runs": 0},
        {"untrained_model": km(), "dataset": IRIS},
        {},
        "0005",
        ["'Maximum number"],
    ),
    (
        "sweep_clustering",
        {"max_runs": 10_001},
        {"untrained_model": km(), "dataset": IRIS},
        {},
        "0007",
        ["10001"],
    ),
    (
        "sweep_clustering",
        {"sweep_metric": "f1"},
        {"untrained_model": km(), "dataset": IRIS},
        {},
        "0008",
        ['"f1"'],
    ),
    (
        "sweep_clustering",
        {"column_set": {"indices": "1-2"}, "label_column": "species"},
        {"untrained_model": km(), "dataset": IRIS[["species"]]},
        {},
        "0001",
        ["column index 2 not found"],
    ),
    (
        "sweep_clustering",
        {},
        {"untrained_model": km(), "dataset": IRIS[["species"]]},
        {},
        "0011",
        ["matches no column"],
    ),
    ("sweep_clustering", {}, {"untrained_model": trained, "dataset": IRIS}, {}, "0013", ["got a trained"]),
    (
        "sweep_clustering",
        {"column_set": {"names": ["z"]}},
        {"untrained_model": km(), "dataset": pd.DataFrame({"z": pd.to_timedelta([1, 2, 3], unit="s")})},
        {},
        "0017",
        ["'z'"],
    ),
    (
        "sweep_clustering",
        {},
        {"untrained_model": km(metric="cosine"), "dataset": pd.DataFrame({"x": [0.0, 1.0, 2.0]})},
        {},
        "0018",
        ["row 1"],
    ),
    (
        "sweep_clustering",
        {"column_set": {"names": ["s"]}},
        {"untrained_model": km(), "dataset": pd.DataFrame({"s": [None, None]}, dtype=object)},
        {},
        "0020",
        ["'s'"],
    ),
    (
        "sweep_clustering",
        {},
        {"untrained_model": km(n_clusters=5), "dataset": TOY},
        {},
        "0021",
        ["5 clusters"],
    ),
    (
        "sweep_clustering",
        {},
        {"untrained_model": km(trainer_mode="range", init_sweep=["random", "label_column"]), "dataset": IRIS},
        {},
        "0024",
        ["'label_column'"],
    ),
    # assign_data_to_clusters
    (
        "assign_data_to_clusters",
        {},
        {"trained_model": trained, "dataset": TOY[["x", "s"]]},
        {},
        "0001",
        ["'y'"],
    ),
    ("assign_data_to_clusters", {}, {"trained_model": trained}, {}, "0003", ["'Dataset'"]),
    ("assign_data_to_clusters", {}, {"trained_model": km(), "dataset": TOY}, {}, "0012", ["untrained"]),
    (
        "assign_data_to_clusters",
        {},
        {"trained_model": lambda: TOY, "dataset": TOY},
        {},
        "0013",
        ["data table"],
    ),
    (
        "assign_data_to_clusters",
        {},
        {"trained_model": trained, "dataset": TOY.assign(y=["p", "q", "r"])},
        {},
        "0017",
        ["'y'", "'string'"],
    ),
    (
        "assign_data_to_clusters",
        {},
        {
            "trained_model": lambda: modules.run_module(
                "train_clustering_model",
                {},
                {"untrained_model": kmeans(metric="cosine", seed=0), "dataset": TOY},
            )["trained_model"],
            "dataset": pd.DataFrame({"x": [1.0, 0.0], "y": [1.0, 0.0]}),
        },
        {},
        "0018",
        ["row 2"],
    ),
    # select_columns
    ("select_columns", {}, {"dataset": IRIS}, {}, "0002", ["'Select columns'", "required"]),
    ("select_columns", {"column_set": {"indices": "1-x"}}, {"dataset": IRIS}, {}, "0002", ["'1-x'"]),
    ("select_columns", {"column_set": {"names": ["Species"]}}, {"dataset": IRIS}, {}, "0001", ["'Species'"]),
    ("select_columns", {"column_set": {"names": ["a"]}}, {}, {}, "0003", ["'Dataset'"]),
    (
        "select_columns",
        {"column_set": {"rules": {"start": "none", "steps": [{"op": "include", "type": "datetime"}]}}},
        {"dataset": IRIS},
        {},
        "0011",
        ["matches no column"],
    ),
    # normalize_data
    ("normalize_data", {"column_set": ["nope"]}, {"dataset": IRIS}, {}, "0001", ["'nope'"]),
    ("normalize_data", {}, {"dataset": IRIS.iloc[:, :0]}, {}, "0003", ["0 columns"]),
    ("normalize_data", {"method": "robust"}, {"dataset": IRIS}, {}, "0008", ['"robust"']),
    ("normalize_data", {}, {"dataset": IRIS[["species"]]}, {}, "0011", ["matches no column"]),
    (
        "normalize_data",
        {"column_set": ["species", "sepal_length"]},
        {"dataset": IRIS},
        {},
        "0017",
        ["'species'"],
    ),
    # split_data
    ("split_data", {"fraction": "half"}, {"dataset": IRIS}, {}, "0002", ["'Fraction", '"half"']),
    ("split_data", {}, {}, {}, "0003", ["'Dataset'"]),
    ("split_data", {"fraction": -0.1}, {"dataset": IRIS}, {}, "0005", ["≥ 0", "-0.1"]),
    ("split_data", {"fraction": 1.5}, {"dataset": IRIS}, {}, "0007", ["≤ 1", "1.5"]),
    # evaluate_clustering
    ("evaluate_clustering", {}, {}, {}, "0003", ["'Scored dataset'"]),
    ("evaluate_clustering", {}, {"scored_dataset": IRIS}, {}, "0025", ["'Scored dataset'", "Assignments"]),
]


def _algorithm_cases() -> tuple[list[Any], set[tuple[str, str]]]:
    """What the other test files of this folder add — each algorithm's own
    (``tests/modules/test_<algorithm>.py``) and the seam's, whose toy algorithms make Train and Sweep
    refuse through the hooks: their ``ERROR_CASES`` (run here, like CASES) and ``ERRORS_COVERED``
    (``(module, code)`` pairs their own tests exercise in another way, e.g. a fit failure raised through
    Train). A new algorithm thus brings its error cases without editing this file."""
    cases: list[Any] = []
    covered: set[tuple[str, str]] = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if path == Path(__file__) or ("\nERROR_CASES" not in text and "\nERRORS_COVERED" not in text):
            continue
        tests = importlib.import_module(f"{__package__}.{path.stem}")
        cases += getattr(tests, "ERROR_CASES", [])
        covered |= set(getattr(tests, "ERRORS_COVERED", set()))
    return cases, covered


ALGORITHM_CASES, ALGORITHM_COVERED = _algorithm_cases()
CASES += ALGORITHM_CASES
#: Codes whose cases need a setting no registered algorithm offers here, tested in the named file.
COVERED_ELSEWHERE = {
    ("sweep_clustering", "0141"): "tests/modules/test_sweep_extra_metrics.py (a toy with its own metric)",
    ("evaluate_clustering", "0142"): "tests/modules/test_score_kind.py (a toy scored by probability)",
    # raised by graph validation, never by a run: see test_partitioned_validation.py (the modules that
    # cannot run partitioned at all get 0161 from Module.declared_errors, tested there too)
    ("train_clustering_model", "0161"): "tests/modules/test_partitioned_validation.py",
}


def _ids() -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for module, _, _, _, code, _ in CASES:
        key = f"{module}-{code}"
        seen[key] = seen.get(key, 0) + 1
        out.append(f"{key}-{seen[key]}")
    return out


@pytest.mark.parametrize(("module", "params", "inputs", "ctx", "code", "fragments"), CASES, ids=_ids())
def test_error_code_and_message(
    module: str,
    params: dict[str, Any],
    inputs: dict[str, Any],
    ctx: dict[str, Any],
    code: str,
    fragments: list[str],
) -> None:
    values = {k: v() if callable(v) else v for k, v in inputs.items()}
    with pytest.raises(modules.ModuleError) as err:
        modules.run_module(module, params, values, modules.RunContext(**ctx))
    assert err.value.code == code, err.value.message
    for fragment in fragments:
        assert fragment in err.value.message


def test_every_declared_error_code_is_exercised() -> None:
    covered = (
        {(module, code) for module, _, _, _, code, _ in CASES} | ALGORITHM_COVERED | set(COVERED_ELSEWHERE)
    )
    for module in registry.all():
        for decl in module.errors:
            assert (module.id, decl.code) in covered, f"{module.id} declares {decl.code} without a test"


def test_unexpected_exception_becomes_0039_with_traceback_in_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    module = registry.get("select_columns")

    def boom(*_: Any) -> dict[str, Any]:
        raise RuntimeError("something odd happened")

    monkeypatch.setattr(module, "run", boom)
    ctx = modules.RunContext()
    with pytest.raises(modules.ModuleError) as err:
        modules.run_module("select_columns", {"column_set": ["species"]}, {"dataset": IRIS}, ctx)
    assert err.value.code == "0039"
    assert err.value.message == "something odd happened"
    assert any("Traceback" in line and "RuntimeError" in line for line in ctx.logs)


def test_memory_error_becomes_0138(monkeypatch: pytest.MonkeyPatch) -> None:
    module = registry.get("select_columns")

    def oom(*_: Any) -> dict[str, Any]:
        raise MemoryError("Unable to allocate 80 GiB")

    monkeypatch.setattr(module, "run", oom)
    with pytest.raises(modules.ModuleError) as err:
        modules.run_module("select_columns", {"column_set": ["species"]}, {"dataset": IRIS})
    assert err.value.code == "0138"
    assert "Select Columns in Dataset" in err.value.message and "80 GiB" in err.value.message


def test_unknown_module_and_unknown_input_port() -> None:
    with pytest.raises(modules.ModuleError) as err:
        modules.run_module("nope", {}, {})
    assert err.value.code == "0039" and "'nope'" in err.value.message
    with pytest.raises(modules.ModuleError) as err:
        modules.run_module("split_data", {}, {"dataset": IRIS, "data": IRIS})
    assert "'data'" in err.value.message
