"""Output payloads: table stats, pages, CSV, cluster chart and sweep chart, against hand-computed answers
and reference implementations (pandas describe, numpy histogram, scikit-learn PCA)."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler

from backend.services.outputs import (
    cluster_visualization,
    column_type,
    is_clustering_result,
    is_sweep_results,
    iter_csv,
    sweep_visualization,
    table_page,
    table_summary,
    table_visualization,
    visualize,
)
from backend.services.outputs.clusters import covariance_ellipse, sample_quotas

DIST = "DistancesToClusterCenter no.{}"


def strict_json(payload: object) -> object:
    """Round-trip through JSON with NaN/inf forbidden (fails if the payload is not JSON-safe)."""
    return json.loads(json.dumps(payload, allow_nan=False))


def results_table(
    features: np.ndarray, labels: np.ndarray, names: list[str] | None = None, suffix: str = ""
) -> pd.DataFrame:
    """A results table: features, Assignments and Euclidean distances to each cluster's mean."""
    names = names or [f"f{i}" for i in range(features.shape[1])]
    df = pd.DataFrame(features, columns=names)
    k = int(labels.max()) + 1
    centres = np.array([features[labels == c].mean(axis=0) for c in range(k)])
    df[f"Assignments{suffix}"] = labels
    for c in range(k):
        df[DIST.format(c) + suffix] = np.linalg.norm(features - centres[c], axis=1)
    return df


def blobs(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs on very different scales per feature, with their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    centres = rng.normal(size=(k, 4)) * 5
    features = (centres[labels] + rng.normal(size=(n, 4))) * np.array([1.0, 10.0, 100.0, 0.1])
    return features, labels


# ---- column types and stats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (pd.Series([1.0, 2.0]), "numeric"),
        (pd.Series([1, 2]), "numeric"),
        (pd.Series([1, None], dtype="Int64"), "numeric"),
        (pd.Series([1.5, None], dtype="Float64"), "numeric"),
        (pd.Series(["a", "b"]), "string"),
        (pd.Series(["a", 1], dtype=object), "string"),
        (pd.Series(pd.Categorical(["a", "b"])), "string"),
        (pd.Series([True, False]), "boolean"),
        (pd.Series([True, None], dtype="boolean"), "boolean"),
        (pd.Series(pd.to_datetime(["2020-01-01", None])), "datetime"),
        (pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("Europe/Paris")), "datetime"),
        (pd.Series(pd.to_timedelta([1], unit="s")), "string"),
    ],
)
def test_column_type(series: pd.Series, expected: str) -> None:
    assert column_type(series) == expected


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(np.random.default_rng(1).normal(size=1000)).mask(lambda s: s > 1.5),
        pd.Series(np.random.default_rng(2).integers(-50, 50, 777)),
        pd.Series([3, None, 1, 4, 1, 5, None, 9], dtype="Int64"),
        pd.Series([2.5]),
    ],
)
def test_numeric_stats_equal_pandas_describe(series: pd.Series) -> None:
    stats = table_summary(series.to_frame("x"))["columns"][0]["stats"]
    described = series.astype("float64").describe()
    assert stats["count"] == described["count"]
    assert stats["missing"] == int(series.isna().sum())
    assert stats["unique"] == series.nunique()
    for ours, theirs in [
        ("mean", "mean"),
        ("min", "min"),
        ("q25", "25%"),
        ("median", "50%"),
        ("q75", "75%"),
        ("max", "max"),
    ]:
        assert stats[ours] == pytest.approx(described[theirs], rel=1e-12)
    if len(series.dropna()) > 1:
        assert stats["std"] == pytest.approx(described["std"], rel=1e-12)
    else:
        assert stats["std"] is None
    values = series.dropna().to_numpy(dtype=float)
    counts, edges = np.histogram(values, bins=min(20, series.nunique()))
    assert len(stats["histogram"]["counts"]) <= 20
    if series.nunique() > 1:
        np.testing.assert_allclose(stats["histogram"]["edges"], edges)
        assert stats["histogram"]["counts"] == counts.tolist()
    assert sum(stats["histogram"]["counts"]) == len(values)


def test_integer_min_max_stay_exact() -> None:
    big = 2**62 + 1
    stats = table_summary(pd.DataFrame({"x": [big, 1, 7]}))["columns"][0]["stats"]
    assert stats["max"] == big and isinstance(stats["max"], int)
    assert stats["min"] == 1


