"""Upload benchmark: the server process's memory while it takes a large CSV, a Parquet bomb and row pages.

    .venv/bin/python -m bench.bench_upload                      # this checkout against `main`
    .venv/bin/python -m bench.bench_upload --csv-mib 100 --baseline-ref ''   # quicker, this checkout only

Starts a real server (`python -m backend`, SQLite in a temporary folder, no worker processes) and reads
its memory from /proc: before each request the peak (VmHWM) is reset through /proc/PID/clear_refs, so
"peak growth" is the most the request added over the resident size before it (VmRSS). Reported:

- a generated CSV of about --csv-mib MiB (20 numeric columns) uploaded over HTTP: peak growth, time,
  and the resident size left afterwards;
- the same table as one Parquet row group (a file written by a tool that does not split it): peak growth;
- a 1 MiB Parquet file whose footer claims 100M rows: the status and peak growth;
- the first and the last row page of the uploaded dataset: peak growth;
- the resident size after the dataset is deleted.

With --baseline-ref (default `main`) the same is measured for that git revision (exported with
`git archive` into a temporary folder and served from there), and the ratios are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bench.server import ROOT, running_server, signed_in_client

MIB = 1 << 20


def write_csv(path: Path, target_bytes: int, seed: int = 0) -> int:
    """About `target_bytes` of CSV: 20 columns of numbers with 6 decimals. Returns the rows written."""
    rng = np.random.default_rng(seed)
    rows = 0
    with pacsv.CSVWriter(path, pa.schema([(f"x{i}", pa.float64()) for i in range(20)])) as writer:
        while path.stat().st_size < target_bytes:
            block = np.round(rng.normal(size=(100_000, 20)) * 100, 6)
            writer.write_table(pa.table({f"x{i}": block[:, i] for i in range(20)}))
            rows += 100_000
    return rows


def write_bomb(path: Path, n_rows: int = 100_000_000) -> None:
    """A tiny Parquet file of `n_rows` 64-bit zeros (800 MB in memory): its footer claims them all."""
    group = pa.table({"x": pa.array(np.zeros(1_000_000, dtype=np.int64))})
    with pq.ParquetWriter(path, group.schema, compression="zstd") as writer:
        for _ in range(n_rows // 1_000_000):
            writer.write_table(group)


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


@dataclass
class Server:
    root: Path
    data: Path
    pid: int = field(init=False)
    client: httpx.Client = field(init=False)
    _running: contextlib.ExitStack = field(init=False, default_factory=contextlib.ExitStack)

    def __post_init__(self) -> None:
        served = self._running.enter_context(
            running_server({"STUDIO_MAX_UPLOAD_BYTES": str(4 << 30)}, root=self.root, data=self.data)
        )
        self.pid = served.pid
        self.client = signed_in_client(served.base, timeout=3600)
        self.client.get("/api/datasets").raise_for_status()  # warm: imports, database connection

    def rss_mib(self) -> float:
        return status_kib(self.pid, "VmRSS") / 1024

    def measure(self, request) -> tuple[httpx.Response, float, float]:
        """The response, the peak growth over the resident size before it (MiB) and the seconds taken."""
        time.sleep(0.5)
        before = self.rss_mib()
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # reset the peak (VmHWM)
        started = time.perf_counter()
        response = request()
        seconds = time.perf_counter() - started
        peak = status_kib(self.pid, "VmHWM") / 1024
        return response, peak - before, seconds

    def upload(self, path: Path):
        with path.open("rb") as handle:
            return self.client.post("/api/datasets", files={"file": (path.name, handle)})

    def stop(self) -> None:
        self._running.close()


def write_one_group_parquet(csv: Path, path: Path) -> None:
    table = pacsv.read_csv(csv)
    pq.write_table(table, path, row_group_size=table.num_rows)


def measure_revision(root: Path, csv: Path, parquet: Path, bomb: Path) -> dict[str, str | float]:
    data = Path(tempfile.mkdtemp(prefix="studio-bench-upload-"))
    server = Server(root, data)
    result: dict[str, str | float] = {}
    try:
        result["idle RSS (MiB)"] = server.rss_mib()
        response, growth, seconds = server.measure(lambda: server.upload(csv))
        response.raise_for_status()
        dataset = response.json()
        result["CSV upload: peak growth (MiB)"] = growth
        result["CSV upload: seconds"] = seconds
        time.sleep(0.5)
        result["RSS after the upload (MiB)"] = server.rss_mib()

        response, growth, seconds = server.measure(lambda: server.upload(parquet))
        response.raise_for_status()
        result["Parquet upload, one row group: peak growth (MiB)"] = growth
        result["Parquet upload, one row group: seconds"] = seconds
        server.client.delete(f"/api/datasets/{response.json()['id']}").raise_for_status()

        response, growth, _ = server.measure(lambda: server.upload(bomb))
        result["Parquet bomb: status"] = str(response.status_code)
        result["Parquet bomb: peak growth (MiB)"] = growth
        if response.status_code == 201:
            bomb_id = response.json()["id"]
            bomb_page = f"/api/datasets/{bomb_id}/rows?limit=100"
            _, growth, _ = server.measure(lambda: server.client.get(bomb_page))
            result["Parquet bomb: first page, peak growth (MiB)"] = growth
            server.client.delete(f"/api/datasets/{bomb_id}")

        rows_url = f"/api/datasets/{dataset['id']}/rows"
        response, growth, seconds = server.measure(lambda: server.client.get(f"{rows_url}?limit=100"))
        response.raise_for_status()
        result["first page: peak growth (MiB)"] = growth
        result["first page: seconds"] = seconds
        last = max(0, dataset["n_rows"] - 100)
        last_page = f"{rows_url}?offset={last}&limit=100"
        response, growth, seconds = server.measure(lambda: server.client.get(last_page))
        response.raise_for_status()
        result["last page: peak growth (MiB)"] = growth
        result["last page: seconds"] = seconds
        time.sleep(0.5)
        result["RSS after the pages (MiB)"] = server.rss_mib()

        server.client.delete(f"/api/datasets/{dataset['id']}").raise_for_status()
        time.sleep(1.0)
        result["RSS after the delete (MiB)"] = server.rss_mib()
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    return result


def export_revision(ref: str) -> Path:
    target = Path(tempfile.mkdtemp(prefix=f"studio-bench-{ref.replace('/', '-')}-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-mib", type=int, default=600, help="size of the generated CSV")
    parser.add_argument("--baseline-ref", default="main", help="git revision to compare with ('' for none)")
    files = Path(tempfile.gettempdir()) / "studio-bench-upload-files"
    parser.add_argument("--files", type=Path, default=files, help="where the generated files are kept")
    args = parser.parse_args()

    args.files.mkdir(parents=True, exist_ok=True)
    csv, bomb = args.files / f"numbers-{args.csv_mib}mib.csv", args.files / "bomb-100m-int64.parquet"
    if not csv.exists():
        write_csv(csv.with_suffix(".part"), args.csv_mib * MIB)
        csv.with_suffix(".part").rename(csv)
    if not bomb.exists():
        write_bomb(bomb)
    parquet = csv.with_suffix(".one-group.parquet")
    if not parquet.exists():
        write_one_group_parquet(csv, parquet)
    csv_mib, bomb_kib = csv.stat().st_size / MIB, bomb.stat().st_size / 1024
    parquet_mib = parquet.stat().st_size / MIB
    print(f"CSV {csv_mib:.0f} MiB; as Parquet {parquet_mib:.0f} MiB; bomb {bomb_kib:.0f} KiB, 100M rows")

    revisions = {"this checkout": ROOT}
    exported = None
    if args.baseline_ref:
        exported = export_revision(args.baseline_ref)
        revisions = {args.baseline_ref: exported, **revisions}
    try:
        results = {label: measure_revision(root, csv, parquet, bomb) for label, root in revisions.items()}
    finally:
        if exported is not None:
            shutil.rmtree(exported, ignore_errors=True)

    labels = list(results)
    keys = list(dict.fromkeys(key for result in results.values() for key in result))
    width = max(len(k) for k in keys)
    header = "  ".join(f"{label:>14}" for label in labels) + ("  ratio" if len(labels) > 1 else "")
    print(f"\n{'':{width}}  {header}")
    for key in keys:
        cells = [results[label].get(key, "-") for label in labels]
        text = [f"{c:>14.2f}" if isinstance(c, float) else f"{c:>14}" for c in cells]
        ratio = ""
        if len(labels) == 2 and all(isinstance(c, float) for c in cells) and abs(float(cells[1])) > 1e-9:
            ratio = f"  {float(cells[0]) / float(cells[1]):.1f}x"
        print(f"{key:{width}}  " + "  ".join(text) + ratio)


if __name__ == "__main__":
    main()
