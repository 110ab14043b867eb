"""Requests from other sites, security headers, the API documentation pages."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from backend.migrate import upgrade
from tests.api.conftest import IRIS_CSV, PASSWORD, sign_up

EVIL = {"Origin": "https://evil.example"}
SAME = {"Origin": "http://testserver"}  # TestClient's own origin


@pytest.fixture
def browser(client: TestClient) -> TestClient:
    """A signed-in browser: the client keeps the session cookie (and sends no Origin by itself)."""
    sign_up(client, "alice")
    assert client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    assert client.cookies.get("studio_session")
    return client


def _csv() -> dict:
    return {"file": ("iris.csv", io.BytesIO(IRIS_CSV.encode()))}


# ---- cookie-authenticated state changes from other sites ---------------------------------------------
def test_a_cross_site_json_post_with_the_cookie_is_refused(browser: TestClient) -> None:
    refused = browser.post("/api/experiments", headers=EVIL, json={"name": "csrf"})
    assert refused.status_code == 403 and "another site" in refused.json()["detail"]
    assert browser.get("/api/experiments").json()["count"] == 0  # nothing was made


def test_a_cross_site_body_less_post_is_refused(browser: TestClient) -> None:
    assert browser.post("/api/auth/logout", headers=EVIL).status_code == 403
    assert browser.post("/api/auth/logout-all", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert browser.get("/api/auth/me").status_code == 200  # still signed in


def test_a_cross_site_multipart_upload_is_refused(browser: TestClient) -> None:
    refused = browser.post("/api/datasets", headers=EVIL, files=_csv())
    assert refused.status_code == 403
    assert [d for d in browser.get("/api/datasets").json() if not d["sample"]] == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.testserver"},  # a sibling subdomain
        {"Origin": "null"},  # sandboxed frames, data: pages
        {"Origin": "http://testserver.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_other_origins_are_refused_for_put_and_delete_too(browser: TestClient, headers: dict) -> None:
    exp = browser.post("/api/experiments", json={"name": "mine"}).json()
    put = browser.put(f"/api/experiments/{exp['id']}", headers=headers, json={"name": "x", "version": 1})
    assert put.status_code == 403
    assert browser.delete(f"/api/experiments/{exp['id']}", headers=headers).status_code == 403
    assert browser.get(f"/api/experiments/{exp['id']}").json()["name"] == "mine"


def test_same_origin_requests_go_through(browser: TestClient) -> None:
    assert browser.post("/api/experiments", headers=SAME, json={"name": "a"}).status_code == 201
    assert (
        browser.post(
            "/api/experiments", headers={"Sec-Fetch-Site": "same-origin"}, json={"name": "b"}
        ).status_code
        == 201
    )
    # The browser's verdict wins when a proxy rewrote Host (the Origin then differs from it).
    both = {"Sec-Fetch-Site": "same-origin", "Origin": "https://studio.example.com"}
    assert browser.post("/api/datasets", headers=both, files=_csv()).status_code == 201
    assert browser.post("/api/auth/logout", headers=SAME).status_code == 204


def test_bearer_token_clients_are_not_checked(client: TestClient) -> None:
    script = sign_up(client, "bot")  # bearer headers; the client keeps no cookie
    made = client.post("/api/experiments", headers={**script, **EVIL}, json={"name": "by script"})
    assert made.status_code == 201
    assert client.post("/api/datasets", headers={**script, **EVIL}, files=_csv()).status_code == 201


def test_requests_without_origin_or_fetch_metadata_are_programs_and_go_through(browser: TestClient) -> None:
    assert browser.post("/api/experiments", json={"name": "curl with a cookie jar"}).status_code == 201


def test_cross_site_sign_in_and_sign_up_are_refused_cookie_or_not(client: TestClient) -> None:
    sign_up(client, "alice")
    body = {"username": "alice", "password": PASSWORD}
    refused = client.post("/api/auth/login", headers=EVIL, json=body)
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert (
        client.post("/api/auth/register", headers=EVIL, json={**body, "username": "eve"}).status_code == 403
    )
    assert client.post("/api/auth/login", headers=SAME, json=body).status_code == 200


def test_trusted_origins_are_allowed(settings: Settings) -> None:
    config = settings.model_copy(update={"trusted_origins": "https://studio.example.com/, https://b.example"})
    upgrade(config.database_url)
    with TestClient(create_app(config)) as client:
        sign_up(client, "alice")
        client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        proxied = {"Origin": "https://studio.example.com"}
        assert client.post("/api/experiments", headers=proxied, json={"name": "p"}).status_code == 201
        assert client.post("/api/experiments", headers=EVIL, json={"name": "e"}).status_code == 403


def test_get_requests_are_never_refused(browser: TestClient) -> None:
    assert browser.get("/api/experiments", headers=EVIL).status_code == 200


# ---- headers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/experiments/3", "/api/health", "/api/no-such-thing", "/docs"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = dict(
        part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";") if part.strip()
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no inline scripts, no eval, no other hosts
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


# ---- the API documentation -------------------------------------------------------------------------
def test_the_api_docs_load_only_local_files_and_no_inline_script(client: TestClient) -> None:
    html = client.get("/docs")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "http://" not in html.text and "https://" not in html.text  # nothing from a CDN
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html.text, flags=re.S)
    assert scripts and all('src="/docs/assets/' in attrs and not body.strip() for attrs, body in scripts)
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', html.text):
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 50, asset


def test_redoc_sends_to_the_docs(client: TestClient) -> None:
    moved = client.get("/redoc", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/docs"


def test_docs_assets_are_looked_up_by_name_only(client: TestClient) -> None:
    sneaky = client.get("/docs/assets/..%2F..%2Fpyproject.toml")  # not a docs asset: the app's page
    assert "[project]" not in sneaky.text and not sneaky.headers["content-type"].startswith("text/plain")
    assert client.get("/docs/assets/not-there.js").status_code == 404
    assert (
        client.get("/docs/assets/swagger-ui-bundle.js").headers["content-type"].startswith("text/javascript")
    )
