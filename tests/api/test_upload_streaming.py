"""A dataset upload against a real server (`python -m backend`): the file is parsed while it arrives.

The client sends the first part of a CSV several parse chunks long, then waits until the server has
begun the stored table (its Parquet staging file appears beside the upload) before sending the rest:
with a parse that only began after the whole body, that file would never appear and the wait would
end at its deadline. Aborting mid-way leaves nothing behind. Clients that stall mid-upload hold no
worker that other requests need.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backend.services.table_import.common import CHUNK_BYTES
from backend.services.uploads import STREAMED_CONSUMERS
from bench.server import running_server, signed_in_client

pytestmark = pytest.mark.slow

BOUNDARY = "studio-streaming-test"
DEADLINE_S = 60  # only a server that does not parse while receiving comes near it
PIECE = 256 << 10


def numeric_csv(n_bytes: int) -> bytes:
    rng = np.random.default_rng(0)
    rows = n_bytes // 90
    return pd.DataFrame(rng.random((rows, 5)), columns=list("abcde")).to_csv(index=False).encode()


def staging_files(data: Path) -> list[Path]:
    return sorted((data / "tmp").glob("*.parquet"))


def body(csv: bytes, pause_at: int, data: Path, seen: list[bool], *, closed: bool = True) -> Iterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="numbers.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    for start in range(0, pause_at, PIECE):
        yield csv[start : min(pause_at, start + PIECE)]
    deadline = time.monotonic() + DEADLINE_S
    while not staging_files(data) and time.monotonic() < deadline:
        time.sleep(0.01)
    seen.append(bool(staging_files(data)))
    for start in range(pause_at, len(csv), PIECE):
        yield csv[start : start + PIECE]
    if closed:
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_a_csv_upload_is_parsed_while_it_arrives(tmp_path: Path) -> None:
    data = tmp_path / "data"
    csv = numeric_csv(3 * CHUNK_BYTES)
    expected = pd.read_csv(io.BytesIO(csv))
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    with running_server(data=data) as served, contextlib.closing(signed_in_client(served.base)) as client:
        seen: list[bool] = []
        whole = body(csv, 2 * CHUNK_BYTES, data, seen)
        response = client.post("/api/datasets", content=whole, headers=headers)
        assert response.status_code == 201, response.text
        assert seen == [True], "the stored table was begun before the body was complete"
        dataset = response.json()
        assert (dataset["n_rows"], dataset["n_columns"]) == expected.shape
        page = client.get(f"/api/datasets/{dataset['id']}/rows", params={"offset": len(expected) - 1})
        assert page.json()["rows"][0] == pytest.approx(expected.iloc[-1].tolist())
        assert not [p for p in (data / "tmp").iterdir()], "nothing is left beside the uploads"

        seen.clear()
        cut = body(csv, 2 * CHUNK_BYTES, data, seen, closed=False)
        response = client.post("/api/datasets", content=cut, headers=headers)
        assert response.status_code == 400, response.text
        assert "closing boundary" in response.json()["detail"]
        assert seen == [True]
        assert not [p for p in (data / "tmp").iterdir()], "nothing is left of the cut upload"
        uploads = [d["id"] for d in client.get("/api/datasets").json() if not d["sample"]]
        assert uploads == [dataset["id"]]


def test_uploads_that_stall_hold_no_worker_others_need(tmp_path: Path) -> None:
    data = tmp_path / "data"
    csv = numeric_csv(200_000)
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="numbers.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    release = threading.Event()

    def stalled() -> Iterator[bytes]:
        yield head + csv[:50_000]
        release.wait(DEADLINE_S)
        yield csv[50_000:] + f"\r\n--{BOUNDARY}--\r\n".encode()

    n_stalled = STREAMED_CONSUMERS + 2  # more than are parsed while they arrive
    with (
        running_server(data=data) as served,
        contextlib.closing(signed_in_client(served.base)) as client,
        ThreadPoolExecutor(n_stalled) as pool,
    ):
        try:
            waiting = [
                pool.submit(client.post, "/api/datasets", content=stalled(), headers=headers)
                for _ in range(n_stalled)
            ]
            deadline = time.monotonic() + DEADLINE_S
            while len(list((data / "tmp").glob("*.upload"))) < n_stalled and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(list((data / "tmp").glob("*.upload"))) == n_stalled, "all are being received"

            response = client.post("/api/datasets", files={"file": ("whole.csv", csv)})
            assert response.status_code == 201, response.text
            assert client.get("/api/datasets").status_code == 200
        finally:
            release.set()
        assert [future.result().status_code for future in waiting] == [201] * n_stalled
        assert not list((data / "tmp").iterdir())
