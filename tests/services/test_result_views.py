"""Views of a results table: cluster profiles and agreement against pandas and scikit-learn, the
silhouette plot against silhouette_samples (Iris, Wine, toys)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, load_wine
from sklearn.metrics import silhouette_samples
from sklearn.preprocessing import MinMaxScaler

from backend.services.outputs import profiles
from backend.services.outputs.agreement import MAX_LABEL_VALUES, InvalidLabelColumn, label_agreement
from backend.services.outputs.profiles import (
    CSV_COLUMNS,
    NotAClusteringResult,
    cluster_profiles,
    cohens_h,
    effect_label,
    profile_frame,
)
from backend.services.outputs.silhouette import silhouette_plot


def results_of(frame: pd.DataFrame, labels: np.ndarray, name: str = "Assignments") -> pd.DataFrame:
    out = frame.copy()
    out[name] = pd.array(labels, dtype="Int64")
    out["DistancesToClusterCenter no.0"] = 0.5  # a score column: a result column, never a feature
    return out


def datasets() -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    iris, wine = load_iris(as_frame=True), load_wine(as_frame=True)
    return [("iris", iris.data, iris.target.to_numpy()), ("wine", wine.data, wine.target.to_numpy())]


@pytest.mark.parametrize(
    ("name", "data", "labels"), datasets(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_per_cluster_statistics_equal_pandas_groupby(
    name: str, data: pd.DataFrame, labels: np.ndarray
) -> None:
    profile = cluster_profiles(results_of(data, labels))
    grouped = data.groupby(labels)
    assert [c["cluster"] for c in profile["clusters"]] == sorted(set(labels.tolist()))
    assert [c["size"] for c in profile["clusters"]] == grouped.size().tolist()
    assert [f["feature"] for f in profile["features"]] == list(data.columns)  # results are not features
    expected = {
        "mean": grouped.mean(),
        "std": grouped.std(),  # ddof=1
        "min": grouped.min(),
        "q25": grouped.quantile(0.25),
        "median": grouped.median(),
        "q75": grouped.quantile(0.75),
        "max": grouped.max(),
    }
    for feature in profile["features"]:
        for stat, table in expected.items():
            got = [cluster[stat] for cluster in feature["clusters"]]
            np.testing.assert_allclose(
                got, table[feature["feature"]].to_numpy(), rtol=1e-12, err_msg=f"{name} {stat}"
            )
        counts = np.array([cluster["histogram"] for cluster in feature["clusters"]])
        edges = np.asarray(feature["edges"])
        for g, cluster in enumerate(sorted(set(labels.tolist()))):
            reference, _ = np.histogram(data[feature["feature"]][labels == cluster], bins=edges)
            np.testing.assert_array_equal(counts[g], reference)


def test_cohens_d_of_a_cluster_against_the_rest_is_the_pooled_formula() -> None:
    iris = load_iris(as_frame=True)
    labels = iris.target.to_numpy()
    profile = cluster_profiles(results_of(iris.data, labels))
    for feature in profile["features"]:
        values = iris.data[feature["feature"]]
        for g, cluster in enumerate(feature["clusters"]):
            inside, rest = values[labels == g], values[labels != g]
            pooled = math.sqrt(
                ((inside.size - 1) * inside.var() + (rest.size - 1) * rest.var())
                / (inside.size + rest.size - 2)
            )
            assert cluster["effect"] == pytest.approx((inside.mean() - rest.mean()) / pooled, rel=1e-10)


def test_categories_shares_and_cohens_h() -> None:
    # Cluster 0: colour a a a b; cluster 1: b b b b  → share of a: 3/4 in cluster 0, 0 outside it.
    frame = pd.DataFrame({"colour": list("aaabbbbb"), "x": [1.0, 2, 3, 4, 10, 11, 12, 13]})
    profile = cluster_profiles(results_of(frame, np.array([0, 0, 0, 0, 1, 1, 1, 1])))
    colour = next(f for f in profile["features"] if f["feature"] == "colour")
    assert colour["kind"] == "categorical"
    assert colour["clusters"][0]["top"][0] == {
        "value": "a",
        "share": 0.75,
        "effect": pytest.approx(cohens_h(0.75, 0.0)),
    }
    assert colour["clusters"][1]["top"] == [
        {"value": "b", "share": 1.0, "effect": pytest.approx(cohens_h(1.0, 0.25))}
    ]
    assert cohens_h(0.75, 0.0) == pytest.approx(2 * math.asin(math.sqrt(0.75)))
    first = profile["clusters"][0]["distinguishing"]
    assert {item["feature"] for item in first} == {"colour", "x"}
    x = next(item for item in first if item["feature"] == "x")
    assert x["direction"] == "lower" and x["magnitude"] == "large"
    colour_item = next(item for item in first if item["feature"] == "colour")
    assert (colour_item["value"], colour_item["rest_share"]) == ("a", 0.0)


def test_effect_names_follow_cohen() -> None:
    assert [effect_label(v) for v in (0.1, -0.2, 0.49, 0.5, -0.8, 3.0, None)] == [
        "negligible",
        "small",
        "small",
        "medium",
        "large",
        "large",
        "negligible",
    ]


def test_unscored_rows_are_left_out_and_a_large_table_is_sampled_by_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    labels = np.repeat([0, 1, 2], [600, 300, 100])
    frame = pd.DataFrame({"x": rng.normal(size=1000) + labels})
    results = results_of(frame, labels)
    results.loc[:9, "Assignments"] = pd.NA  # not scored
    monkeypatch.setattr(profiles, "PROFILE_ROWS", 200)
    profile = cluster_profiles(results)
    assert profile["assigned_rows"] == 990
    assert [c["size"] for c in profile["clusters"]] == [590, 300, 100]  # sizes count every row
    assert profile["profiled_rows"] == 200
    counts = [c["count"] for c in profile["features"][0]["clusters"]]
    assert counts == [119, 61, 20]  # 590, 300, 100 of 990 in proportion: 119.2, 60.6, 20.2, rounded to 200


def test_the_newest_assignments_column_is_profiled_and_a_plain_table_is_refused() -> None:
    frame = pd.DataFrame({"x": [0.0, 1.0, 5.0, 6.0]})
    results = results_of(results_of(frame, np.array([0, 0, 0, 0])), np.array([0, 0, 1, 1]), "Assignments (2)")
    profile = cluster_profiles(results)
    assert profile["assignments"] == "Assignments (2)" and profile["n_clusters"] == 2
    assert [f["feature"] for f in profile["features"]] == ["x"]
    with pytest.raises(NotAClusteringResult):
        cluster_profiles(frame)


def test_the_csv_table_has_a_row_per_cluster_and_feature() -> None:
    iris = load_iris(as_frame=True)
    profile = cluster_profiles(results_of(iris.data, iris.target.to_numpy()))
    table = profile_frame(profile)
    assert list(table.columns) == CSV_COLUMNS
    assert len(table) == 3 * 4
    row = table[(table["Cluster"] == 2) & (table["Feature"] == "petal length (cm)")].iloc[0]
    assert row["Median"] == pytest.approx(iris.data["petal length (cm)"][iris.target == 2].median())


def test_a_label_column_with_too_many_values_is_refused_naming_it() -> None:
    n = MAX_LABEL_VALUES + 1
    results = results_of(pd.DataFrame({"id": [f"row {i}" for i in range(n)]}), np.zeros(n, dtype=np.int64))
    with pytest.raises(InvalidLabelColumn, match=f"'id' has {n} distinct values"):
        label_agreement(results, "id")
    assert label_agreement(results.iloc[:-1], "id")["compared_rows"] == n - 1


def test_the_silhouette_plot_is_of_min_max_scaled_features_and_lists_the_worst_rows() -> None:
    iris = load_iris(as_frame=True)
    labels = iris.target.to_numpy()
    plot = silhouette_plot(results_of(iris.data, labels))
    scaled = MinMaxScaler().fit_transform(iris.data)
    reference = silhouette_samples(scaled, labels)
    assert plot["features"] == list(iris.data.columns) and not plot["sampled"] and plot["exact_rows"] == 150
    assert plot["mean"] == pytest.approx(reference.mean(), abs=1e-12)
    for cluster in plot["clusters"]:
        own = np.sort(reference[labels == cluster["cluster"]])[::-1]
        np.testing.assert_allclose(cluster["values"], np.round(own, 4))
        worst = cluster["worst"][0]
        assert worst["silhouette"] == pytest.approx(own[-1], abs=1e-12)
        assert labels[worst["row"]] == cluster["cluster"]
        assert worst["values"]["sepal length (cm)"] == iris.data.iloc[worst["row"], 0]
    assert len(plot["clusters"][0]["worst"]) == 10


def test_a_run_precomputes_every_result_view_of_a_clustering_result(tmp_path) -> None:
    """The worker keeps each view's data beside the result it wrote: silhouette, profile and the
    metrics Compare runs shows, equal to the known answers (scikit-learn's silhouette, the counts)."""
    from backend.executor import ArtefactStore, NodeTask
    from backend.services.outputs.derived import METRICS, PROFILE, SILHOUETTE, SUMMARY

    store = ArtefactStore(tmp_path)
    iris = load_iris(as_frame=True).frame.drop(columns="target")
    data_ref = store.write(iris, "data_table", [])
    config = NodeTask("k", "kmeans_clustering", {"n_clusters": 3, "seed": 0}, {}, {}, str(tmp_path)).execute()
    inputs = {"untrained_model": config.outputs["untrained_model"], "dataset": data_ref}
    result = NodeTask("t", "train_clustering_model", {}, inputs, {}, str(tmp_path)).execute()
    assert result.error is None, result.log
    ref = result.outputs["results_dataset"]
    labels = store.read(ref)["Assignments"].to_numpy()

    silhouette = json.loads(store.read_derived(ref, SILHOUETTE) or b"null")
    expected = silhouette_samples(MinMaxScaler().fit_transform(iris), labels).mean()
    assert silhouette["mean"] == pytest.approx(expected, abs=1e-12)
    profile = json.loads(store.read_derived(ref, PROFILE) or b"null")
    assert sorted(c["size"] for c in profile["clusters"]) == sorted(np.bincount(labels).tolist())
    metrics = json.loads(store.read_derived(ref, METRICS) or b"null")
    assert metrics["clusters"] == 3 and metrics["noise_rows"] == 0
    summary = json.loads(store.read_derived(ref, SUMMARY) or b"null")
    assert summary["n_rows"] == 150 and [c["name"] for c in summary["columns"]][-4:] == [
        "Assignments",
        "DistancesToClusterCenter no.0",
        "DistancesToClusterCenter no.1",
        "DistancesToClusterCenter no.2",
    ]
