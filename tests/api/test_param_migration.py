"""A module that renames or retires a parameter still opens graphs saved with the old names: the server
hands them back under the new names, and validation and runs see only those — no warning."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import modules
from modules import registry
from modules.contract import Module, Param, Port, check_params

OLD_NODE = {"id": "probe", "module": "renamed_probe", "params": {"k": 5, "legacy": True}}


class RenamedProbe(Module):
    """A module whose parameter `k` became `n_clusters`, and whose `legacy` parameter is gone."""

    id = "renamed_probe"
    name = "Renamed probe"
    category = "Tests"
    outputs = (Port("out", "Out", "data_table"),)
    params = (Param("n_clusters", "Number of clusters", "int", default=2, min=2, max=10),)
    renamed_params = {"k": "n_clusters"}
    retired_params = frozenset({"legacy"})

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: modules.RunContext) -> dict[str, Any]:
        return {"out": pd.DataFrame({"n_clusters": [params["n_clusters"]]})}


@pytest.fixture
def renamed() -> Any:
    yield lambda: registry.add(RenamedProbe)
    registry.reload()


def test_module_level_migration_fills_the_new_name(renamed: Any) -> None:
    filled, issues = check_params(RenamedProbe, {"k": 7, "legacy": 1})
    assert filled == {"n_clusters": 7} and issues == []
    assert check_params(RenamedProbe, {"k": 7, "n_clusters": 3})[0] == {"n_clusters": 3}  # the new name wins
    assert registry.migrate_params("no_such_module", {"k": 1}) == {"k": 1}
    renamed()
    old_graph = {"nodes": [OLD_NODE], "edges": []}
    assert modules.validate_graph(old_graph)["warnings"] == []  # no "unknown parameter k"
    outputs = modules.run_graph(old_graph, lambda _id: pd.DataFrame())
    assert outputs[("probe", "out")]["n_clusters"].tolist() == [5]


def test_graph_saved_with_old_names_loads_with_new_ones(
    client: TestClient, alice: dict[str, str], renamed: Any
) -> None:
    # saved while the module still called it `k` (here: before the module existed at all)
    graph = {"nodes": [OLD_NODE], "edges": []}
    created = client.post("/api/experiments", headers=alice, json={"name": "old", "graph": graph})
    assert created.status_code == 201, created.text
    assert created.json()["graph"]["nodes"][0]["params"] == {"k": 5, "legacy": True}
    renamed()  # the module now declares `n_clusters`, renamed from `k`, and retired `legacy`
    loaded = client.get(f"/api/experiments/{created.json()['id']}", headers=alice).json()
    assert loaded["graph"]["nodes"][0]["params"] == {"n_clusters": 5}
    report = client.post("/api/graphs/validate", headers=alice, json={"graph": graph}).json()
    assert report["valid"] and report["warnings"] == []
