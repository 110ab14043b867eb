"""The seeds a run drew, set in an exported experiment's graph: which node each one belongs to."""

from __future__ import annotations

from modules.graph.script import with_drawn_seeds
from modules.training import SEED_DRAWN, drawn_seed
from tests.graphs import edge, node


def seeds_of(graph: dict) -> dict[str, object]:
    return {n["id"]: n["params"].get("seed") for n in graph["nodes"] if "seed" in n["params"]}


def test_a_drawn_seed_is_read_back_from_the_log_line_that_announced_it() -> None:
    log = f"Features: a, b.\n{SEED_DRAWN.format(seed=4294967295)}\nDone."
    assert drawn_seed(log) == 4294967295
    assert drawn_seed("Features: a, b.\nDone.") is None


def test_the_seed_train_drew_goes_to_the_model_configuration_feeding_it() -> None:
    graph = {
        "nodes": [
            node("data", "dataset", dataset_id="sample-iris"),
            node("km", "kmeans_clustering", n_clusters=3),  # seed omitted: its default is empty
            node("train", "train_clustering_model"),
        ],
        "edges": [
            edge("km", "untrained_model", "train", "untrained_model"),
            edge("data", "dataset", "train", "dataset"),
        ],
    }
    seeded, seeds = with_drawn_seeds(graph, {"train": 123}, run_id=5)
    assert seeds.filled == {"km": 123} and seeds.conflicts == [] and seeds.run_id == 5
    assert seeds_of(seeded) == {"km": 123}
    assert "seed" not in graph["nodes"][1]["params"]  # the caller's graph is left as it was


def test_a_configured_seed_is_kept_and_one_configuration_feeding_two_trainings_keeps_the_first() -> None:
    graph = {
        "nodes": [
            node("data", "dataset", dataset_id="sample-iris"),
            node("fixed", "kmeans_clustering", seed=7),
            node("km", "kmeans_clustering", seed=None),
            node("t1", "train_clustering_model"),
            node("t2", "train_clustering_model"),
            node("t3", "train_clustering_model"),
        ],
        "edges": [
            edge("km", "untrained_model", "t1", "untrained_model"),
            edge("km", "untrained_model", "t2", "untrained_model"),
            edge("fixed", "untrained_model", "t3", "untrained_model"),
        ],
    }
    seeded, seeds = with_drawn_seeds(graph, {"t1": 1, "t2": 2, "t3": 3}, run_id=9)
    assert seeds.filled == {"km": 1}  # t1 comes first; t3's model had its own seed
    assert seeds.conflicts == ["km"]
    assert seeds_of(seeded) == {"fixed": 7, "km": 1}
