"""Uploads under hostile or unlucky conditions: odd bodies and names, limits, a full disk, a free-space floor.

Every refusal is a 4xx or 507 with a message, and leaves no row in the database and no file in the data
folder (temporary files included).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade
from tests.api.conftest import IRIS_CSV, sign_up, upload
from tests.api.test_datasets import _counts, _files

BOUNDARY = "studio-test-boundary"


@contextlib.contextmanager
def studio(settings: Settings, **changes: object) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with some settings changed, and a signed-in user."""
    changed = settings.model_copy(update=changes)
    upgrade(changed.database_url)
    app = create_app(changed)
    with TestClient(app) as client:
        yield client, sign_up(client, "alice")
    app.state.engine.dispose()


def multipart(filename: str, content: bytes, *, name: str | None = None, closed: bool = True) -> bytes:
    parts = []
    if name is not None:
        field = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\n{name}\r\n'
        parts.append(field.encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
    )
    parts.append(f"\r\n--{BOUNDARY}--\r\n".encode() if closed else b"")
    return b"".join(parts)


def post_raw(client: TestClient, headers: dict[str, str], body: bytes):
    return client.post(
        "/api/datasets",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        content=body,
    )


def assert_nothing_kept(client: TestClient, data_dir: Path, before: tuple[dict, list]) -> None:
    assert _counts(client) == before[0]
    assert _files(data_dir) == before[1]


def test_a_body_without_its_closing_boundary_is_400_and_leaves_nothing(
    client: TestClient, alice: dict[str, str], settings: Settings
) -> None:
    before = _counts(client), _files(settings.data_dir)
    response = post_raw(client, alice, multipart("cut.csv", IRIS_CSV.encode(), closed=False))
    assert response.status_code == 400, response.text
    assert "closing boundary" in response.json()["detail"]
    assert_nothing_kept(client, settings.data_dir, before)
    assert post_raw(client, alice, multipart("whole.csv", IRIS_CSV.encode())).status_code == 201


@pytest.mark.parametrize(
    ("filename", "name", "what"),
    [("iris.csv", "my\x00data", "'name'"), ("ir\x00is.csv", None, "file name")],
    ids=["in the name field", "in the file name"],
)
def test_nul_in_a_name_is_400_and_leaves_nothing(
    client: TestClient, alice: dict[str, str], settings: Settings, filename: str, name: str | None, what: str
) -> None:
    before = _counts(client), _files(settings.data_dir)
    response = post_raw(client, alice, multipart(filename, IRIS_CSV.encode(), name=name))
    assert response.status_code == 400, response.text
    assert what in response.json()["detail"] and "NUL" in response.json()["detail"]
    assert_nothing_kept(client, settings.data_dir, before)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_csv_with_a_byte_order_mark_is_accepted(
    client: TestClient, alice: dict[str, str], encoding: str
) -> None:
    text = "name,city,temp\nJosé,Köln,-1.5\nYuki,東京,22.25\n"
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    created = upload(client, alice, bom + text.encode(encoding), "utf16.csv")
    assert created.status_code == 201, created.text
    info = created.json()
    assert [c["name"] for c in info["columns"]] == ["name", "city", "temp"]
    assert [c["type"] for c in info["columns"]] == ["string", "string", "numeric"]
    rows = client.get(f"/api/datasets/{info['id']}/rows", headers=alice).json()["rows"]
    assert rows == [["José", "Köln", -1.5], ["Yuki", "東京", 22.25]]


def parquet_bytes(table: pa.Table, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **kwargs)
    return buffer.getvalue()


def test_zero_row_parquet_is_refused_like_a_header_only_csv(
    client: TestClient, alice: dict[str, str], settings: Settings
) -> None:
    before = _counts(client), _files(settings.data_dir)
    empty = parquet_bytes(pa.table({"x": pa.array([], pa.float64())}))
    from_parquet = upload(client, alice, empty, "empty.parquet")
    from_csv = upload(client, alice, b"x\n", "empty.csv")
    assert from_parquet.status_code == from_csv.status_code == 400
    assert from_parquet.json()["detail"] == from_csv.json()["detail"]
    detail = from_csv.json()["detail"]
    assert detail["code"] == "0018" and "no data rows" in detail["message"]
    assert_nothing_kept(client, settings.data_dir, before)


