"""The server's views of a table output stored partitioned (a folder of Parquet parts), read one part at
a time: what adds up is exact (compared with pandas on the whole table), what needs every value at once
comes from an even sample of the rows (compared with scikit-learn / numpy on those rows)."""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk
from sklearn.metrics import silhouette_samples
from sklearn.preprocessing import MinMaxScaler

from backend.executor import ArtefactRef, ArtefactStore
from backend.services import node_outputs
from backend.services.outputs.parts import SAMPLE_ROWS
from modules.ports import DATA_TABLE
from modules.storage import is_partitioned, write_partitioned, write_table

#: More rows than the sample of the sampled statistics, so that a sample is taken.
N_ROWS = 61_003
N_PARTS = 4
FEATURES = ["x", "y"]


def results_table(n: int = N_ROWS, seed: int = 7) -> pd.DataFrame:
    """A clustering result with gaps: missing numbers, noise rows, missing labels."""
    rng = np.random.default_rng(seed)
    cluster = rng.integers(-1, 4, n)  # -1: noise
    x = cluster * 3.0 + rng.normal(size=n)
    x[rng.random(n) < 0.01] = np.nan
    y = (cluster * 5 + rng.integers(0, 4, n)).astype(np.int64)
    species = np.array(["a", "b", "c"], dtype=object)[np.clip(cluster, 0, 2)]
    species[rng.random(n) < 0.02] = None
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "species": species,
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
            "Assignments": cluster,
        }
    )


