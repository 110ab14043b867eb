"""The files written from code (scripts/generated.py) come out the same whatever the settings.

`make check-generated` (in `make test-lint`) compares every generated file with the committed one; the
TypeScript types need Node, so only their input, the OpenAPI document, is checked here.
"""

from __future__ import annotations

from pathlib import Path

from backend.core.config import Settings
from backend.main import create_app
from backend.openapi import openapi_document
from scripts.generated import catalogue_fixture

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_dump_is_the_served_document_whatever_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        STUDIO_DATA_DIR=tmp_path / "data",
        STUDIO_WARM_WORKERS=False,
        STUDIO_MAX_UPLOAD_BYTES=1234,
        STUDIO_MAX_JSON_BYTES=4096,
        STUDIO_MAX_GRAPH_NODES=3,
        STUDIO_MAX_ROWS=10,
    )
    app = create_app(settings)
    try:
        served = app.openapi()
    finally:
        app.state.engine.dispose()
        app.state.password_work.shutdown()
    assert served == openapi_document()


def test_frontend_catalogue_fixture_is_current() -> None:
    committed = (ROOT / "frontend" / "src" / "test" / "catalogue.json").read_text(encoding="utf-8")
    assert committed == catalogue_fixture(), "run: make generated"