def test_string_boolean_and_datetime_stats() -> None:
    df = pd.DataFrame(
        {
            "s": ["b", "a", "b", None, "c", "b", "a"],
            "cat": pd.Categorical(["x", "x", None, "y", "x", "y", "x"], categories=["x", "y", "unused"]),
            "flag": pd.Series([True, None, False, True, True, None, False], dtype="boolean"),
            "when": pd.to_datetime(
                ["2021-03-01", None, "2020-01-01", "2020-06-15", None, "2022-12-31", "2021-03-01"]
            ),
        }
    )
    columns = {c["name"]: c for c in table_summary(df)["columns"]}
    s = columns["s"]
    assert s["type"] == "string"
    assert s["stats"] == {
        "count": 6,
        "missing": 1,
        "unique": 3,
        "top": [{"value": "b", "count": 3}, {"value": "a", "count": 2}, {"value": "c", "count": 1}],
        "other_count": 0,
    }
    cat = columns["cat"]["stats"]
    assert cat["unique"] == 2 and cat["top"] == [{"value": "x", "count": 4}, {"value": "y", "count": 2}]
    flag = columns["flag"]
    assert flag["type"] == "boolean"
    assert flag["stats"]["true_count"] == 3 and flag["stats"]["false_count"] == 2
    assert flag["stats"]["count"] == 5 and flag["stats"]["missing"] == 2 and flag["stats"]["unique"] == 2
    when = columns["when"]["stats"]
    assert when["count"] == 5 and when["missing"] == 2 and when["unique"] == 4
    assert when["min"] == "2020-01-01T00:00:00" and when["max"] == "2022-12-31T00:00:00"
    assert when["histogram"]["edges"][0] == when["min"] and when["histogram"]["edges"][-1] == when["max"]
    assert sum(when["histogram"]["counts"]) == 5


def test_top_values_are_capped_at_ten_with_the_rest_counted() -> None:
    values = [f"v{i}" for i in range(15) for _ in range(i + 1)]
    stats = table_summary(pd.DataFrame({"s": values}))["columns"][0]["stats"]
    assert [t["value"] for t in stats["top"]] == [f"v{i}" for i in range(14, 4, -1)]
    assert stats["other_count"] == sum(range(1, 6))


def test_tz_aware_datetimes_keep_their_offset() -> None:
    when = pd.Series(pd.to_datetime(["2020-01-01 12:00", "2020-07-01 12:00"]).tz_localize("Europe/Paris"))
    stats = table_summary(when.to_frame("t"))["columns"][0]["stats"]
    assert stats["min"] == "2020-01-01T12:00:00+01:00"
    assert stats["max"] == "2020-07-01T12:00:00+02:00"


def awkward_frame() -> pd.DataFrame:
    """Every kind of missing and non-finite value in every dtype."""
    return pd.DataFrame(
        {
            "f": [1.0, np.nan, np.inf, -np.inf, 2.0],
            "i": pd.Series([1, None, 3, 4, 5], dtype="Int64"),
            "g": pd.Series([np.nan, 1.5, None, 2.0, 3.0], dtype="Float64"),
            "s": ["a", None, "c", np.nan, "e"],
            "b": pd.Series([True, None, False, True, None], dtype="boolean"),
            "t": pd.to_datetime(["2020-01-01", None, "2020-01-03", None, "2020-01-05"]),
            "o": pd.Series([1, "x", None, 2.5, float("nan")], dtype=object),
            "inf_only": [np.inf, np.inf, -np.inf, np.nan, np.inf],
            "empty": [np.nan] * 5,
        }
    )


def test_summary_is_json_safe_with_nan_inf_and_nat() -> None:
    df = awkward_frame()
    summary = strict_json(table_summary(df))
    assert isinstance(summary, dict)
    assert summary["n_rows"] == 5 and summary["n_columns"] == df.shape[1]
    assert summary["preview"][0] == [1.0, 1, None, "a", True, "2020-01-01T00:00:00", 1, None, None]
    assert summary["preview"][1] == [None, None, 1.5, None, None, None, "x", None, None]
    assert summary["preview"][2][0] is None  # +inf
    f = summary["columns"][0]["stats"]
    assert f["count"] == 4 and f["missing"] == 1
    assert f["min"] is None and f["max"] is None and f["mean"] is None  # ±inf
    assert sum(f["histogram"]["counts"]) == 2  # only the finite values
    empty = summary["columns"][-1]["stats"]
    assert empty["count"] == 0 and empty["mean"] is None and empty["histogram"] == {"edges": [], "counts": []}
    strict_json(table_page(df, 0, 10))
    strict_json(visualize(df, "clusters"))


