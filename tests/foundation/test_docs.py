"""The user docs that are written from code stay in step with it."""

from __future__ import annotations

from pathlib import Path

from modules.reference import module_reference

ROOT = Path(__file__).resolve().parents[2]


def test_module_reference_is_current() -> None:
    committed = (ROOT / "docs" / "modules.md").read_text()
    assert committed == module_reference(), "run: make generated"


def test_module_reference_names_every_module_and_error_code() -> None:
    text = module_reference()
    for wire_id in (
        "kmeans_clustering",
        "train_clustering_model",
        "sweep_clustering",
        "assign_data_to_clusters",
    ):
        assert f"(`{wire_id}`)" in text
    assert "| 0039 |" in text and "Number of Centroids" in text
