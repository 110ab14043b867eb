"""A real studio server for the benchmarks: `python -m backend` on a free port, with a throwaway data
folder (or the one given), stopped on exit; and a client signed in to it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
#: Strong enough for the password policy (older revisions, served for comparison, accept it too).
BENCH_USER = {"username": "bench", "password": "Bench-mark: ninety nine red balloons"}


@dataclass(frozen=True)
class Served:
    base: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(
    env: dict[str, str] | None = None,
    root: Path = ROOT,
    data: Path | None = None,
    timeout_s: float = 60,
    module: str = "backend",
) -> Iterator[Served]:
    """Serve the checkout at `root` (with this venv) until the block ends; its log is shown if it fails.

    `module` is what `python -m` runs: the studio, or a benchmark's variant of it.
    """
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as scratch:
        folder = data or Path(scratch)
        port = free_port()
        full_env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "STUDIO_DATA_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'studio.db'}",
            "STUDIO_WARM_WORKERS": "false",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        log_path = Path(scratch) / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", module],
                cwd=root,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log_path.read_text(errors='replace')}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                        break
                time.sleep(0.1)
            yield Served(base, server.pid)
        finally:
            stop_server(server)


def signed_in_client(base: str, timeout: float = 60) -> httpx.Client:
    """A client of `base` signed in as BENCH_USER (registered on first use)."""
    client = httpx.Client(base_url=base, timeout=timeout)
    client.post("/api/auth/register", json=BENCH_USER)
    token = client.post("/api/auth/login", json=BENCH_USER)
    token.raise_for_status()
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def stop_server(server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Stop a benchmark's server process: politely, then by force."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)