def test_preview_is_limited() -> None:
    df = pd.DataFrame({"x": range(250)})
    assert len(table_summary(df)["preview"]) == 100
    assert table_summary(df, preview_rows=3)["preview"] == [[0], [1], [2]]


# ---- pages and CSV ----------------------------------------------------------------------------------


def test_table_page_slices_and_echoes_its_window() -> None:
    df = pd.DataFrame({"a": range(10), "b": [f"r{i}" for i in range(10)]})
    page = table_page(df, 3, 4)
    assert page == {
        "columns": ["a", "b"],
        "rows": [[3, "r3"], [4, "r4"], [5, "r5"], [6, "r6"]],
        "total": 10,
        "offset": 3,
        "limit": 4,
    }
    assert table_page(df, 8, 5)["rows"] == [[8, "r8"], [9, "r9"]]
    assert table_page(df, 50, 5)["rows"] == []
    with pytest.raises(ValueError):
        table_page(df, -1, 5)


def test_table_page_missing_values_are_null() -> None:
    rows = table_page(awkward_frame(), 1, 1)["rows"]
    assert rows == [[None, None, 1.5, None, None, None, "x", None, None]]


def test_iter_csv_round_trips_through_pandas() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=1234),
            "n": rng.integers(-5, 5, 1234),
            "text": [f'say "hi", row {i}\nnext line' if i % 7 == 0 else f"r{i}" for i in range(1234)],
            "flag": rng.random(1234) > 0.5,
        }
    )
    df.loc[::5, "x"] = np.nan
    df.loc[3, "text"] = None
    chunks = list(iter_csv(df, chunk_rows=500))
    assert chunks[0] == b"x,n,text,flag\r\n"
    assert len(chunks) == 1 + 3
    back = pd.read_csv(io.BytesIO(b"".join(chunks)))
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    line = b"".join(iter_csv(pd.DataFrame({"a": [np.nan], "b": [None], "c": [1]}))).decode()
    assert line == "a,b,c\r\n,,1\r\n"


# ---- cluster chart: columns ---------------------------------------------------------------------------


def test_is_clustering_result() -> None:
    assert is_clustering_result(pd.DataFrame({"Assignments": [0]}))
    assert is_clustering_result(pd.DataFrame({"x": [1], "Assignments (2)": [0]}))
    assert not is_clustering_result(pd.DataFrame({"Assignment": [0], "Assignments x": [1]}))


def test_suffixed_assignments_group_is_the_one_charted() -> None:
    features, labels = blobs(300, 3)
    old = results_table(features, labels)
    old_labels = (labels + 1) % 2
    old["Assignments"] = old_labels  # an older, 2-cluster result passed through as input columns
    new_labels = np.where(features[:, 0] > np.median(features[:, 0]), 1, 0)
    centres = np.array([features[new_labels == c].mean(axis=0) for c in range(2)])
    df = old.copy()
    df["Assignments (2)"] = new_labels
    for c in range(2):
        df[DIST.format(c) + " (2)"] = np.linalg.norm(features - centres[c], axis=1)
    payload = cluster_visualization(df)
    assert payload["assignments_column"] == "Assignments (2)"
    assert payload["distance_columns"] == [DIST.format(0) + " (2)", DIST.format(1) + " (2)"]
    assert payload["k"] == 2
    assert payload["cluster_sizes"] == [
        {"cluster": c, "count": int((new_labels == c).sum())} for c in range(2)
    ]
    assert payload["projection"]["features"] == ["f0", "f1", "f2", "f3"]
    own = np.linalg.norm(features - centres[new_labels], axis=1)
    for histogram in payload["distance_histograms"]:
        c = histogram["cluster"]
        mine = own[new_labels == c]
        counts, edges = np.histogram(mine, bins=min(20, math.ceil(math.sqrt(mine.size))))  # square-root rule
        assert histogram["counts"] == counts.tolist()
        np.testing.assert_allclose(histogram["edges"], edges)


