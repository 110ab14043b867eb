"""Browser end-to-end harness: a real server on a free port, driven by Debian Chromium.

A session-scoped fixture starts `python -m backend` (migrations, then uvicorn serving /api/* and the
built single-page app from frontend/dist) with a throwaway data folder and SQLite database, waits for
`GET /api/health`, and stops the server at the end. Playwright drives the system Chromium at
/usr/bin/chromium: never `playwright install`.

Environment:
- `STUDIO_E2E_BASE_URL`: test an already running server instead of starting one.
- `STUDIO_E2E_CHROMIUM`: another Chromium binary (default /usr/bin/chromium).
- `STUDIO_E2E_HEADED=1`: show the browser window.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIST = ROOT / "frontend" / "dist"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("STUDIO_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return None


def _read(path: Path, limit: int = 20_000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return text[-limit:] or "(no output)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends: uvicorn shuts down cleanly
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (no trailing slash) of a real Cluster Studio server for this test session."""
    external = os.environ.get("STUDIO_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return

    if not (FRONTEND_DIST / "index.html").is_file():
        pytest.fail(
            f"The frontend is not built ({FRONTEND_DIST}/index.html is missing). "
            "Build it first: cd frontend && npm ci && npm run build",
            pytrace=False,
        )

    data_dir = tmp_path_factory.mktemp("studio-data")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "server.log"
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "STUDIO_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir}/studio.db",
        "STUDIO_FRONTEND_DIST": str(FRONTEND_DIST),
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        status: int | None = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"`python -m backend` exited with code {process.returncode} before answering "
                    f"/api/health. Its output:\n{_read(log_path)}",
                    pytrace=False,
                )
            status = _health_status(f"{base_url}/api/health")
            if status == 200:
                break
            time.sleep(0.25)
        else:
            pytest.fail(
                f"The server did not answer GET /api/health with 200 within {SERVER_START_TIMEOUT_S:.0f} s "
                f"(last status: {status}). Its output:\n{_read(log_path)}",
                pytrace=False,
            )
        yield base_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        hint = "apt-get install -y chromium" if shutil.which("apt-get") else "install Chromium"
        pytest.fail(f"Chromium not found at {CHROMIUM}: {hint} (never `playwright install`).", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=os.environ.get("STUDIO_E2E_HEADED") != "1",
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh browser context and page; uncaught page errors fail the test."""
    context = browser.new_context(base_url=server_url, viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        yield page
        assert not page_errors, f"Uncaught errors in the page: {page_errors}"
    finally:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """`screenshot("name")` saves tests/e2e/screenshots/name.png of the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
