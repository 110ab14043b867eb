"""`python -m backend.openapi`: print the server's OpenAPI document (what /openapi.json serves).

No server starts and no database is touched: the app is built against a throwaway data folder and
never started. The document depends on the routes and schemas only, never on the settings, and is
printed with sorted keys, so the same code always prints the same bytes (frontend/src/api/openapi.gen.ts
is generated from it: `make api-types`).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of an app built with default settings in a folder that is then removed."""
    from backend.core.config import Settings
    from backend.main import create_app

    with tempfile.TemporaryDirectory(prefix="studio-openapi-") as data_dir:
        settings = Settings(
            STUDIO_DATA_DIR=Path(data_dir),
            DATABASE_URL=f"sqlite:///{Path(data_dir) / 'studio.db'}",
            STUDIO_WARM_WORKERS=False,
            STUDIO_WORKERS=1,
        )
        app = create_app(settings)
        try:
            return app.openapi()
        finally:
            app.state.engine.dispose()
            app.state.password_work.shutdown()


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
