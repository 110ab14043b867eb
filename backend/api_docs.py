"""The API's documentation page, /docs (Swagger UI), from pinned local files.

FastAPI's own pages load their scripts from a public CDN and start them with an inline script; here
the bundle comes from the `fastapi-offline` package (pinned in constraints.txt) and the start-up code
from a file of ours, so the page works under the app's Content-Security-Policy (scripts and styles
'self'). /redoc sends to /docs: ReDoc needs inline styles and always loads its logo from its vendor's
CDN, and one page of API documentation is enough.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

_VENDOR = Path(str(files("fastapi_offline") / "static"))
_OURS = Path(__file__).resolve().parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": _VENDOR / "swagger-ui-bundle.js",
    "swagger-ui.css": _VENDOR / "swagger-ui.css",
    "swagger-init.js": _OURS / "swagger-init.js",
}

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} — API</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-init.js"></script>
</body>
</html>
"""


def mount_api_docs(app: FastAPI) -> None:
    """Serve /docs and its files (the app must be created with docs_url=None, redoc_url=None)."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(SWAGGER_PAGE.format(title=app.title))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> RedirectResponse:
        return RedirectResponse("/docs", status_code=308)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        path = ASSETS.get(name)  # looked up by name, never a path built from the request
        if path is None:
            raise HTTPException(status_code=404, detail="Not Found")
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
