"""Settings, read once from the environment (every variable is documented in the README)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=PROJECT_ROOT / "data", alias="STUDIO_DATA_DIR")
    database_url_override: str | None = Field(default=None, alias="DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, alias="PORT")
    frontend_dist: Path = Field(default=PROJECT_ROOT / "frontend" / "dist", alias="STUDIO_FRONTEND_DIST")
    max_upload_bytes: int = Field(default=1024**3, alias="STUDIO_MAX_UPLOAD_BYTES")
    #: The largest model file `POST /api/models/import` takes (a model is centres and a little metadata).
    max_model_bytes: int = Field(default=64 * 1024**2, alias="STUDIO_MAX_MODEL_BYTES")
    #: Where node outputs are shared by every worker: empty, the data folder's `artefacts` (a path every
    #: worker can read); else an fsspec URL (`s3://bucket/prefix`), the data folder then caching it.
    artefacts_url: str = Field(default="", alias="STUDIO_ARTEFACTS_URL")
    workers: int = Field(default=2, alias="STUDIO_WORKERS")
    warm_workers: bool = Field(default=True, alias="STUDIO_WARM_WORKERS")
    #: Each worker runs a tiny pipeline and loads every compiled kernel before its first task (off: the
    #: task loads what it uses; the test suite's short-lived servers start thousands of workers).
    warm_up: bool = Field(default=True, alias="STUDIO_WARM_UP")
    #: Where node tasks run: `local` (worker processes beside the server) or `dask` (a Dask cluster).
    executor: Literal["local", "dask"] = Field(default="local", alias="STUDIO_EXECUTOR")
    #: With `dask`: the scheduler's address (`tcp://host:8786`); empty, the server starts a LocalCluster.
    dask_scheduler: str = Field(default="", alias="STUDIO_DASK_SCHEDULER")
    #: With `dask` and no scheduler address: the LocalCluster's worker processes (one thread each).
    dask_workers: int = Field(default=2, ge=1, alias="STUDIO_DASK_WORKERS")
    cookie_secure: bool = Field(default=False, alias="STUDIO_COOKIE_SECURE")
    min_free_bytes: int = Field(default=512 * 1024**2, ge=0, alias="STUDIO_MIN_FREE_BYTES")
    # What one request may carry (docs/security.md lists every cap and what it protects).
    max_json_bytes: int = Field(default=8 * 1024**2, ge=1024, alias="STUDIO_MAX_JSON_BYTES")
    max_json_depth: int = Field(default=32, ge=8, alias="STUDIO_MAX_JSON_DEPTH")
    max_string_chars: int = Field(default=100_000, ge=1000, alias="STUDIO_MAX_STRING_CHARS")
    max_graph_nodes: int = Field(default=1000, ge=1, alias="STUDIO_MAX_GRAPH_NODES")
    max_graph_edges: int = Field(default=5000, ge=1, alias="STUDIO_MAX_GRAPH_EDGES")
    max_validation_columns: int = Field(default=100_000, ge=100, alias="STUDIO_MAX_VALIDATION_COLUMNS")
    # What an uploaded file may claim (checked from Parquet metadata, and while CSV streams in).
    max_rows: int = Field(default=25_000_000, ge=1, alias="STUDIO_MAX_ROWS")
    max_cells: int = Field(default=250_000_000, ge=1, alias="STUDIO_MAX_CELLS")
    #: A dataset whose Parquet is larger than this is stored partitioned (a folder of part files), so that
    #: the Dask executor can read it part by part; parts hold about `partition_bytes` each.
    partition_threshold_bytes: int = Field(
        default=256 * 1024**2, ge=1, alias="STUDIO_PARTITION_THRESHOLD_BYTES"
    )
    partition_bytes: int = Field(default=100 * 1024**2, ge=1, alias="STUDIO_PARTITION_BYTES")
    # Rows one scoring request to a web service may carry (larger tables go to its batch jobs).
    score_max_rows: int = Field(default=10_000, ge=1, alias="STUDIO_SCORE_MAX_ROWS")
    # ---- sign-in and requests from other sites (backend/core/login_throttle.py, http_security.py)
    token_lifetime_hours: int = Field(default=720, ge=1, le=24 * 366, alias="STUDIO_TOKEN_LIFETIME_HOURS")
    login_max_failures: int = Field(default=5, ge=1, alias="STUDIO_LOGIN_MAX_FAILURES")
    login_max_failures_per_client: int = Field(default=20, ge=1, alias="STUDIO_LOGIN_MAX_FAILURES_PER_CLIENT")
    login_lockout_seconds: int = Field(default=900, ge=1, alias="STUDIO_LOGIN_LOCKOUT_SECONDS")
    password_min_score: int = Field(default=3, ge=0, le=4, alias="STUDIO_PASSWORD_MIN_SCORE")
    password_hash_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, alias="STUDIO_PASSWORD_HASH_WORKERS"
    )
    password_hash_queue: int = Field(default=16, ge=1, alias="STUDIO_PASSWORD_HASH_QUEUE")
    trusted_proxies: str = Field(default="", alias="STUDIO_TRUSTED_PROXIES")
    trusted_origins: str = Field(default="", alias="STUDIO_TRUSTED_ORIGINS")

    @property
    def database_url(self) -> str:
        """The configured URL, or a SQLite file in the data folder."""
        if self.database_url_override:
            return normalise_database_url(self.database_url_override)
        return f"sqlite:///{self.data_dir / 'studio.db'}"

    @property
    def trusted_origin_list(self) -> list[str]:
        """`STUDIO_TRUSTED_ORIGINS` as origins (`https://studio.example.com`), without a trailing slash."""
        return [o.strip().rstrip("/").lower() for o in self.trusted_origins.split(",") if o.strip()]

    @property
    def trusted_proxy_list(self) -> list[str]:
        """`STUDIO_TRUSTED_PROXIES`: addresses or networks whose X-Forwarded-For / -Proto are believed."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def artefact_dir(self) -> Path:
        return self.data_dir / "artefacts"

    @property
    def dataset_dir(self) -> Path:
        return self.data_dir / "datasets"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"


def normalise_database_url(url: str) -> str:
    """Let users write the usual `postgresql://` URL; we drive it with psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