def test_distance_columns_after_assignments_are_used_whatever_their_suffix() -> None:
    df = pd.DataFrame(
        {
            "x": [0.0, 1.0, 2.0, 3.0],
            "y": [0.0, 1.0, 0.0, 1.0],
            DIST.format(0): [9.0, 9.0, 9.0, 9.0],  # an input column that clashed
            "Assignments": [0, 0, 1, 2],
            DIST.format(0) + " (2)": [0.1, 0.2, 5.0, 5.0],
            DIST.format(1): [5.0, 5.0, 0.3, 5.0],
            DIST.format(2): [5.0, 5.0, 5.0, 0.4],
        }
    )
    payload = cluster_visualization(df)
    assert payload["distance_columns"] == [DIST.format(0) + " (2)", DIST.format(1), DIST.format(2)]
    assert [h["count"] for h in payload["distance_histograms"]] == [2, 1, 1]
    assert payload["distance_histograms"][0]["edges"][0] == pytest.approx(0.1)
    assert payload["projection"]["features"] == ["x", "y"]


def test_explicit_feature_list_is_respected() -> None:
    features, labels = blobs(200, 3)
    df = results_table(features, labels)
    df["row_id"] = np.arange(200)
    assert "row_id" in cluster_visualization(df)["projection"]["features"]
    assert cluster_visualization(df, features=["f0", "f2"])["projection"]["features"] == ["f0", "f2"]
    with pytest.raises(ValueError, match="nope"):
        cluster_visualization(df, features=["nope"])


# ---- cluster chart: geometry --------------------------------------------------------------------------


def test_projection_equals_sklearn_pca_on_minmax_scaled_features() -> None:
    features, labels = blobs(2000, 4)
    df = results_table(features, labels)
    payload = strict_json(cluster_visualization(df, max_points=None))
    assert isinstance(payload, dict)
    scaled = MinMaxScaler().fit_transform(features)
    pca = PCA(n_components=2).fit(scaled)
    expected = pca.transform(scaled)
    projection = payload["projection"]
    assert projection["method"] == "pca" and projection["scaling"] == "minmax"
    ratios = projection["explained_variance_ratio"]
    np.testing.assert_allclose(ratios, pca.explained_variance_ratio_, rtol=1e-9)
    components = np.array(projection["components"])
    signs = np.sign(np.sum(components * pca.components_, axis=1))
    np.testing.assert_allclose(components, pca.components_ * signs[:, None], atol=1e-9)
    # our convention: each component's largest-|loading| entry is positive
    largest = components[np.arange(2), np.argmax(np.abs(components), axis=1)]
    assert (largest > 0).all()
    points = payload["points"]
    assert points["row"] == list(range(2000))
    np.testing.assert_allclose(points["x"], expected[:, 0] * signs[0], atol=1e-6)
    np.testing.assert_allclose(points["y"], expected[:, 1] * signs[1], atol=1e-6)
    np.testing.assert_allclose(projection["feature_min"], features.min(axis=0))
    np.testing.assert_allclose(projection["feature_max"], features.max(axis=0))


def test_centroids_are_cluster_means_of_projected_points() -> None:
    features, labels = blobs(1500, 5, seed=3)
    payload = cluster_visualization(results_table(features, labels), max_points=None)
    x, y = np.array(payload["points"]["x"]), np.array(payload["points"]["y"])
    cluster = np.array(payload["points"]["cluster"])
    for centroid in payload["centroids"]:
        members = cluster == centroid["cluster"]
        assert centroid["x"] == pytest.approx(x[members].mean(), abs=1e-6)
        assert centroid["y"] == pytest.approx(y[members].mean(), abs=1e-6)
    for ellipse in payload["ellipses"]:
        members = cluster == ellipse["cluster"]
        eigenvalues, eigenvectors = np.linalg.eigh(np.cov(x[members], y[members]))
        assert ellipse["rx"] == pytest.approx(2 * math.sqrt(eigenvalues[1]), rel=1e-5)
        assert ellipse["ry"] == pytest.approx(2 * math.sqrt(eigenvalues[0]), rel=1e-5)
        major = eigenvectors[:, 1]
        expected_angle = math.degrees(math.atan2(major[1], major[0]))
        difference = (ellipse["angle_deg"] - expected_angle) % 180
        assert min(difference, 180 - difference) == pytest.approx(0, abs=1e-3)