def test_parquet_errors_do_not_show_server_paths(
    client: TestClient, alice: dict[str, str], settings: Settings
) -> None:
    good = parquet_bytes(pa.table({"x": list(range(100))}))
    for content in (b"PAR1" + b"\x00garbage" * 10, good[: len(good) // 2] + good[-8:]):
        response = upload(client, alice, content, "bad.parquet")
        assert response.status_code == 400
        message = response.json()["detail"]["message"]
        assert "Parquet" in message
        assert str(settings.data_dir) not in message and "/tmp" not in message and ".upload" not in message


def test_files_claiming_more_rows_or_cells_than_the_limits_are_413(settings: Settings) -> None:
    with studio(settings, max_rows=1000, max_cells=3000) as (client, alice):
        before = _counts(client), _files(settings.data_dir)
        many_rows = pa.table({"x": pa.array(np.zeros(1001, dtype=np.int8))})
        response = upload(client, alice, parquet_bytes(many_rows), "rows.parquet")
        assert response.status_code == 413, response.text
        detail = response.json()["detail"]
        assert detail["code"] == "0018" and "1,001 rows" in detail["message"]
        assert "STUDIO_MAX_ROWS" in detail["message"]

        wide_csv = ("a,b,c,d\n" + "1,2,3,4\n" * 800).encode()
        response = upload(client, alice, wide_csv, "cells.csv")
        assert response.status_code == 413
        assert "STUDIO_MAX_CELLS" in response.json()["detail"]["message"]
        assert_nothing_kept(client, settings.data_dir, before)

        assert upload(client, alice, ("a,b,c\n" + "1,2,3\n" * 1000).encode(), "fits.csv").status_code == 201


def test_below_the_free_space_floor_uploads_are_507_and_nothing_is_stored(settings: Settings) -> None:
    with studio(settings, min_free_bytes=2**62) as (client, alice):
        before = _counts(client), _files(settings.data_dir)
        response = upload(client, alice, IRIS_CSV.encode(), "iris.csv")
        assert response.status_code == 507
        assert "STUDIO_MIN_FREE_BYTES" in response.json()["detail"]
        assert_nothing_kept(client, settings.data_dir, before)


@contextlib.contextmanager
def tiny_disk(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `path` (needs root; skipped otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a tmpfs mount, which needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=False)


def random_csv(n_bytes: int, seed: int = 0) -> bytes:
    """Incompressible numbers: as Parquet they take about half their size as text."""
    rng = np.random.default_rng(seed)
    rows = max(1, n_bytes // 80)
    frame = pd.DataFrame(rng.random((rows, 4)), columns=list("abcd"))
    return frame.to_csv(index=False, float_format="%.17g").encode()


def test_a_full_disk_is_507_and_leaves_nothing(settings: Settings, tmp_path: Path) -> None:
    with (
        tiny_disk(tmp_path / "small-disk", "3m") as data_dir,
        studio(settings, data_dir=data_dir, min_free_bytes=0) as (client, alice),
    ):
        before = _counts(client), _files(data_dir)

        # A body declared larger than the free space is refused before it is received ...
        too_big = random_csv(5 << 20)
        response = upload(client, alice, too_big, "big.csv")
        assert response.status_code == 507, response.text
        assert "too little for this upload" in response.json()["detail"]

        # ... and one sent without a length fills the disk while it is received.
        body = multipart("big.csv", too_big)
        pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))
        response = client.post(
            "/api/datasets",
            headers={**alice, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            content=pieces,
        )
        assert response.status_code == 507, response.text
        assert "receiving" in response.json()["detail"]
        assert_nothing_kept(client, data_dir, before)

        # The body fits, its Parquet copy does not: the disk fills while it is converted.
        response = upload(client, alice, random_csv(5 << 19, seed=1), "fits-alone.csv")
        assert response.status_code == 507, response.text
        assert "storing" in response.json()["detail"]
        assert_nothing_kept(client, data_dir, before)
        assert not any(p.is_file() for p in data_dir.rglob("*")), "no temporary file is left"

        # The space came back: a small upload goes through.
        assert upload(client, alice, IRIS_CSV.encode(), "iris.csv").status_code == 201
