"""The parameter schema: validation from the declaration alone, and the catalogue JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

import modules
from modules import registry
from modules.algorithms.base import registered_sweep_metrics
from modules.contract import (
    Choice,
    Module,
    Param,
    Port,
    check_params,
    param_issues,
    parse_int_range,
    validate_params,
)
from modules.errors import ModuleError


class Toy(Module):
    id = "toy"
    name = "Toy"
    category = "Tests"
    inputs = (Port("dataset", "Dataset", "data_table"),)
    params: ClassVar[tuple[Param, ...]] = (
        Param("mode", "Mode", "choice", default="a", choices=(Choice("a", "A"), Choice("b", "B"))),
        Param("k", "Number of things", "int", default=2, min=2),
        Param("gt", "Strictly positive", "float", default=1.0, min=0.0, min_exclusive=True),
        Param("lt", "Below ten", "float", default=1.0, max=10.0, max_exclusive=True),
        Param("le", "At most ten", "int", default=1, max=10),
        Param("only_b", "Only in B", "int", default=5, min=0, visible_when={"mode": "b"}),
        Param("flag", "Flag", "bool", default=True),
        Param("many", "Many", "multi_choice", default=["a"], choices=(Choice("a", "A"), Choice("b", "B"))),
        Param("ks", "Ks", "int_range_string", default="2-4", min=2),
        Param("seed", "Seed", "seed", default=None, nullable=True),
        Param("cols", "Columns", "column_set", default=None, nullable=True, columns_from="dataset"),
        Param("label", "Label", "column", default=None, nullable=True, columns_from="dataset"),
        Param("ds", "Dataset id", "dataset", default="x"),
    )


def test_defaults_are_filled_and_parsed() -> None:
    filled = validate_params(Toy, {})
    assert filled["mode"] == "a"
    assert filled["k"] == 2
    assert filled["ks"] == [2, 3, 4]
    assert filled["seed"] is None
    assert filled["many"] == ["a"]
    assert filled["only_b"] == 5


def test_null_for_a_non_nullable_parameter_means_its_default() -> None:
    assert validate_params(Toy, {"k": None})["k"] == 2


def test_an_empty_text_field_is_null_for_a_nullable_parameter() -> None:
    assert validate_params(Toy, {"seed": "", "label": " "}) == validate_params(Toy, {})
    assert validate_params(Toy, {"seed": "17"})["seed"] == 17


@pytest.mark.parametrize(
    ("params", "code", "fragment"),
    [
        ({"k": "three"}, "0002", "'Number of things' (k) must be an integer, got \"three\""),
        ({"k": True}, "0002", "must be an integer, got true"),
        ({"k": 2.5}, "0002", "got 2.5"),
        ({"k": 1}, "0005", "'Number of things' (k) must be ≥ 2, got 1"),
        ({"gt": 0}, "0004", "'Strictly positive' (gt) must be > 0, got 0"),
        ({"lt": 10}, "0006", "'Below ten' (lt) must be < 10, got 10"),
        ({"le": 11}, "0007", "'At most ten' (le) must be ≤ 10, got 11"),
        ({"mode": "c"}, "0008", "'Mode' (mode) must be one of a, b; got \"c\""),
        ({"many": ["a", "z"]}, "0008", 'got "z"'),
        ({"many": []}, "0002", "must not be empty"),
        ({"flag": "yes"}, "0002", "'Flag' (flag) must be true or false, got \"yes\""),
        ({"gt": float("nan")}, "0002", "finite number"),
        ({"seed": -1}, "0005", "'Seed' (seed) must be ≥ 0, got -1"),
        ({"seed": 2**32}, "0007", "must be ≤ 4294967295, got 4294967296"),
        ({"ks": "2-x"}, "0002", "cannot parse range '2-x'"),
        ({"ks": "1-3"}, "0008", 'value 1 in "1-3" is out of range'),
        ({"cols": {"nam": ["a"]}}, "0002", "invalid column selection"),
        ({"label": 3}, "0002", "'Label' (label) must be a string, got 3"),
        ({"ds": 5}, "0002", "'Dataset id' (ds) must be a string, got 5"),
    ],
)
def test_bad_values_raise_the_schema_code_naming_parameter_and_value(
    params: dict[str, Any], code: str, fragment: str
) -> None:
    with pytest.raises(ModuleError) as err:
        validate_params(Toy, params)
    assert err.value.code == code
    assert fragment in err.value.message
    assert err.value.param == next(iter(params))  # type: ignore[attr-defined]


def test_lenient_forms_are_accepted() -> None:
    filled = validate_params(Toy, {"k": "7", "gt": "0.5", "flag": "false", "many": "b, a", "le": 3.0})
    assert filled["k"] == 7 and filled["gt"] == 0.5 and filled["flag"] is False
    assert filled["many"] == ["b", "a"]
    assert filled["le"] == 3


def test_hidden_parameters_are_not_validated_and_take_their_default() -> None:
    filled = validate_params(Toy, {"mode": "a", "only_b": -100})
    assert filled["only_b"] == 5
    with pytest.raises(ModuleError) as err:
        validate_params(Toy, {"mode": "b", "only_b": -100})
    assert err.value.code == "0005"


def test_check_params_reports_every_problem_without_raising() -> None:
    filled, issues = check_params(Toy, {"k": 0, "mode": "zz", "ks": "oops"})
    assert [(i["param"], i["code"]) for i in issues] == [("mode", "0008"), ("k", "0005"), ("ks", "0002")]
    assert all("message" in i for i in issues)
    assert filled["k"] == 2  # invalid values fall back to the default
    assert param_issues(Toy, {"k": 0, "mode": "zz", "ks": "oops"}) == issues
    assert param_issues(Toy, {}) == []


def test_required_parameter_without_value() -> None:
    with pytest.raises(ModuleError) as err:
        modules.run_module("dataset", {}, {})
    assert err.value.code == "0002"
    assert "'Dataset' (dataset_id) is required" in err.value.message


RANGE_CASES = json.loads((Path(__file__).parents[1] / "contracts" / "integer_lists.json").read_text())[
    "range_builder"
]


@pytest.mark.parametrize(("text", "expected"), RANGE_CASES["expands"])
def test_range_builder_strings(text: str, expected: list[int]) -> None:
    assert parse_int_range(text) == expected


@pytest.mark.parametrize("text", RANGE_CASES["refuses"])
def test_bad_range_builder_strings_raise_0002(text: str) -> None:
    with pytest.raises(ModuleError) as err:
        parse_int_range(text)
    assert err.value.code == "0002"
    assert repr(text) in err.value.message


def test_range_builder_through_the_kmeans_module() -> None:
    model = modules.run_module(
        "kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "2-5, 10, 20"}, {}
    )["untrained_model"]
    assert model.n_clusters_range == [2, 3, 4, 5, 10, 20]
    with pytest.raises(ModuleError) as err:
        modules.run_module("kmeans_clustering", {"trainer_mode": "range", "n_clusters_range": "2-five"}, {})
    assert err.value.code == "0002" and "'Range for Number of Centroids'" in err.value.message
    # hidden in single mode: a broken range string is kept but ignored
    model = modules.run_module("kmeans_clustering", {"n_clusters_range": "2-five"}, {})["untrained_model"]
    assert model.trainer_mode == "single"


# -- the catalogue ------------------------------------------------------------------------------------

SPEC_MODULES = {
    "dataset": ([], ["dataset"]),
    "trained_model": ([], ["trained_model"]),
    "kmeans_clustering": ([], ["untrained_model"]),
    "train_clustering_model": (
        ["untrained_model", "dataset", "start_model"],
        ["trained_model", "results_dataset"],
    ),
    "sweep_clustering": (["untrained_model", "dataset"], ["best_model", "results_dataset", "sweep_results"]),
    "assign_data_to_clusters": (["trained_model", "dataset"], ["results_dataset"]),
    "select_columns": (["dataset"], ["results_dataset"]),
    "normalize_data": (["dataset"], ["transformed_dataset"]),
    "split_data": (["dataset"], ["results_dataset1", "results_dataset2"]),
    # the spec's port first; the per-row silhouettes and the label agreement were added (issue 14)
    "evaluate_clustering": (
        ["scored_dataset", "scored_dataset_to_compare"],
        ["evaluation_results", "row_silhouettes", "label_agreement"],
    ),
}


def test_catalogue_lists_every_module_of_the_spec_with_its_ports() -> None:
    cat = modules.catalogue()
    assert [m["id"] for m in cat if m["id"] in SPEC_MODULES] == list(SPEC_MODULES)
    # any other module is a clustering algorithm's declaration (one file each, added without editing this)
    algorithm = ([], ["untrained_model"])
    for m in cat:
        if m["id"] not in SPEC_MODULES:
            assert m["category"] == "Machine Learning / Initialize Model / Clustering", m["id"]
        ins, outs = SPEC_MODULES.get(m["id"], algorithm)
        assert [p["id"] for p in m["inputs"]] == ins
        assert [p["id"] for p in m["outputs"]] == outs
        assert set(m) >= {"id", "name", "category", "description", "version", "inputs", "outputs", "params"}
        assert m["description"]
    json.dumps(cat, allow_nan=False)  # strict JSON


def test_catalogue_kmeans_parameters_match_the_spec() -> None:
    (km,) = [m for m in modules.catalogue() if m["id"] == "kmeans_clustering"]
    params = {p["id"]: p for p in km["params"]}
    expected = {
        "trainer_mode": ("Create trainer mode", "single"),
        "n_clusters": ("Number of Centroids", 2),
        "n_clusters_range": ("Range for Number of Centroids", "2-5"),
        "init": ("Initialization", "kmeans++"),
        "init_sweep": ("Initialization for sweep", ["kmeans++"]),
        "seed": ("Random number seed", None),
        "n_seeds": ("Number of seeds to sweep", 1),
        "metric": ("Metric", "euclidean"),
        "normalize": ("Normalize features", True),
        "iterations": ("Iterations", 100),
        "tol": ("Tolerance", 0.0),
        "n_init": ("Number of restarts", 1),
        "float32": ("Use 32-bit floats", False),
        "assign_label_mode": ("Assign label mode", "ignore"),
    }
    assert {k: (p["name"], p["default"]) for k, p in params.items()} == expected
    assert params["n_clusters"]["min"] == 2 and params["n_clusters"]["visible_when"] == {
        "trainer_mode": "single"
    }
    assert params["n_seeds"]["visible_when"] == {"trainer_mode": "range"}
    assert (params["iterations"]["min"], params["iterations"]["max"]) == (1, 10_000)
    assert (params["seed"]["min"], params["seed"]["max"], params["seed"]["nullable"]) == (0, 2**32 - 1, True)
    assert [c["value"] for c in params["init"]["choices"]] == [
        "first_n",
        "random",
        "kmeans++",
        "kmeans++_fast",
        "evenly",
        "label_column",
    ]
    assert [c["value"] for c in params["metric"]["choices"]] == ["euclidean", "cosine"]


def test_catalogue_other_parameters_match_the_spec() -> None:
    by_id = {m["id"]: {p["id"]: p for p in m["params"]} for m in modules.catalogue()}
    sweep = by_id["sweep_clustering"]
    assert sweep["sweep_metric"]["default"] == "simplified_silhouette"
    # the four common metrics first, then the registered algorithms' own (e.g. a mixture's BIC)
    assert [c["value"] for c in sweep["sweep_metric"]["choices"]][:4] == [
        "simplified_silhouette",
        "davies_bouldin",
        "dunn",
        "average_deviation",
    ]
    assert [c["value"] for c in sweep["sweep_metric"]["choices"]] == [
        m.id for m in registered_sweep_metrics()
    ]
    assert sweep["sweep_mode"]["default"] == "random"
    assert (sweep["max_runs"]["default"], sweep["max_runs"]["min"], sweep["max_runs"]["max"]) == (
        5,
        1,
        10_000,
    )
    assert sweep["max_runs"]["visible_when"] == {"sweep_mode": "random"}
    assert sweep["sweep_seed"]["default"] == 0
    for mid in ("train_clustering_model", "sweep_clustering"):
        assert by_id[mid]["column_set"]["type"] == "column_set"
        assert by_id[mid]["column_set"]["columns_from"] == "dataset"
        assert by_id[mid]["label_column"]["type"] == "column"
        assert by_id[mid]["append"]["default"] is True
        assert by_id[mid]["append"]["name"] == "Check for Append or Uncheck for Result Only"
    assert by_id["assign_data_to_clusters"]["append"]["default"] is True
    assert by_id["select_columns"]["column_set"]["required"] is True
    norm = by_id["normalize_data"]
    assert norm["method"]["default"] == "zscore"
    assert [c["value"] for c in norm["method"]["choices"]] == [
        "zscore",
        "minmax",
        "logistic",
        "lognormal",
        "tanh",
    ]
    assert norm["constant_to_zero"]["default"] is True
    split = by_id["split_data"]
    assert (split["fraction"]["default"], split["fraction"]["min"], split["fraction"]["max"]) == (0.5, 0, 1)
    assert split["randomize"]["default"] is True and split["seed"]["default"] == 0
    assert by_id["dataset"]["dataset_id"]["required"] is True


def test_optional_input_is_marked() -> None:
    (ev,) = [m for m in modules.catalogue() if m["id"] == "evaluate_clustering"]
    assert [p["optional"] for p in ev["inputs"]] == [False, True]


def test_every_declaration_is_consistent_and_its_defaults_validate() -> None:
    for module in registry.all():
        module.check_declaration()
        filled, issues = check_params(module, {})
        required = {p.id for p in module.params if p.required}
        assert {i["param"] for i in issues} <= required
        for e in module.errors:
            assert e.code in modules.ERROR_CODES


def test_port_types_and_param_types_are_listed() -> None:
    assert {t["id"] for t in registry.port_types()} == {
        "data_table",
        "untrained_cluster_model",
        "trained_cluster_model",
    }
    used = {p["type"] for m in modules.catalogue() for p in m["params"]}
    assert used <= set(registry.param_types())


def test_a_new_catalogue_file_is_discovered(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import modules.catalog as catalog

    (tmp_path / "zz_extra.py").write_text(
        "from modules.contract import Module, Port\n"
        "class Extra(Module):\n"
        "    id = 'zz_extra'\n"
        "    name = 'Extra'\n"
        "    category = 'Tests'\n"
        "    outputs = (Port('out', 'Out', 'data_table'),)\n"
        "    def run(self, params, inputs, ctx):\n"
        "        import pandas as pd\n"
        "        return {'out': pd.DataFrame({'a': [1]})}\n"
    )
    monkeypatch.setattr(catalog, "__path__", [*catalog.__path__, str(tmp_path)])
    registry.reload()
    try:
        assert registry.has("zz_extra")
        assert modules.run_module("zz_extra", {}, {})["out"].shape == (1, 1)
    finally:
        monkeypatch.undo()
        registry.reload()
    assert not registry.has("zz_extra")