def test_covariance_ellipse_of_crosses() -> None:
    # points (±a, 0) and (0, ±b): sample variances 2a²/3 and 2b²/3, no covariance
    a, b = 3.0, 1.0
    major, minor = 2 * math.sqrt(2 * a * a / 3), 2 * math.sqrt(2 * b * b / 3)
    cross = np.array([[a, 0], [-a, 0], [0, b], [0, -b]])
    xx, yy = np.var(cross[:, 0], ddof=1), np.var(cross[:, 1], ddof=1)
    rx, ry, angle = covariance_ellipse(xx, yy, 0.0)
    assert (rx, ry, angle) == pytest.approx((major, minor, 0.0))
    rx, ry, angle = covariance_ellipse(yy, xx, 0.0)  # the long arm on the y axis
    assert (rx, ry, angle) == pytest.approx((major, minor, 90.0))
    theta = math.radians(30)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    turned = cross @ rotation.T
    covariance = np.cov(turned.T)
    rx, ry, angle = covariance_ellipse(covariance[0, 0], covariance[1, 1], covariance[0, 1])
    assert (rx, ry, angle) == pytest.approx((major, minor, 30.0))


def test_cluster_chart_of_a_hand_made_cross() -> None:
    # cluster 0: a cross around (0.5, 0.5); cluster 1: the unit square's corners; cluster 2: one point.
    # The overall covariance is diagonal with var x > var y, so the plane is (x − 0.5, y − 0.5).
    points = np.array(
        [[0, 0.5], [1, 0.5], [0.5, 0.3], [0.5, 0.7], [0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]]
    )
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2])
    df = pd.DataFrame(points, columns=["x", "y"])
    df["Assignments"] = labels
    payload = cluster_visualization(df)
    np.testing.assert_allclose(payload["projection"]["components"], [[1, 0], [0, 1]], atol=1e-12)
    np.testing.assert_allclose(payload["points"]["x"], points[:, 0] - 0.5, atol=1e-12)
    np.testing.assert_allclose(payload["points"]["y"], points[:, 1] - 0.5, atol=1e-12)
    ellipses = {e["cluster"]: e for e in payload["ellipses"]}
    assert ellipses[0]["rx"] == pytest.approx(2 * math.sqrt(0.5 / 3))
    assert ellipses[0]["ry"] == pytest.approx(2 * math.sqrt(0.08 / 3))
    assert ellipses[0]["angle_deg"] == pytest.approx(0.0)
    assert (ellipses[0]["cx"], ellipses[0]["cy"]) == pytest.approx((0.0, 0.0))
    assert ellipses[1]["rx"] == pytest.approx(2 * math.sqrt(1 / 3))
    assert ellipses[1]["ry"] == pytest.approx(2 * math.sqrt(1 / 3))
    assert (ellipses[2]["rx"], ellipses[2]["ry"]) == (0.0, 0.0)
    assert payload["centroids"] == [
        {"cluster": 0, "x": pytest.approx(0.0), "y": pytest.approx(0.0)},
        {"cluster": 1, "x": pytest.approx(0.0), "y": pytest.approx(0.0)},
        {"cluster": 2, "x": pytest.approx(0.0), "y": pytest.approx(0.0)},
    ]
    assert payload["cluster_sizes"] == [
        {"cluster": 0, "count": 4},
        {"cluster": 1, "count": 4},
        {"cluster": 2, "count": 1},
    ]
    assert payload["distance_histograms"] == []  # no distance columns in this table
    assert payload["sampled"] is False and payload["k"] == 3


def test_missing_assignments_and_features_are_excluded_and_counted() -> None:
    features, labels = blobs(500, 3)
    df = results_table(features, labels)
    df["Assignments"] = df["Assignments"].astype("float64")
    df.loc[[0, 1, 2], "Assignments"] = np.nan  # no assignment
    df.loc[[0, 1, 2], [DIST.format(c) for c in range(3)]] = np.nan
    df.loc[[3, 4], "f1"] = np.nan  # a missing feature (but assigned)
    df.loc[5, "f2"] = np.inf
    payload = strict_json(cluster_visualization(df, max_points=None))
    assert isinstance(payload, dict)
    assert payload["n_rows"] == 500
    assert payload["n_points_total"] == 494 and payload["n_excluded"] == 6
    assert payload["excluded"] == {"missing_assignment": 3, "missing_features": 3}
    assert not {0, 1, 2, 3, 4, 5} & set(payload["points"]["row"])
    assert len(payload["points"]["x"]) == 494
    # cluster sizes and distance histograms are over every assigned row
    assigned_sizes = np.bincount(labels[3:], minlength=3).tolist()
    assert [s["count"] for s in payload["cluster_sizes"]] == assigned_sizes
    assert [sum(h["counts"]) for h in payload["distance_histograms"]] == assigned_sizes
    assert sum(e["count"] for e in payload["ellipses"]) == 494


