"""Serve the built single-page app: static assets, and index.html for every other non-API path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

NOT_BUILT = """<!doctype html><title>Cluster Studio</title>
<p>The frontend is not built yet. Run <code>make run</code>, which builds it.</p>"""


#: The build names every asset after a hash of its content: a browser may keep it for good, and a page
#: loaded again asks the server for none of them (index.html, which names them, is always revalidated).
HASHED_ASSET_CACHE = "public, max-age=31536000, immutable"


class HashedAssets(StaticFiles):
    """The build's assets, sent with :data:`HASHED_ASSET_CACHE`."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = HASHED_ASSET_CACHE
        return response


def mount_spa(app: FastAPI, dist: Path) -> None:
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", HashedAssets(directory=assets), name="assets")
    index = dist / "index.html"
    # Top-level files the build emits (favicon, logo); looked up by name, never by a user path.
    top_level = {p.name: p for p in dist.iterdir() if p.is_file()} if dist.is_dir() else {}

    @app.get("/{full_path:path}", include_in_schema=False)
    def spa(full_path: str):  # type: ignore[no-untyped-def]
        if full_path == "api" or full_path.startswith("api/"):
            raise HTTPException(status_code=404, detail="Not Found")
        if full_path in top_level and full_path != "index.html":
            return FileResponse(top_level[full_path])
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(NOT_BUILT)
