"""The compose file and the Dockerfile, checked without a Docker engine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_is_valid_for_docker_compose() -> None:
    """`docker-compose config` parses and validates the file against the Compose schema."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing; `make test` installs it (apt-get install docker-compose)"
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_app_on_postgres_16_once_it_is_healthy() -> None:
    compose = _compose()
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    # Named volumes for both the database and the studio's data folder.
    named = set(compose["volumes"])
    assert db["volumes"][0].split(":")[0] in named
    data_volume, data_path = app["volumes"][0].split(":")[:2]
    assert data_volume in named and data_path == app["environment"]["STUDIO_DATA_DIR"]


def test_dockerfile_builds_frontend_then_runs_the_make_run_entry_point_as_non_root() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert stages[0].startswith("FROM node:") and "python" in stages[-1]
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    assert 'CMD ["python", "-m", "backend"]' in lines
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PY) -m backend" in makefile, "make run and the image must share one entry point"