def test_distance_histograms_count_every_row() -> None:
    features, labels = blobs(20_000, 6, seed=5)
    df = results_table(features, labels)
    payload = cluster_visualization(df, max_points=500)
    own = df[[DIST.format(c) for c in range(6)]].to_numpy()[np.arange(20_000), labels]
    for histogram in payload["distance_histograms"]:
        c = histogram["cluster"]
        assert len(histogram["counts"]) <= 20
        assert sum(histogram["counts"]) == histogram["count"] == int((labels == c).sum())
        assert histogram["edges"][0] == pytest.approx(own[labels == c].min())
        assert histogram["edges"][-1] == pytest.approx(own[labels == c].max())


# ---- cluster chart: sampling ----------------------------------------------------------------------------


def lopsided_table() -> tuple[pd.DataFrame, np.ndarray]:
    """50,000 rows: three big clusters and three tiny ones (1, 2 and 7 rows)."""
    features, labels = blobs(50_000, 3, seed=7)
    labels = labels.copy()
    labels[[10]] = 3
    labels[[20, 30]] = 4
    labels[100:107] = 5
    return results_table(features, labels), labels


def test_sampling_is_deterministic_bounded_and_keeps_every_cluster() -> None:
    df, labels = lopsided_table()
    first = cluster_visualization(df, max_points=3000)
    second = cluster_visualization(df.copy(), max_points=3000)
    assert first == second
    points = first["points"]
    assert first["sampled"] is True and first["n_points_total"] == 50_000
    assert len(points["x"]) <= 3000 and len(points["x"]) >= 2990
    assert set(points["cluster"]) == set(range(6))
    rows = np.array(points["row"])
    assert len(set(rows.tolist())) == rows.size and (np.diff(rows) > 0).all()
    assert rows.min() >= 0 and rows.max() < len(df)
    np.testing.assert_array_equal(labels[rows], points["cluster"])
    # sampled points sit exactly where the full projection puts them
    full = cluster_visualization(df, max_points=None)
    assert full["sampled"] is False and len(full["points"]["x"]) == 50_000
    np.testing.assert_array_equal(np.array(full["points"]["x"])[rows], points["x"])
    # cluster-level results do not depend on sampling
    for key in ("centroids", "ellipses", "cluster_sizes", "distance_histograms", "projection"):
        assert first[key] == full[key]


def test_sample_quotas() -> None:
    sizes = np.array([10_000, 10, 1, 0, 5_000])
    quotas = sample_quotas(sizes, 1000)
    assert quotas.sum() == 1000
    assert (quotas <= sizes).all() and (quotas[[0, 1, 2, 4]] > 0).all() and quotas[3] == 0
    assert quotas[0] > quotas[4] > quotas[1]
    assert sample_quotas(sizes, 100_000).tolist() == sizes.tolist()
    assert sample_quotas(np.array([5, 4, 3]), 2).tolist() == [1, 1, 0]


def test_bad_max_points() -> None:
    df = results_table(*blobs(50, 2))
    with pytest.raises(ValueError):
        cluster_visualization(df, max_points=0)


