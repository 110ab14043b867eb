"""Settings, read once from the environment (every variable is documented in the README)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    workers: int = Field(default=2, alias="STUDIO_WORKERS")
    warm_workers: bool = Field(default=True, alias="STUDIO_WARM_WORKERS")
    cookie_secure: bool = Field(default=False, alias="STUDIO_COOKIE_SECURE")
    min_free_bytes: int = Field(default=512 * 1024**2, ge=0, alias="STUDIO_MIN_FREE_BYTES")

    @property
    def database_url(self) -> str:
        """The configured URL, or a SQLite file in the data folder."""
        if self.database_url_override:
            return normalise_database_url(self.database_url_override)
        return f"sqlite:///{self.data_dir / 'studio.db'}"

    @property
    def artefact_dir(self) -> Path:
        return self.data_dir / "artefacts"

    @property
    def dataset_dir(self) -> Path:
        return self.data_dir / "datasets"


def normalise_database_url(url: str) -> str:
    """Let users write the usual `postgresql://` URL; we drive it with psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
