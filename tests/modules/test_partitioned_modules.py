"""The modules that run part by part (issue 15), on a real LocalCluster, against the same modules on the
whole table in memory: a table of parts with missing values in some parts only, an integer column with
a missing value in one part, string categories that differ from part to part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import modules
from modules.algorithms.kmeans import KMeansConfig
from modules.partitioned import PartitionedTable
from modules.silhouette import partitioned_silhouettes, table_silhouettes
from modules.storage import read_table, write_table

pytestmark = pytest.mark.slow

N_PARTS, PART_ROWS = 4, 250


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = N_PARTS * PART_ROWS
    centres = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 1.0], [0.0, 6.0, 6.0]])
    labels = rng.integers(0, 3, n)
    frame = pd.DataFrame(centres[labels] + rng.normal(size=(n, 3)), columns=["x", "y", "z"])
    frame["count"] = np.arange(n, dtype=np.int64) % 17
    frame.loc[PART_ROWS + 3, "count"] = None  # in part 1 only: the column is float in every part
    frame.loc[[5, 7, 2 * PART_ROWS + 9], "y"] = np.nan  # rows left out of training, unassigned
    # categories "a", "b" in the first parts, "c" appears only in the last one
    frame["shop"] = np.where(np.arange(n) < 3 * PART_ROWS, np.where(labels == 1, "a", "b"), "c")
    frame["flag"] = labels == 2
    return frame


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frame as a folder of Parquet parts (what a dataset stored partitioned is)."""
    folder = tmp_path_factory.mktemp("parts") / "table.parquet"
    folder.mkdir()
    frame = _frame()
    for p in range(N_PARTS):
        write_table(frame.iloc[p * PART_ROWS : (p + 1) * PART_ROWS], folder / f"part-{p:05d}.parquet")
    return folder


def _parts(stored: Path, dask_client: Any) -> PartitionedTable:
    return PartitionedTable.from_parquet(sorted(stored.glob("part-*.parquet")), dask_client)


def _context(dask_client: Any) -> modules.RunContext:
    return modules.RunContext(cluster=lambda: dask_client)


