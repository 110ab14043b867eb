"""Uploads: every format, every way a file can be bad, and nothing left behind by a failure."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.main import create_app
from backend.migrate import upgrade
from backend.models import Base
from tests.api.conftest import IRIS_CSV, sign_up, upload


def test_csv_upload_infers_types_and_pages_rows(client: TestClient, alice: dict[str, str]) -> None:
    created = upload(client, alice, IRIS_CSV.encode(), "iris.csv")
    assert created.status_code == 201, created.text
    info = created.json()
    assert info["name"] == "iris" and info["n_rows"] == 6 and info["n_columns"] == 5
    assert [c["type"] for c in info["columns"]] == ["numeric"] * 4 + ["string"]
    page = client.get(f"/api/datasets/{info['id']}/rows?offset=2&limit=2", headers=alice).json()
    assert page["columns"][0] == "sepal_length" and page["total"] == 6
    assert page["rows"] == [[7.0, 3.2, 4.7, 1.4, "versicolor"], [6.4, 3.2, 4.5, 1.5, "versicolor"]]


@pytest.mark.parametrize(
    ("content", "filename", "expected_columns"),
    [
        (b"a\tb\tc\n1\t2\tx\n3\t4\ty\n", "tabs.txt", ["a", "b", "c"]),
        (b"a;b\n1,5;2\n3;4\n", "semicolons.csv", ["a", "b"]),
        (b"\xef\xbb\xbfa,b\n1,\n3,4\n", "bom-and-missing.csv", ["a", "b"]),
    ],
)
def test_delimiters_are_detected(
    client: TestClient, alice: dict[str, str], content: bytes, filename: str, expected_columns: list[str]
) -> None:
    created = upload(client, alice, content, filename)
    assert created.status_code == 201, created.text
    assert [c["name"] for c in created.json()["columns"]] == expected_columns


def test_parquet_upload_and_missing_values(client: TestClient, alice: dict[str, str]) -> None:
    frame = pd.DataFrame({"x": [1.0, None, 3.0], "when": pd.to_datetime(["2024-01-01", "2024-02-01", None])})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    created = upload(client, alice, buffer.getvalue(), "frame.parquet", name="My frame")
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "My frame"
    assert [c["type"] for c in created.json()["columns"]] == ["numeric", "datetime"]
    rows = client.get(f"/api/datasets/{created.json()['id']}/rows", headers=alice).json()["rows"]
    assert rows[1][0] is None and rows[2][1] is None


def test_samples_are_listed_for_everyone_and_cannot_be_deleted(
    client: TestClient, alice: dict[str, str]
) -> None:
    listing = client.get("/api/datasets", headers=alice).json()
    samples = {d["id"]: d for d in listing if d["sample"]}
    assert {"sample-iris", "sample-wine", "sample-breast-cancer", "sample-iris-two-class"} <= set(samples)
    assert samples["sample-iris"]["n_rows"] == 150 and samples["sample-iris"]["n_columns"] == 5
    assert client.delete("/api/datasets/sample-iris", headers=alice).status_code == 403


def test_delete_is_refused_while_a_saved_experiment_uses_the_dataset(
    client: TestClient, alice: dict[str, str]
) -> None:
    dataset_id = upload(client, alice, IRIS_CSV.encode()).json()["id"]
    graph = {"nodes": [{"id": "d", "module": "dataset", "params": {"dataset_id": dataset_id}}], "edges": []}
    exp = client.post("/api/experiments", headers=alice, json={"name": "uses it", "graph": graph}).json()
    assert client.delete(f"/api/datasets/{dataset_id}", headers=alice).status_code == 409
    client.put(f"/api/experiments/{exp['id']}", headers=alice, json={"graph": {"nodes": []}, "version": 1})
    assert client.delete(f"/api/datasets/{dataset_id}", headers=alice).status_code == 204
    assert client.get(f"/api/datasets/{dataset_id}", headers=alice).status_code == 404


def _counts(client: TestClient) -> dict[str, int]:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
        }


def _files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix not in {".db", ".db-wal", ".db-shm"}
        and "-wal" not in p.name
        and "-shm" not in p.name
    )


MALFORMED = [
    ("ragged row", b"a,b,c\n1,2,3\n4,5\n6,7,8\n", "ragged.csv", "line 3"),
    ("too many fields", b"a,b\n1,2\n3,4,5\n", "wide.csv", "line 3"),
    ("binary junk", bytes(range(256)) * 8, "junk.csv", "binary"),
    ("empty file", b"", "empty.csv", "empty"),
    ("bad encoding", "name,city\nJosé,Köln\n".encode("latin-1"), "latin1.csv", "UTF-8"),
    ("header only", b"a,b,c\n", "header.csv", "no data rows"),
    ("duplicate header", b"a,a\n1,2\n", "dup.csv", "more than once"),
    ("corrupt parquet", b"PAR1" + b"\x00garbage" * 10, "bad.parquet", "Parquet"),
]


@pytest.mark.parametrize(("label", "content", "filename", "where"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_uploads_are_0018_and_leave_nothing(
    client: TestClient, alice: dict[str, str], settings, label: str, content: bytes, filename: str, where: str
) -> None:
    before_rows, before_files = _counts(client), _files(settings.data_dir)
    response = upload(client, alice, content, filename)
    assert response.status_code == 400, (label, response.text)
    detail = response.json()["detail"]
    assert detail["code"] == "0018" and where.lower() in detail["message"].lower(), detail
    assert _counts(client) == before_rows
    assert _files(settings.data_dir) == before_files


def test_uploads_over_the_limit_are_413_and_leave_nothing(settings, tmp_path: Path) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1000})
    upgrade(small.database_url)
    with TestClient(create_app(small)) as client:
        alice = sign_up(client, "alice")
        before_rows, before_files = _counts(client), _files(small.data_dir)
        big = b"a,b\n" + b"1,2\n" * 1000
        response = upload(client, alice, big, "big.csv")
        assert response.status_code == 413
        assert _counts(client) == before_rows and _files(small.data_dir) == before_files
        assert upload(client, alice, b"a,b\n1,2\n", "small.csv").status_code == 201


def test_not_multipart_is_400(client: TestClient, alice: dict[str, str]) -> None:
    assert client.post("/api/datasets", headers=alice, content=b"a,b\n1,2\n").status_code == 400
    no_file = client.post("/api/datasets", headers=alice, files={"other": ("x.csv", b"a\n1\n")})
    assert no_file.status_code == 400