def store_partitioned(
    store: ArtefactStore, frame: pd.DataFrame, tmp: Path, view: str | None = None, n_parts: int = N_PARTS
) -> ArtefactRef:
    """``frame`` stored as a partitioned table output (the folder a Dask run writes: ``<key>.parquet``),
    shown with ``view``."""
    whole = tmp / f"{uuid.uuid4().hex}.parquet"
    write_table(frame, whole)
    ref = ArtefactRef(uuid.uuid4().hex, DATA_TABLE, view)
    folder = store.path(ref).with_suffix(".parquet")
    folder.parent.mkdir(parents=True, exist_ok=True)
    parts = write_partitioned(whole, folder, whole.stat().st_size // n_parts + 1)
    assert parts >= 3 and is_partitioned(store.path(ref))
    return ref


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArtefactStore, ArtefactRef, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("views")
    store = ArtefactStore(tmp / "artefacts")
    frame = results_table()
    return store, store_partitioned(store, frame, tmp, "clusters"), frame


def even_rows(n_rows: int, size: int) -> np.ndarray:
    """The rows of an even sample: row ⌊i · n_rows / size⌋ for i < size."""
    return np.array([i * n_rows // size for i in range(size)])


def test_the_summary_is_exact_where_it_adds_up_and_says_its_sample(stored) -> None:
    store, ref, frame = stored
    summary = node_outputs.summary(store, ref)
    assert summary["n_rows"] == N_ROWS and summary["n_columns"] == frame.shape[1]
    assert summary["sampled_rows"] == SAMPLE_ROWS < N_ROWS
    columns = {c["name"]: c for c in summary["columns"]}
    assert {name: c["type"] for name, c in columns.items()} == {
        "x": "numeric",
        "y": "numeric",
        "species": "string",
        "flag": "boolean",
        "when": "datetime",
        "Assignments": "numeric",
    }
    for name in ("x", "y", "Assignments"):
        stats, column = columns[name]["stats"], frame[name]
        assert stats["count"] == column.count() and stats["missing"] == column.isna().sum()
        assert stats["min"] == column.min() and stats["max"] == column.max()
        assert stats["mean"] == pytest.approx(column.mean(), rel=1e-12)
        assert stats["std"] == pytest.approx(column.std(), rel=1e-12)
    assert isinstance(columns["y"]["stats"]["min"], int)  # integers stay exact
    species = columns["species"]["stats"]
    assert (
        species["count"] == frame["species"].count() and species["missing"] == frame["species"].isna().sum()
    )
    flag = columns["flag"]["stats"]
    assert flag["true_count"] == frame["flag"].sum() and flag["false_count"] == (~frame["flag"]).sum()
    when = columns["when"]["stats"]
    assert when["min"] == frame["when"].min().isoformat() and when["max"] == frame["when"].max().isoformat()
    # Quartiles and top values are the sample's: pandas' over the sampled rows.
    sample = frame.iloc[even_rows(N_ROWS, SAMPLE_ROWS)]
    assert columns["x"]["stats"]["median"] == pytest.approx(sample["x"].median(), rel=1e-12)
    assert columns["x"]["stats"]["q25"] == pytest.approx(sample["x"].quantile(0.25), rel=1e-12)
    top = sample["species"].value_counts()
    assert [(t["value"], t["count"]) for t in species["top"]] == list(
        zip(top.index, top.tolist(), strict=True)
    )
    assert len(summary["preview"]) == 100
    assert [row[1] for row in summary["preview"]] == frame["y"].head(100).tolist()
    assert node_outputs.summary(store, ref) == summary  # kept beside it


def test_profiles_count_and_average_every_row(stored) -> None:
    store, ref, frame = stored
    profile = node_outputs.profile(store, ref)
    sizes = frame["Assignments"].value_counts().sort_index()
    assert profile["n_rows"] == N_ROWS and profile["assigned_rows"] == N_ROWS
    assert [c["cluster"] for c in profile["clusters"]] == sizes.index.tolist()
    assert [c["size"] for c in profile["clusters"]] == sizes.tolist()
    assert profile["profiled_rows"] == SAMPLE_ROWS and profile["moments_of_all_rows"]
    for name in FEATURES:
        feature = next(f for f in profile["features"] if f["feature"] == name)
        grouped = frame.groupby("Assignments")[name]
        assert [c["count"] for c in feature["clusters"]] == grouped.count().tolist()
        assert [c["mean"] for c in feature["clusters"]] == pytest.approx(grouped.mean().tolist(), rel=1e-12)
        assert [c["std"] for c in feature["clusters"]] == pytest.approx(grouped.std().tolist(), rel=1e-10)
        assert feature["overall"]["mean"] == pytest.approx(frame[name].mean(), rel=1e-12)
        assert feature["overall"]["std"] == pytest.approx(frame[name].std(), rel=1e-10)
    # Cohen's d of cluster 0's x against the rest, from every row.
    x = frame["x"].dropna()
    inside, rest = x[frame["Assignments"] == 0], x[frame["Assignments"] != 0]
    pooled = math.sqrt(
        (((inside - inside.mean()) ** 2).sum() + ((rest - rest.mean()) ** 2).sum()) / (len(x) - 2)
    )
    feature = next(f for f in profile["features"] if f["feature"] == "x")
    cluster_0 = [c["cluster"] for c in profile["clusters"]].index(0)
    assert feature["clusters"][cluster_0]["effect"] == pytest.approx(
        (inside.mean() - rest.mean()) / pooled, rel=1e-9
    )


def test_agreement_is_exact(stored) -> None:
    store, ref, frame = stored
    found = node_outputs.agreement(store, ref, "species")
    kept = frame[(frame["Assignments"] >= 0) & frame["species"].notna()]
    truth, clusters = kept["species"], kept["Assignments"]
    scores = {m["id"]: m["value"] for m in found["metrics"]}
    assert found["n_rows"] == N_ROWS and found["compared_rows"] == len(kept)
    assert found["left_out"] == {
        "missing_assignment": 0,
        "noise": int((frame["Assignments"] < 0).sum()),
        "missing_label": int(((frame["Assignments"] >= 0) & frame["species"].isna()).sum()),
    }
    assert scores["adjusted_rand"] == pytest.approx(sk.adjusted_rand_score(truth, clusters), abs=1e-12)
    assert scores["normalized_mutual_info"] == pytest.approx(
        sk.normalized_mutual_info_score(truth, clusters), abs=1e-12
    )
    assert scores["v_measure"] == pytest.approx(sk.v_measure_score(truth, clusters), abs=1e-12)
    expected = pd.crosstab(clusters, truth)
    assert found["clusters"] == expected.index.tolist() and found["labels"] == expected.columns.tolist()
    assert found["contingency"] == expected.to_numpy().tolist()
    with pytest.raises(node_outputs.NotATable, match="no label column 'nope'"):
        node_outputs.agreement(store, ref, "nope")
    with pytest.raises(node_outputs.NotATable, match="distinct values"):
        node_outputs.agreement(store, ref, "x")  # a column of numbers, not labels


def test_silhouette_and_metrics_come_from_the_sampled_rows(stored) -> None:
    store, ref, frame = stored
    plot = node_outputs.silhouette(store, ref)
    rows = even_rows(N_ROWS, 5000)
    sample = frame.iloc[rows]
    kept = sample[(sample["Assignments"] >= 0) & sample["x"].notna()]
    X = MinMaxScaler().fit_transform(kept[FEATURES])
    reference = silhouette_samples(X, kept["Assignments"])
    assert plot["sampled"] and plot["sampled_from_rows"] == N_ROWS and plot["features"] == FEATURES
    assert plot["mean"] == pytest.approx(reference.mean(), abs=1e-12)
    worst = plot["clusters"][0]["worst"][0]  # named by its row in the whole table
    assert worst["values"]["y"] == frame["y"].iloc[worst["row"]]
    assert worst["silhouette"] == pytest.approx(reference[kept.index.get_loc(worst["row"])], abs=1e-4)

    found = node_outputs.result_metrics(store, ref)
    assert found["clusters"] == 4 and found["noise_rows"] == int((frame["Assignments"] < 0).sum())
    sample = frame.iloc[even_rows(N_ROWS, SAMPLE_ROWS)]
    kept = sample[(sample["Assignments"] >= 0) & sample["x"].notna()]
    X = MinMaxScaler().fit_transform(kept[FEATURES])
    labels = kept["Assignments"].to_numpy()
    centroids = np.array([X[labels == c].mean(axis=0) for c in range(4)])
    distances = np.linalg.norm(X[:, None, :] - centroids[None, :, :], axis=2)
    a = distances[np.arange(len(X)), labels]
    distances[np.arange(len(X)), labels] = np.inf
    b = distances.min(axis=1)
    assert found["average_deviation"] == pytest.approx(a.mean(), rel=1e-9)
    assert found["simplified_silhouette"] == pytest.approx(((b - a) / np.maximum(a, b)).mean(), rel=1e-9)


def test_csv_and_parquet_copies_are_the_whole_table_written_part_by_part(stored) -> None:
    store, ref, frame = stored
    text = b"".join(node_outputs.csv_chunks(store, ref)).decode()
    assert text == frame.to_csv(index=False, lineterminator="\r\n")
    with node_outputs.as_parquet(store, ref) as copy:
        assert copy.is_file()
        pd.testing.assert_frame_equal(pd.read_parquet(copy), frame)
    assert not copy.exists()


def test_the_chart_of_all_points_is_the_sample(stored) -> None:
    store, ref, frame = stored
    chart = json.loads(node_outputs.visualization(store, ref, all_points=True))
    assert chart["kind"] == "clusters" and chart["sampled_from_rows"] == N_ROWS


def test_a_small_partitioned_table_is_summarised_from_all_its_rows(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path / "artefacts")
    frame = results_table(900, seed=3).drop(columns="Assignments")
    ref = store_partitioned(store, frame, tmp_path)
    summary = node_outputs.summary(store, ref)
    assert summary["sampled_rows"] == 900 == summary["n_rows"]
    whole = {c["name"]: c for c in node_outputs.payloads.table_summary(frame)["columns"]}
    for column in summary["columns"]:  # every statistic, not only the exact ones: the sample is the table
        expected = whole[column["name"]]["stats"]
        for key, value in column["stats"].items():
            assert value == (
                pytest.approx(expected[key], rel=1e-12) if isinstance(value, float) else expected[key]
            )
    with pytest.raises(node_outputs.NotATable, match="not a clustering result"):
        node_outputs.profile(store, ref)
