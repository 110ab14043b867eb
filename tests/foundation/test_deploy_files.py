"""The compose file and the Dockerfile, checked without a Docker engine (`make test-docker` runs them)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose_config(**env: str) -> dict:
    """The compose file as docker-compose resolves it (variables substituted), under ``env``."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing; `make test` installs it (apt-get install docker-compose)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={**clean, **env},
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def _dockerfile() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def test_compose_runs_the_app_on_postgres_16_once_it_is_healthy() -> None:
    compose = _compose_config()
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    assert "/api/health" in " ".join(app["healthcheck"]["test"])
    # Named volumes for both the database and the studio's data folder.
    named = set(compose["volumes"])
    assert db["volumes"][0].split(":")[0] in named
    data_volume, data_path = app["volumes"][0].split(":")[:2]
    assert data_volume in named and data_path == app["environment"]["STUDIO_DATA_DIR"]
    # By default the official base images and port 8000, on the loopback interface only.
    assert app["build"]["args"] == {"NODE_IMAGE": "node:20-slim", "PYTHON_IMAGE": "python:3.11-slim"}
    assert app["ports"][0].startswith("127.0.0.1:8000:8000")


def test_compose_takes_base_images_and_port_from_the_environment() -> None:
    compose = _compose_config(
        STUDIO_POSTGRES_IMAGE="local/postgres:test",
        STUDIO_NODE_IMAGE="local/node:test",
        STUDIO_PYTHON_IMAGE="local/python:test",
        STUDIO_PORT="18001",
    )
    app = compose["services"]["app"]
    assert compose["services"]["db"]["image"] == "local/postgres:test"
    assert app["build"]["args"] == {"NODE_IMAGE": "local/node:test", "PYTHON_IMAGE": "local/python:test"}
    assert app["ports"][0].startswith("127.0.0.1:18001:8000")


def test_dockerfile_base_images_are_build_arguments_with_official_defaults() -> None:
    lines = _dockerfile()
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    args = dict(
        line.removeprefix("ARG ").split("=", 1) for line in lines[: stages[0]] if line.startswith("ARG ")
    )
    assert args == {"NODE_IMAGE": "node:20-slim", "PYTHON_IMAGE": "python:3.11-slim"}
    assert lines[stages[0]].startswith("FROM ${NODE_IMAGE} AS ")
    assert lines[stages[-1]].startswith("FROM ${PYTHON_IMAGE} AS ")
    # compose passes exactly the arguments the Dockerfile declares
    assert set(_compose_config()["services"]["app"]["build"]["args"]) == set(args)


def test_dockerfile_builds_frontend_then_runs_the_make_run_entry_point_as_non_root() -> None:
    lines = _dockerfile()
    assert any("npm run build" in line for line in lines)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert lines[-1] == 'CMD ["python", "-m", "backend"]'
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PY) -m backend" in makefile, "make run and the image must share one entry point"


def test_kernels_are_compiled_into_the_image_where_the_runtime_user_can_use_them() -> None:
    text = (ROOT / "Dockerfile").read_text()
    cache_dir = re.search(r"NUMBA_CACHE_DIR=(\S+)", text)
    assert cache_dir, "the image must set NUMBA_CACHE_DIR"
    lines = _dockerfile()
    precompile = [i for i, line in enumerate(lines) if "python -m modules.engine.precompile" in line]
    assert precompile, "the image must run the precompile at build time"
    # Numba only uses a cache directory it can write to: compile as the runtime user.
    user_before = [line.split()[1] for line in lines[: precompile[0]] if line.startswith("USER ")]
    runtime_user = [line.split()[1] for line in lines if line.startswith("USER ")][-1]
    assert user_before and user_before[-1] == runtime_user
    # ... and the same precompile is what `make run` installs.
    assert "-m modules.engine.precompile" in (ROOT / "Makefile").read_text()


@pytest.mark.parametrize("path", ["tests/docker/run.sh", "tests/docker/build_base_images.sh"])
def test_docker_scripts_are_executable_and_parse(path: str) -> None:
    script = ROOT / path
    assert os.access(script, os.X_OK), f"{path} is not executable"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_dask_profile_adds_a_scheduler_and_two_workers_of_the_same_image_and_data() -> None:
    binary = shutil.which("docker-compose")
    assert binary
    done = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "--profile", "dask", "config"],
        capture_output=True,
        text=True,
        check=True,
    )
    services = yaml.safe_load(done.stdout)["services"]
    app = services["app"]
    assert app["environment"]["STUDIO_DASK_SCHEDULER"] == "tcp://dask-scheduler:8786"
    assert services["dask-scheduler"]["image"] == app["image"]
    workers = [services[f"dask-worker-{i}"] for i in (1, 2)]
    for worker in workers:
        assert worker["image"] == app["image"]
        assert worker["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
        assert worker["volumes"] == app["volumes"]  # the studio's data volume, at the same path
    # Without the profile, only the database and the studio run.
    assert {name for name, service in services.items() if "dask" not in service.get("profiles", [])} == {
        "db",
        "app",
    }