def test_degenerate_tables_still_give_a_payload() -> None:
    no_features = pd.DataFrame({"name": ["a", "b"], "Assignments": [0, 1]})
    payload = strict_json(cluster_visualization(no_features))
    assert isinstance(payload, dict)
    assert payload["projection"] is None and payload["message"]
    assert payload["cluster_sizes"] == [{"cluster": 0, "count": 1}, {"cluster": 1, "count": 1}]
    nothing_assigned = pd.DataFrame({"x": [1.0, 2.0], "Assignments": [np.nan, np.nan]})
    payload = strict_json(cluster_visualization(nothing_assigned))
    assert isinstance(payload, dict)
    assert payload["k"] == 0 and payload["n_excluded"] == 2 and payload["points"]["x"] == []
    one_feature = pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0], "Assignments": [0, 0, 0, 1]})
    payload = strict_json(cluster_visualization(one_feature))
    assert isinstance(payload, dict)
    assert payload["projection"]["explained_variance_ratio"] == [1.0, 0.0]
    assert payload["points"]["y"] == [0.0, 0.0, 0.0, 0.0]
    one_row = pd.DataFrame({"x": [1.0], "z": [2.0], "Assignments": [0]})
    payload = strict_json(cluster_visualization(one_row))
    assert isinstance(payload, dict)
    assert payload["points"]["x"] == [0.0] and payload["ellipses"][0]["rx"] == 0.0


# ---- sweep results --------------------------------------------------------------------------------------


def sweep_table(metric: str) -> pd.DataFrame:
    """A small sweep_results table (not actually best-first sorted on every metric)."""
    df = pd.DataFrame(
        {
            "Number of centroids": [3, 2, 3, 4, 2, 4],
            "Index of run": [2, 0, 5, 3, 1, 4],
            "Initialization": ["k-means++"] * 6,
            "Seed": [10, 11, 12, 13, 14, 15],
            "Simplified Silhouette": [0.71, 0.60, 0.65, 0.50, 0.62, np.nan],
            "Davies-Bouldin": [0.40, 0.55, 0.45, 0.70, 0.52, 0.80],
            "Dunn": [1.2, 0.9, 1.1, 0.7, 0.95, 0.6],
            "Average Deviation": [0.30, 0.42, 0.31, 0.25, 0.41, 0.24],
            "Iterations run": [5, 4, 6, 7, 4, 8],
            "Seconds": [0.01] * 6,
        }
    )
    df.insert(0, "Cluster metric", df[metric])
    return df


def test_sweep_series_by_hand() -> None:
    df = sweep_table("Davies-Bouldin")
    assert is_sweep_results(df) and not is_sweep_results(df.drop(columns="Cluster metric"))
    payload = strict_json(sweep_visualization(df))
    assert isinstance(payload, dict)
    assert payload["metric"] == "Davies-Bouldin" and payload["better"] == "lower"
    assert payload["metric_source"] == "values"
    by_k = [(2, 0.52, 0.535, [0.55, 0.52], [0, 1]), (3, 0.40, 0.425, [0.40, 0.45], [2, 5])]
    by_k.append((4, 0.70, 0.75, [0.70, 0.80], [3, 4]))
    assert payload["series"]["Davies-Bouldin"] == [
        {"k": k, "best": best, "mean": pytest.approx(mean), "count": 2, "values": values, "runs": runs}
        for k, best, mean, values, runs in by_k
    ]
    silhouette = payload["series"]["Simplified Silhouette"]
    assert [(s["k"], s["best"]) for s in silhouette] == [(2, 0.62), (3, 0.71), (4, 0.50)]
    assert silhouette[2]["values"] == [0.50, None] and silhouette[2]["mean"] == pytest.approx(0.50)
    assert [s["best"] for s in payload["series"]["Average Deviation"]] == [0.41, 0.30, 0.24]
    assert payload["directions"] == {
        "Simplified Silhouette": "higher",
        "Davies-Bouldin": "lower",
        "Dunn": "higher",
        "Average Deviation": "lower",
    }
    assert payload["best"] == {"k": 3, "run": 2, "value": 0.40, "row": 0}


@pytest.mark.parametrize("metric", ["Simplified Silhouette", "Dunn", "Average Deviation"])
def test_sweep_metric_is_derived_from_the_values(metric: str) -> None:
    payload = sweep_visualization(sweep_table(metric))
    assert payload["metric"] == metric
    assert payload["better"] == ("lower" if metric == "Average Deviation" else "higher")


def test_sweep_metric_given_by_name() -> None:
    df = sweep_table("Dunn")
    df["Cluster metric"] = "davies_bouldin"
    payload = sweep_visualization(df)
    assert payload["metric"] == "Davies-Bouldin" and payload["metric_source"] == "name"


