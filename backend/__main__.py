"""`python -m backend`: bring the database to the latest revision, then serve the studio."""

from __future__ import annotations

import logging

import uvicorn

from backend.core.config import get_settings
from backend.migrate import upgrade


def main() -> None:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    upgrade(settings.database_url)
    # The address answers once the worker processes have warmed up (backend/main.py): seconds.
    print(f"Cluster Studio: http://{settings.host}:{settings.port} (starting)", flush=True)
    # proxy_headers off: the app believes X-Forwarded-For only from STUDIO_TRUSTED_PROXIES (http_security.py),
    # where uvicorn would believe it from 127.0.0.1 by default.
    uvicorn.run(
        "backend.main:app_factory", factory=True, host=settings.host, port=settings.port, proxy_headers=False
    )


if __name__ == "__main__":
    main()
