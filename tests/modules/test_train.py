"""Train Clustering Model and Assign Data to Clusters on hand-computed toy cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import modules
from tests.modules.helpers import assign, kmeans, new_columns, train


def one_d(values: list[float], **extra: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"x": values, **extra})


def centroids_of(out: dict[str, object]) -> np.ndarray:
    model = out["trained_model"]
    assert isinstance(model, modules.TrainedClusterModel)
    return model.model.centroids


# -- initialisations --------------------------------------------------------------------------------


def test_first_n_init() -> None:
    # init at the first two distinct rows 0 and 4; 12 pulls centroid 1 to 7, then 4 stays with it.
    out = train(one_d([0, 4, 5, 12]), kmeans(n_clusters=2, init="first_n", seed=0))
    np.testing.assert_allclose(centroids_of(out), [[0.0], [7.0]], rtol=0, atol=1e-12)
    res = out["results_dataset"]
    assert res["Assignments"].tolist() == [0, 1, 1, 1]
    np.testing.assert_allclose(res["DistancesToClusterCenter no.0"], [0, 4, 5, 12], atol=1e-12)
    np.testing.assert_allclose(res["DistancesToClusterCenter no.1"], [7, 3, 2, 5], atol=1e-12)


def test_first_n_skips_duplicate_rows() -> None:
    out = train(one_d([0, 0, 4, 5, 12]), kmeans(n_clusters=2, init="first_n", seed=0))
    np.testing.assert_allclose(centroids_of(out), [[0.0], [7.0]], atol=1e-12)


def test_evenly_init() -> None:
    # c_j = lo + (j+1)/(k+1)·(hi−lo) = 4, 8 → {0, 4, 5} and {12} → 3 and 12.
    out = train(one_d([0, 4, 5, 12]), kmeans(n_clusters=2, init="evenly", seed=0))
    np.testing.assert_allclose(centroids_of(out), [[3.0], [12.0]], atol=1e-12)
    assert out["results_dataset"]["Assignments"].tolist() == [0, 0, 0, 1]


def test_evenly_init_one_iteration_shows_the_initial_centroids() -> None:
    # 2-D, k=3: lo=(0,0), hi=(8,4): initial centroids (2,1), (4,2), (6,3); one pass = one mean update.
    df = pd.DataFrame({"a": [0.0, 8.0, 2.0, 4.2, 6.5], "b": [0.0, 4.0, 1.0, 2.0, 3.0]})
    out = train(df, kmeans(n_clusters=3, init="evenly", iterations=1, seed=0))
    # (0,0) and (2,1) → c0; (4.2, 2) → c1; (8,4) and (6.5,3) → c2
    np.testing.assert_allclose(centroids_of(out), [[1.0, 0.5], [4.2, 2.0], [7.25, 3.5]], atol=1e-12)
    assert out["trained_model"].model.iterations_run == 1


def test_label_column_init_most_frequent_label_first() -> None:
    df = one_d([0, 1, 10, 11, 12], lab=["x", "x", "y", "y", "y"])
    out = train(df, kmeans(n_clusters=2, init="label_column", seed=0), label_column="lab")
    # y (3 rows) is cluster 0 at mean 11, x (2 rows) cluster 1 at 0.5
    np.testing.assert_allclose(centroids_of(out), [[11.0], [0.5]], atol=1e-12)
    assert out["results_dataset"]["Assignments"].tolist() == [1, 1, 0, 0, 0]
    assert out["trained_model"].features.names == ["x"]  # the label is not a feature


def test_label_column_init_fills_up_with_kmeans_plus_plus() -> None:
    df = one_d([0, 1, 10, 11, 12], lab=["x", "x", None, None, None])
    out = train(df, kmeans(n_clusters=2, init="label_column", seed=3), label_column="lab")
    np.testing.assert_allclose(centroids_of(out), [[0.5], [11.0]], atol=1e-12)


def test_random_partition_init() -> None:
    # Any partition of these rows puts the two means either side of the gap → {0,1} and {10,11,12}.
    for seed in range(5):
        out = train(one_d([0, 1, 10, 11, 12]), kmeans(n_clusters=2, init="random", seed=seed))
        c = sorted(centroids_of(out)[:, 0].tolist())
        np.testing.assert_allclose(c, [0.5, 11.0], atol=1e-12)


def three_blobs() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    truth = np.repeat([0, 1, 2], 20)
    X = centres[truth] + rng.uniform(-1, 1, size=(60, 2))
    perm = rng.permutation(60)
    return pd.DataFrame(X[perm], columns=["a", "b"]), truth[perm]


@pytest.mark.parametrize("init", ["kmeans++", "kmeans++_fast", "random", "first_n", "evenly"])
def test_every_init_finds_three_separated_blobs(init: str) -> None:
    df, truth = three_blobs()
    out = train(df, kmeans(n_clusters=3, init=init, seed=7))
    labels = out["results_dataset"]["Assignments"].to_numpy(dtype=int)
    # the partition equals the truth up to renaming, and every centroid is its blob's mean
    pairs = set(zip(labels.tolist(), truth.tolist(), strict=True))
    assert len(pairs) == 3
    X = df.to_numpy()
    for j in range(3):
        np.testing.assert_allclose(centroids_of(out)[j], X[labels == j].mean(axis=0), atol=1e-9)


def test_same_seed_same_centroids_bit_for_bit() -> None:
    df, _ = three_blobs()
    a = centroids_of(train(df, kmeans(n_clusters=4, init="kmeans++", seed=11)))
    b = centroids_of(train(df, kmeans(n_clusters=4, init="kmeans++", seed=11)))
    assert np.array_equal(a, b)


def test_null_seed_is_drawn_logged_and_recorded() -> None:
    ctx = modules.RunContext()
    df, _ = three_blobs()
    out = train(df, modules.run_module("kmeans_clustering", {"n_clusters": 3}, {})["untrained_model"], ctx)
    seed = out["trained_model"].seed
    assert isinstance(seed, int) and 0 <= seed < 2**32
    assert any(str(seed) in line for line in ctx.logs)


# -- cosine -------------------------------------------------------------------------------------------


def test_cosine_metric_spherical_kmeans() -> None:
    X = np.array([[2.0, 0.0], [0.0, 3.0], [3.0, 1.0], [1.0, 4.0]])
    out = train(
        pd.DataFrame(X, columns=["a", "b"]), kmeans(n_clusters=2, init="first_n", metric="cosine", seed=0)
    )
    units = X / np.linalg.norm(X, axis=1, keepdims=True)
    c0 = units[0] + units[2]
    c1 = units[1] + units[3]
    expected = np.array([c0 / np.linalg.norm(c0), c1 / np.linalg.norm(c1)])
    np.testing.assert_allclose(centroids_of(out), expected, atol=1e-12)
    res = out["results_dataset"]
    assert res["Assignments"].tolist() == [0, 1, 0, 1]
    for j in range(2):
        np.testing.assert_allclose(
            res[f"DistancesToClusterCenter no.{j}"], 1 - units @ expected[j], atol=1e-12
        )
    assert out["trained_model"].model.metric == "cosine"


def test_cosine_ignores_the_length_of_rows() -> None:
    X = pd.DataFrame({"a": [1.0, 0.1, 50.0, 7.0], "b": [0.1, 1.0, 4.0, 80.0]})
    out = train(X, kmeans(n_clusters=2, init="first_n", metric="cosine", seed=0))
    # (50, 4) is far from (1, 0.1) but points the same way
    assert out["results_dataset"]["Assignments"].tolist() == [0, 1, 0, 1]


# -- labels -----------------------------------------------------------------------------------------

LABEL_DF = one_d([0, 1, 10, 11, 13], lab=["a", None, "b", "c", None])


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("ignore", ["a", None, "b", "c", None]),
        # cluster {0,1} (centre 0.5): only 'a' is labelled;
        # cluster {10,11,13} (centre 34/3): 'c' at 11 is nearest
        ("fill_missing", ["a", "a", "b", "c", "c"]),
        ("overwrite", ["a", "a", "c", "c", "c"]),
    ],
)
def test_label_modes(mode: str, expected: list[object]) -> None:
    out = train(
        LABEL_DF, kmeans(n_clusters=2, init="first_n", seed=0, assign_label_mode=mode), label_column="lab"
    )
    res = out["results_dataset"]
    assert res["Assignments"].tolist() == [0, 0, 1, 1, 1]
    got = [None if pd.isna(v) else v for v in res["lab"]]
    assert got == expected
    model = out["trained_model"]
    assert model.label_column == "lab"
    if mode != "ignore":
        assert model.cluster_labels == ["a", "c"]
        # Assign applies the model's label mode too
        again = assign(LABEL_DF, model)
        assert [None if pd.isna(v) else v for v in again["lab"]] == expected


def test_label_mode_keeps_label_of_rows_with_missing_features() -> None:
    df = pd.DataFrame({"x": [0, 1, np.nan, 10, 11], "lab": ["a", None, None, "b", None]})
    out = train(
        df, kmeans(n_clusters=2, init="first_n", seed=0, assign_label_mode="overwrite"), label_column="lab"
    )
    got = [None if pd.isna(v) else v for v in out["results_dataset"]["lab"]]
    assert got == ["a", "a", None, "b", "b"]


def test_numeric_label_column_is_not_a_default_feature() -> None:
    df = pd.DataFrame({"Class": [0, 0, 1, 1], "x": [0.0, 1.0, 10.0, 11.0]})
    out = train(df, label_column="Class")
    assert out["trained_model"].features.names == ["x"]
    out = train(df, column_set={"names": ["Class", "x"]}, label_column="Class")
    assert out["trained_model"].features.names == ["Class", "x"]


# -- missing values, one-hot, output columns --------------------------------------------------------


def test_rows_with_missing_features_are_unassigned_and_pass_through() -> None:
    df = pd.DataFrame(
        {"x": [0.0, 1.0, np.nan, 10.0, 11.0], "y": [0.0, 0.0, 5.0, np.inf, 0.0], "name": list("abcde")}
    )
    out = train(df, kmeans(n_clusters=2, init="first_n", seed=0))
    res = out["results_dataset"]
    assert res.columns.tolist() == ["x", "y", "name", *new_columns(2)]
    pd.testing.assert_frame_equal(res[["x", "y", "name"]], df)
    assert str(res["Assignments"].dtype) == "Int64"
    assert res["Assignments"].isna().tolist() == [False, False, True, True, False]
    assert res["DistancesToClusterCenter no.0"].isna().tolist() == [False, False, True, True, False]
    assert out["trained_model"].n_training_rows == 3
    assert out["trained_model"].cluster_sizes.tolist() == [2, 1]


def test_one_hot_encoding_of_selected_string_columns() -> None:
    df = pd.DataFrame({"num": [0.0, 100.0, 0.0, 100.0], "color": ["r", "b", "g", "b"]})
    out = train(df, kmeans(n_clusters=2, init="first_n", seed=0), column_set={"names": ["num", "color"]})
    model = out["trained_model"]
    assert model.features.names == ["num", "color=b", "color=g", "color=r"]
    np.testing.assert_allclose(model.model.centroids, [[0, 0, 0.5, 0.5], [100, 1, 0, 0]], atol=1e-12)
    # Assign: an unseen category gets all zeros (with a warning), a missing one leaves the row unassigned
    ctx = modules.RunContext()
    new = pd.DataFrame({"num": [0.0, 100.0, 0.0], "color": ["y", "b", None]})
    res = assign(new, model, ctx)
    assert res["Assignments"].tolist()[:2] == [0, 1] and pd.isna(res["Assignments"].iloc[2])
    np.testing.assert_allclose(res["DistancesToClusterCenter no.0"].iloc[0], np.sqrt(0.5), atol=1e-12)
    assert any("not seen in training" in w for w in ctx.warnings)


def test_datetime_and_boolean_features() -> None:
    df = pd.DataFrame(
        {
            "when": pd.to_datetime(
                ["1970-01-01 00:00:00", "1970-01-01 00:00:10", "1970-01-02 00:00:00", "1970-01-02 00:00:10"]
            ),
            "flag": [True, False, True, False],
        }
    )
    out = train(df, kmeans(n_clusters=2, init="first_n", seed=0), column_set={"names": ["when", "flag"]})
    model = out["trained_model"]
    assert [fc.kind for fc in model.features.columns] == ["datetime", "boolean"]
    np.testing.assert_allclose(model.model.centroids, [[5.0, 0.5], [86405.0, 0.5]], atol=1e-9)


def test_name_clash_gets_a_numeric_suffix() -> None:
    df = pd.DataFrame(
        {"x": [0.0, 1.0, 10.0], "Assignments": [9, 9, 9], "DistancesToClusterCenter no.0": [1, 1, 1]}
    )
    out = train(df, column_set={"names": ["x"]})
    assert out["results_dataset"].columns.tolist() == [
        "x",
        "Assignments",
        "DistancesToClusterCenter no.0",
        "Assignments (2)",
        "DistancesToClusterCenter no.0 (2)",
        "DistancesToClusterCenter no.1",
    ]
    assert out["results_dataset"]["Assignments"].tolist() == [9, 9, 9]


def test_append_off_gives_only_the_new_columns() -> None:
    df = pd.DataFrame({"x": [0.0, 1.0, 10.0], "name": ["a", "b", "c"]})
    out = train(df, kmeans(n_clusters=3, init="first_n", seed=0), append=False)
    assert out["results_dataset"].columns.tolist() == new_columns(3)
    assert out["results_dataset"]["Assignments"].tolist() == [0, 1, 2]


def test_range_mode_model_uses_the_first_values_with_a_warning() -> None:
    ctx = modules.RunContext()
    model = kmeans(trainer_mode="range", n_clusters_range="3-5", init_sweep=["first_n", "random"])
    out = train(pd.DataFrame({"x": [0.0, 1.0, 5.0, 10.0]}), model, ctx)
    assert out["trained_model"].k == 3
    assert out["trained_model"].model.init == "first_n"
    assert any("first value of each list" in w for w in ctx.warnings)


# -- normalisation ------------------------------------------------------------------------------------


def test_normalisation_fitted_on_training_data_and_reapplied_on_assign() -> None:
    df = pd.DataFrame({"x": [0.0, 10.0, 20.0, 30.0], "y": [0.0, 5.0, 0.0, 5.0]})
    out = train(df, kmeans(n_clusters=2, init="first_n", seed=0, normalize=True))
    model = out["trained_model"]
    np.testing.assert_array_equal(model.features.norm_min, [0.0, 0.0])
    np.testing.assert_array_equal(model.features.norm_scale, [30.0, 5.0])
    # normalised rows (0,0) (1/3,1) (2/3,0) (1,1) → centroids (1/3, 0) and (2/3, 1)
    np.testing.assert_allclose(model.model.centroids, [[1 / 3, 0.0], [2 / 3, 1.0]], atol=1e-12)
    new = pd.DataFrame({"y": [5.0, -5.0], "x": [15.0, 60.0], "extra": ["p", "q"]})
    res = assign(new, model)
    # (15, 5) → (0.5, 1); (60, −5) → (2, −1)
    np.testing.assert_allclose(res["DistancesToClusterCenter no.0"], [np.sqrt(1 / 36 + 1), np.sqrt(34 / 9)])
    np.testing.assert_allclose(res["DistancesToClusterCenter no.1"], [1 / 6, np.sqrt(52 / 9)])
    assert res["Assignments"].tolist() == [1, 0]
    assert res.columns.tolist() == ["y", "x", "extra", *new_columns(2)]


def test_constant_feature_is_shifted_to_zero() -> None:
    df = pd.DataFrame({"x": [0.0, 1.0, 10.0, 11.0], "c": [3.0, 3.0, 3.0, 3.0]})
    model = train(df, kmeans(n_clusters=2, init="first_n", seed=0, normalize=True))["trained_model"]
    np.testing.assert_array_equal(model.features.norm_scale, [11.0, 1.0])
    np.testing.assert_allclose(model.model.centroids[:, 1], [0.0, 0.0])


def test_assign_reproduces_the_training_results() -> None:
    df, _ = three_blobs()
    out = train(df, kmeans(n_clusters=3, seed=5, normalize=True))
    pd.testing.assert_frame_equal(assign(df, out["trained_model"]), out["results_dataset"])


def test_assign_adds_the_label_column_when_the_table_has_none() -> None:
    model = train(
        LABEL_DF,
        kmeans(n_clusters=2, init="first_n", seed=0, assign_label_mode="fill_missing"),
        label_column="lab",
    )["trained_model"]
    res = assign(pd.DataFrame({"x": [0.2, 12.0, np.nan]}), model)
    assert res.columns.tolist() == ["x", "lab", *new_columns(2)]
    assert [None if pd.isna(v) else v for v in res["lab"]] == ["a", "c", None]


def test_result_only_with_a_label_mode_warns() -> None:
    ctx = modules.RunContext()
    model = kmeans(n_clusters=2, init="first_n", seed=0, assign_label_mode="overwrite")
    out = train(LABEL_DF, model, ctx, label_column="lab", append=False)
    assert out["results_dataset"].columns.tolist() == new_columns(2)
    assert any("Result Only" in w for w in ctx.warnings)