def test_sweep_tie_on_values_goes_to_the_metric_sorted_best_first() -> None:
    df = sweep_table("Dunn").iloc[[0]].copy()
    df["Davies-Bouldin"] = df["Dunn"]  # one row: both columns match "Cluster metric"
    assert sweep_visualization(df)["metric"] in {"Davies-Bouldin", "Dunn"}
    two = sweep_table("Dunn").iloc[[0, 1]].copy()
    two["Davies-Bouldin"] = two["Dunn"]  # first row is best for Dunn (higher), not for Davies-Bouldin
    assert sweep_visualization(two)["metric"] == "Dunn"


# ---- dispatcher -----------------------------------------------------------------------------------------


def test_visualize_draws_the_declared_view() -> None:
    assert visualize(sweep_table("Dunn"), "sweep")["kind"] == "sweep"
    # the kind comes from the port's declaration, not from the column names
    assert visualize(sweep_table("Dunn"), "table")["kind"] == "table"
    assert visualize(results_table(*blobs(20, 2)), "table")["kind"] == "table"
    # a view the table cannot have (no assignments) falls back to column statistics
    assert visualize(pd.DataFrame({"x": [1.0, 2.0]}), "clusters")["kind"] == "table"
    clusters = visualize(results_table(*blobs(100, 2)), "clusters", max_points=10)
    assert clusters["kind"] == "clusters" and len(clusters["points"]["x"]) <= 10
    plain = visualize(pd.DataFrame({"x": [1, 2], "s": ["a", "b"]}), "table")
    assert plain["kind"] == "table"
    assert plain["columns"] == table_visualization(pd.DataFrame({"x": [1, 2], "s": ["a", "b"]}))["columns"]


# ---- at scale (timings: python -m bench.bench_views) -------------------------------------------------------


def test_cluster_chart_of_100k_rows_samples_or_sends_all() -> None:
    df = results_table(*blobs(100_000, 8, seed=11))
    sampled = cluster_visualization(df, max_points=5000)
    every = cluster_visualization(df, max_points=None)
    assert len(sampled["points"]["x"]) == 5000 and len(every["points"]["x"]) == 100_000
    json.dumps(sampled, allow_nan=False)  # JSON-safe as served


@pytest.mark.slow
def test_table_summary_of_1m_by_20_matches_pandas() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(1_000_000, 20)), columns=[f"c{i}" for i in range(20)])
    stats = {c["name"]: c["stats"] for c in table_summary(df)["columns"]}
    described = df.describe()
    for name in ("c0", "c19"):
        for ours, theirs in (
            ("mean", "mean"),
            ("std", "std"),
            ("min", "min"),
            ("median", "50%"),
            ("max", "max"),
        ):
            assert stats[name][ours] == pytest.approx(described[name][theirs], rel=1e-9, abs=1e-12)


def test_csv_download_makes_formulas_inert_unless_raw() -> None:
    """OWASP CSV injection: text starting with = + - @ tab or CR is written with a leading apostrophe."""
    df = pd.DataFrame(
        {
            "=HYPERLINK(evil)": ["ok", "=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\ry", None],
            "n": [-1.5, 2, -3, 4, -5, 6, -7, 8],
            "cat": pd.Categorical(["=A1", "b", "b", "b", "b", "b", "b", "b"]),
        }
    )
    safe = b"".join(iter_csv(df, chunk_rows=3)).decode()
    back = pd.read_csv(io.StringIO(safe), keep_default_na=False)
    assert list(back.columns) == ["'=HYPERLINK(evil)", "n", "cat"]
    assert list(back["'=HYPERLINK(evil)"]) == [
        "ok",
        "'=1+1",
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\ry",
        "",
    ]
    assert list(back["n"]) == [-1.5, 2, -3, 4, -5, 6, -7, 8]  # numbers are numbers, not formulas
    assert back["cat"][0] == "'=A1"
    raw = pd.read_csv(io.StringIO(b"".join(iter_csv(df, raw=True)).decode()), keep_default_na=False)
    assert list(raw.columns) == list(df.columns) and raw.iloc[1, 0] == "=1+1"


def test_json_scalar_of_numpy_time_spans() -> None:
    from backend.services.outputs.jsonsafe import json_scalar

    # numpy counts timedelta64 as an integer type: it must still come out as a time span
    assert json_scalar(np.timedelta64(90, "s")) == "0 days 00:01:30"
    assert json_scalar(np.timedelta64("NaT")) is None
    assert json_scalar(np.int64(3)) == 3 and json_scalar(np.True_) is True
