"""Model serialisation (no pickle) and the sample datasets."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import modules
from modules.samples import SAMPLES, load_sample, sample_columns, synthetic_blobs
from modules.trained_model import dump_model, load_model, model_from_bytes, model_to_bytes
from tests.modules.helpers import assign, kmeans, train


def rich_model() -> modules.TrainedClusterModel:
    df = pd.DataFrame(
        {
            "x": [0.0, 1.0, 10.0, 11.0, 5.0, np.nan],
            "color": ["r", "g", "b", "b", "r", "g"],
            "when": pd.to_datetime(["2020-01-01"] * 3 + ["2021-01-01"] * 3),
            "lab": [1, None, 2, None, 1, 2],
        }
    )
    model = kmeans(n_clusters=2, seed=3, normalize=True, assign_label_mode="fill_missing")
    out = train(df, model, column_set={"names": ["x", "color", "when"]}, label_column="lab")
    return out["trained_model"]


def test_trained_model_round_trips_through_a_file(tmp_path: Path) -> None:
    model = rich_model()
    path = tmp_path / "model.npz"
    dump_model(model, path)
    back = load_model(path)
    assert isinstance(back, modules.TrainedClusterModel)
    assert back == model
    assert back.model.centroids.dtype == np.float64 and np.array_equal(
        back.model.centroids, model.model.centroids
    )
    assert back.features.names == model.features.names
    assert back.cluster_labels == model.cluster_labels
    assert back.config == model.config
    assert back.to_json_summary() == model.to_json_summary()
    df = pd.DataFrame({"x": [0.5, 10.5], "color": ["r", "b"], "when": pd.to_datetime(["2020-01-01"] * 2)})
    pd.testing.assert_frame_equal(assign(df, back), assign(df, model))


def test_model_file_holds_no_pickle() -> None:
    data = model_to_bytes(rich_model())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
    assert names == ["centroids.npy", "cluster_sizes.npy", "metadata.npy", "norm_min.npy", "norm_scale.npy"]
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)


def test_untrained_model_round_trips() -> None:
    model = kmeans(
        trainer_mode="range", n_clusters_range="2-4, 8", init_sweep=["random", "evenly"], n_seeds=3
    )
    back = model_from_bytes(model_to_bytes(model))
    assert back == model


def test_model_equality_notices_differences() -> None:
    a = rich_model()
    b = model_from_bytes(model_to_bytes(a))
    assert isinstance(b, modules.TrainedClusterModel)
    b.model.centroids = b.model.centroids.copy()
    b.model.centroids[0, 0] += 1e-12
    assert a != b


def test_load_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    np.savez(path, metadata=np.array('{"format": "other"}'))
    with pytest.raises(ValueError):
        load_model(path)


def test_json_summary_is_strict_json() -> None:
    import json

    summary = rich_model().to_json_summary()
    json.dumps(summary, allow_nan=False)
    assert {
        "type",
        "k",
        "features",
        "metric",
        "normalize",
        "centroids",
        "cluster_sizes",
        "seed",
        "iterations_run",
    } <= set(summary)


# -- samples ------------------------------------------------------------------------------------------


def test_sample_ids_and_shapes() -> None:
    assert [s["id"] for s in SAMPLES] == [
        "sample-iris",
        "sample-iris-two-class",
        "sample-wine",
        "sample-breast-cancer",
        "sample-synthetic-100k",
        "sample-synthetic-1m",
    ]
    for s in SAMPLES[:4]:
        df = load_sample(s["id"])
        assert df.shape == (s["n_rows"], s["n_columns"]), s["id"]
        assert s["label_column"] in df.columns
        assert [n for n, _ in sample_columns(s["id"]) or []] == df.columns.tolist()
    iris = load_sample("sample-iris")
    assert iris.columns.tolist() == ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    assert iris["species"].value_counts().to_dict() == {"setosa": 50, "versicolor": 50, "virginica": 50}
    two = load_sample("sample-iris-two-class")
    assert sorted(two["Class"].unique().tolist()) == [0, 1] and len(two) == 100


def test_load_sample_returns_a_fresh_copy() -> None:
    a = load_sample("sample-iris")
    a.loc[0, "sepal_length"] = -1
    assert load_sample("sample-iris").loc[0, "sepal_length"] == 5.1
    with pytest.raises(KeyError):
        load_sample("sample-nope")


def test_synthetic_table_is_deterministic() -> None:
    small = synthetic_blobs(1000)
    pd.testing.assert_frame_equal(small, synthetic_blobs(1000))
    assert small.columns.tolist() == [f"x{j}" for j in range(1, 11)] + ["blob"]
    big = load_sample("sample-synthetic-100k")
    assert big.shape == (100_000, 11)
    assert sorted(big["blob"].unique()) == list("ABCDE")
    # The million rows are generated at each load, not kept; their columns are known without them.
    assert sample_columns("sample-synthetic-1m") == sample_columns("sample-synthetic-100k")
    million = load_sample("sample-synthetic-1m")
    assert million.shape == (1_000_000, 11)
    pd.testing.assert_frame_equal(million.head(1000), synthetic_blobs(1_000_000).head(1000))
    assert million["blob"].value_counts(normalize=True).round(2).to_dict() == {
        "A": 0.3,
        "B": 0.25,
        "C": 0.2,
        "D": 0.15,
        "E": 0.1,
    }
