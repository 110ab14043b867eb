from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import User


def test_register_login_me_logout_with_bearer_token(client: TestClient) -> None:
    created = client.post("/api/auth/register", json={"username": "ada", "password": "difference engine"})
    assert created.status_code == 201
    assert created.json()["username"] == "ada" and "password" not in created.text

    login = client.post("/api/auth/login", json={"username": "ada", "password": "difference engine"})
    assert login.status_code == 200
    body = login.json()
    assert body["token_type"] == "bearer" and body["user"]["username"] == "ada"
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/auth/me", headers=headers).json()["username"] == "ada"

    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_login_sets_an_httponly_samesite_cookie_that_signs_the_browser_in(client: TestClient) -> None:
    client.post("/api/auth/register", json={"username": "grace", "password": "compiler!"})
    login = client.post("/api/auth/login", json={"username": "grace", "password": "compiler!"})
    cookie = login.headers["set-cookie"].lower()
    assert "studio_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/api/auth/me").json()["username"] == "grace"  # the cookie alone


def test_passwords_are_stored_as_argon2_hashes(client: TestClient) -> None:
    client.post("/api/auth/register", json={"username": "linus", "password": "penguins!"})
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = session.scalar(select(User.password_hash).where(User.username == "linus"))
    assert stored.startswith("$argon2id$") and "penguins" not in stored


def test_bad_credentials_and_bad_registrations_are_4xx(client: TestClient) -> None:
    client.post("/api/auth/register", json={"username": "alan", "password": "enigma machine"})
    assert (
        client.post("/api/auth/register", json={"username": "alan", "password": "another one"}).status_code
        == 409
    )
    assert (
        client.post("/api/auth/register", json={"username": "short", "password": "1234567"}).status_code
        == 422
    )
    assert (
        client.post("/api/auth/login", json={"username": "alan", "password": "wrong pass"}).status_code == 401
    )
    assert (
        client.post("/api/auth/login", json={"username": "nobody", "password": "whatever1"}).status_code
        == 401
    )
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
