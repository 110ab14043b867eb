"""The studio server with three extra routes that only receive an upload, for bench_ingest's floor.

    python -m bench.receive_floor     # as `python -m backend`, plus the routes below

The routes answer how long the API takes to take in an upload's bytes when nothing is parsed or stored
(same server, middleware and HTTP stack as `POST /api/datasets`):

- `POST /bench/receive`: the body read to its end and dropped;
- `POST /bench/multipart`: the body also split by the multipart parser, the file part written to
  /dev/null;
- `POST /bench/receive-file`: the body received as an upload is (`receive_file`: multipart parsed, the
  file part written to a temporary file), then the file removed.
"""

from __future__ import annotations

import logging
import os

import uvicorn
from fastapi import FastAPI, Request
from python_multipart.multipart import MultipartParser

from backend.core.config import get_settings
from backend.main import create_app
from backend.migrate import upgrade
from backend.services.uploads import _FormReader, _multipart_boundary, receive_file


def app_factory() -> FastAPI:
    app = create_app()
    settings = app.state.settings

    @app.post("/bench/receive")
    async def receive(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return {"bytes": size}

    @app.post("/bench/multipart")
    async def multipart(request: Request) -> dict[str, int]:
        boundary = _multipart_boundary(request, settings.max_upload_bytes)
        with open(os.devnull, "wb") as dropped:
            reader = _FormReader(dropped, settings.max_upload_bytes)
            parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        return {"bytes": reader.file_bytes}

    @app.post("/bench/receive-file")
    async def receive_to_file(request: Request) -> dict[str, int]:
        upload = await receive_file(request, settings.data_dir / "tmp", settings.max_upload_bytes)
        upload.discard()
        return {"bytes": upload.size}

    return app


def main() -> None:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    upgrade(settings.database_url)
    uvicorn.run(
        "bench.receive_floor:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
