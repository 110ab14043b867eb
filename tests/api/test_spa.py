"""The built single-page app as the server sends it: hashed assets kept by the browser for good, the page
that names them always asked for again, and nothing outside the build reachable."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.spa import mount_spa


def built_app(tmp_path: Path) -> TestClient:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<script type="module" src="/assets/index-AbC123.js"></script>')
    (dist / "assets" / "index-AbC123.js").write_text("console.log('app')")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not for you")
    app = FastAPI()
    mount_spa(app, dist)
    return TestClient(app)


def test_hashed_assets_are_cached_for_good_and_the_page_is_revalidated(tmp_path: Path) -> None:
    client = built_app(tmp_path)
    asset = client.get("/assets/index-AbC123.js")
    assert asset.status_code == 200 and asset.text == "console.log('app')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    page = client.get("/runs/1/nodes/assign/outputs/results_dataset")
    assert page.status_code == 200 and "/assets/index-AbC123.js" in page.text
    assert page.headers["cache-control"] == "no-cache"
    assert "immutable" not in client.get("/favicon.svg").headers.get("cache-control", "")


def test_only_the_build_is_served(tmp_path: Path) -> None:
    client = built_app(tmp_path)
    assert client.get("/assets/../../secret.txt").text != "not for you"
    assert client.get("/assets/%2E%2E/%2E%2E/secret.txt").status_code == 404
    assert client.get("/assets/missing-XyZ.js").status_code == 404
    assert client.get("/api/nothing").status_code == 404