def _train_both_ways(
    stored: Path, dask_client: Any, config: KMeansConfig, params: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
    """Train Clustering Model on the table in parts and on the whole table: both outputs, and the table."""
    got = modules.run_module(
        "train_clustering_model",
        params,
        {"untrained_model": config, "dataset": _parts(stored, dask_client)},
        _context(dask_client),
    )
    whole = read_table(stored)
    expected = modules.run_module(
        "train_clustering_model", params, {"untrained_model": config, "dataset": whole}
    )
    return got, expected, whole


def _assert_same(got: Any, expected: pd.DataFrame) -> None:
    assert isinstance(got, PartitionedTable)
    frame = got.gather()
    assert list(frame.columns) == list(expected.columns)
    assert got.columns == list(expected.columns)
    assert frame.shape == expected.shape
    for name in expected.columns:
        if pd.api.types.is_numeric_dtype(expected[name]) and not pd.api.types.is_bool_dtype(expected[name]):
            np.testing.assert_allclose(
                frame[name].to_numpy(float, na_value=np.nan),
                expected[name].to_numpy(float, na_value=np.nan),
                rtol=0,
                atol=1e-9,
                err_msg=name,
            )
        else:
            assert frame[name].tolist() == expected[name].tolist(), name


def test_the_parts_read_back_as_the_whole_table_reads(stored: Path, dask_client: Any) -> None:
    table = _parts(stored, dask_client)
    whole = read_table(stored)
    assert table.lengths == (PART_ROWS,) * N_PARTS
    assert table.meta.dtypes.to_dict() == whole.dtypes.to_dict()
    pd.testing.assert_frame_equal(table.gather(), whole)


def test_select_columns_part_by_part(stored: Path, dask_client: Any) -> None:
    params = {"column_set": {"names": ["shop", "x", "count"]}}
    got = modules.run_module(
        "select_columns", params, {"dataset": _parts(stored, dask_client)}, _context(dask_client)
    )
    expected = modules.run_module("select_columns", params, {"dataset": read_table(stored)})
    _assert_same(got["results_dataset"], expected["results_dataset"])


@pytest.mark.parametrize("method", ["zscore", "minmax", "logistic", "lognormal", "tanh"])
def test_normalize_data_part_by_part(stored: Path, dask_client: Any, method: str) -> None:
    params = {"method": method}
    got = modules.run_module(
        "normalize_data", params, {"dataset": _parts(stored, dask_client)}, _context(dask_client)
    )
    expected = modules.run_module("normalize_data", params, {"dataset": read_table(stored)})
    _assert_same(got["transformed_dataset"], expected["transformed_dataset"])


@pytest.mark.parametrize("normalize", [True, False])
def test_train_and_assign_part_by_part(stored: Path, dask_client: Any, normalize: bool) -> None:
    """K-Means from First N on string, boolean and numeric features with missing values: the in-memory
    fit's centroids and assignments, the results table and the cluster sizes."""
    config = KMeansConfig(n_clusters=3, init="first_n", seed=0, normalize=normalize)
    params = {"column_set": {"names": ["x", "y", "z", "count", "shop", "flag"]}}
    got, expected, whole = _train_both_ways(stored, dask_client, config, params)
    trained, reference = got["trained_model"], expected["trained_model"]
    assert trained.features.names == reference.features.names  # "shop=c" from the last part only
    assert "shop=c" in trained.features.names
    np.testing.assert_allclose(trained.model.centroids, reference.model.centroids, rtol=0, atol=1e-9)
    assert trained.cluster_sizes.tolist() == reference.cluster_sizes.tolist()
    assert trained.n_training_rows == reference.n_training_rows == len(whole) - 4  # missing y or count
    assert trained.model.iterations_run == reference.model.iterations_run
    np.testing.assert_allclose(trained.model.inertia, reference.model.inertia, rtol=1e-9)
    _assert_same(got["results_dataset"], expected["results_dataset"])

    scored = modules.run_module(
        "assign_data_to_clusters",
        {},
        {"trained_model": trained, "dataset": _parts(stored, dask_client)},
        _context(dask_client),
    )
    in_memory = modules.run_module(
        "assign_data_to_clusters", {}, {"trained_model": reference, "dataset": whole}
    )
    _assert_same(scored["results_dataset"], in_memory["results_dataset"])


def test_a_module_that_cannot_run_part_by_part_refuses_a_partitioned_table(
    stored: Path, dask_client: Any
) -> None:
    with pytest.raises(modules.ModuleError) as raised:
        modules.run_module("split_data", {}, {"dataset": _parts(stored, dask_client)}, _context(dask_client))
    assert raised.value.code == "0161"
    assert "Split Data" in raised.value.message


def test_evaluate_part_by_part(stored: Path, dask_client: Any) -> None:
    """The statistics and the agreement with a label column from per-part sums and counts: the
    in-memory module's, also with an in-memory table to compare and rows left unassigned."""
    config = KMeansConfig(n_clusters=3, init="first_n", seed=0)
    params = {"column_set": {"names": ["x", "y", "z"]}}
    whole = read_table(stored)
    trained = modules.run_module(
        "train_clustering_model", params, {"untrained_model": config, "dataset": whole}
    )
    assign = modules.run_module(
        "assign_data_to_clusters",
        {},
        {"trained_model": trained["trained_model"], "dataset": _parts(stored, dask_client)},
        _context(dask_client),
    )["results_dataset"]
    compare = trained["results_dataset"]
    inputs = {"scored_dataset": assign, "scored_dataset_to_compare": compare}
    got = modules.run_module("evaluate_clustering", {"label_column": "shop"}, inputs, _context(dask_client))
    expected = modules.run_module(
        "evaluate_clustering",
        {"label_column": "shop"},
        {"scored_dataset": assign.gather(), "scored_dataset_to_compare": compare},
    )
    for port in ("evaluation_results", "label_agreement"):
        table, reference = got[port], expected[port]
        assert list(table.columns) == list(reference.columns)
        assert table.iloc[:, 0].tolist() == reference.iloc[:, 0].tolist()
        np.testing.assert_allclose(
            table.iloc[:, 1:].to_numpy(float), reference.iloc[:, 1:].to_numpy(float), rtol=1e-9, err_msg=port
        )
    assert got["evaluation_results"]["Number of Points"].iloc[0] == len(whole) - 3  # 3 rows miss y
    _assert_same(got["row_silhouettes"], expected["row_silhouettes"])
    assert np.isnan(got["row_silhouettes"].gather()["Silhouette"]).sum() == 4  # a missing y or count


@pytest.mark.parametrize(
    ("mode", "label"), [("fill_missing", "count"), ("overwrite", "shop"), ("overwrite", "flag")]
)
def test_train_labels_the_clusters_part_by_part(
    stored: Path, dask_client: Any, mode: str, label: str
) -> None:
    """Assign label mode: each cluster's label is that of the labelled row nearest its centroid over
    every part (the in-memory labels), written into the results' label column part by part."""
    config = KMeansConfig(n_clusters=3, init="first_n", seed=0, assign_label_mode=mode)
    params = {"column_set": {"names": ["x", "y", "z"]}, "label_column": label}
    got, expected, whole = _train_both_ways(stored, dask_client, config, params)
    labels = got["trained_model"].cluster_labels
    assert labels == expected["trained_model"].cluster_labels
    # by hand: the labelled assigned row nearest each centroid in the whole table
    results = expected["results_dataset"]
    distances = results[[f"DistancesToClusterCenter no.{j}" for j in range(3)]].to_numpy()
    known = whole[label].notna().to_numpy() & results["Assignments"].notna().to_numpy()
    nearest = [
        whole[label].to_numpy()[np.flatnonzero(known)[np.argmin(distances[known, j])]] for j in range(3)
    ]
    assert labels == [v.item() if hasattr(v, "item") else v for v in nearest]
    _assert_same(got["results_dataset"], results)
    if mode == "fill_missing":  # the one missing count filled with its cluster's label
        row = PART_ROWS + 3
        filled = got["results_dataset"].gather()[label].iloc[row]
        assert filled == labels[int(results["Assignments"].iloc[row])]


@pytest.mark.parametrize("exact_rows", [100, 5000], ids=["sampled", "every-row"])
def test_silhouettes_part_by_part(stored: Path, dask_client: Any, exact_rows: int) -> None:
    """Both silhouettes of a results table in parts: the exact one on the same sample of rows drawn by
    cluster, the simplified one against the same centroids, as the whole table's."""
    config = KMeansConfig(n_clusters=3, init="first_n", seed=0)
    params = {"column_set": {"names": ["x", "y", "z"]}}
    got = modules.run_module(
        "train_clustering_model",
        params,
        {"untrained_model": config, "dataset": _parts(stored, dask_client)},
        _context(dask_client),
    )["results_dataset"]
    whole = got.gather()
    found, _ = table_silhouettes(whole, exact_rows)
    table = partitioned_silhouettes(got, ("exact", "simplified"), exact_rows).gather()
    np.testing.assert_allclose(table["exact"].to_numpy(), found.exact, rtol=0, atol=1e-9)
    np.testing.assert_allclose(table["simplified"].to_numpy(), found.simplified, rtol=0, atol=1e-9)
    assert np.count_nonzero(~np.isnan(table["exact"])) == min(exact_rows, len(whole) - 4)


def test_a_table_is_stored_part_by_part_and_a_table_as_read_by_linking_its_files(
    stored: Path, dask_client: Any, tmp_path: Path
) -> None:
    table = _parts(stored, dask_client)
    linked = tmp_path / "linked"
    linked.mkdir()
    assert table.write_parts(linked) == [PART_ROWS] * N_PARTS
    for name in sorted(path.name for path in stored.glob("part-*.parquet")):
        assert (linked / name).samefile(stored / name)  # the dataset's own files, not copies

    params = {"column_set": {"names": ["shop", "x"]}}
    selected = modules.run_module("select_columns", params, {"dataset": table}, _context(dask_client))
    written = tmp_path / "written"
    written.mkdir()
    assert selected["results_dataset"].write_parts(written) == [PART_ROWS] * N_PARTS
    assert len(list(written.glob("part-*.parquet"))) == N_PARTS
    pd.testing.assert_frame_equal(read_table(written), read_table(stored)[["x", "shop"]])  # in table order


def test_a_cancelled_node_stops_its_pass_over_the_parts(stored: Path, dask_client: Any) -> None:
    ctx = modules.RunContext(cluster=lambda: dask_client, stop_requested=lambda: True)
    with pytest.raises(modules.Cancelled):
        modules.run_module("normalize_data", {}, {"dataset": _parts(stored, dask_client)}, ctx)
