from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.core.config import Settings
from backend.core.login_throttle import LoginThrottle, LoginThrottled
from backend.core.passwords import PasswordWork, PasswordWorkBusy
from backend.main import create_app
from backend.migrate import upgrade
from backend.models import AuthToken, User
from tests.api.conftest import PASSWORD, sign_up

STRONG = "difference engine no 2"
OTHER_STRONG = "quiet copper falcon"


def register(client: TestClient, username: str, password: str = STRONG):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/register", json={"username": username, "password": password})


def login(client: TestClient, username: str, password: str = STRONG, **kwargs):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/login", json={"username": username, "password": password}, **kwargs)


def bearer(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def make_client(settings: Settings) -> Iterator:  # type: ignore[type-arg]
    """The real app with some settings changed (`make_client(STUDIO_LOGIN_MAX_FAILURES=2)`)."""
    opened: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        config = settings.model_copy(update={_field(alias): value for alias, value in overrides.items()})
        upgrade(config.database_url)
        client = TestClient(create_app(config))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _field(alias: str) -> str:
    return next(name for name, info in Settings.model_fields.items() if info.alias == alias)


# ---- sign-up, sign-in, sessions ------------------------------------------------------------------
def test_register_login_me_logout_with_bearer_token(client: TestClient) -> None:
    created = register(client, "ada")
    assert created.status_code == 201
    assert created.json()["username"] == "ada" and "password" not in created.text

    signed_in = login(client, "ada")
    assert signed_in.status_code == 200
    body = signed_in.json()
    assert body["token_type"] == "bearer" and body["user"]["username"] == "ada"
    client.cookies.clear()
    headers = bearer(signed_in)
    assert client.get("/api/auth/me", headers=headers).json()["username"] == "ada"

    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_login_sets_an_httponly_samesite_cookie_that_signs_the_browser_in(client: TestClient) -> None:
    register(client, "grace", "compiler of cobol 1959")
    signed_in = login(client, "grace", "compiler of cobol 1959")
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("studio_session="))
    cookie = cookie.lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=2592000" in cookie  # 30 days
    assert client.get("/api/auth/me").json()["username"] == "grace"  # the cookie alone


def test_token_lifetime_is_a_setting_and_the_cookie_lasts_as_long(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_TOKEN_LIFETIME_HOURS=2)
    register(client, "ada")
    signed_in = login(client, "ada")
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("studio_session="))
    assert "Max-Age=7200" in cookie
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        expires = session.scalar(select(AuthToken.expires_at))
    assert timedelta(minutes=119) < expires - datetime.now(UTC) <= timedelta(hours=2)


def test_passwords_are_stored_as_argon2_hashes(client: TestClient) -> None:
    register(client, "linus", "penguins on ice floes")
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = session.scalar(select(User.password_hash).where(User.username == "linus"))
    assert stored.startswith("$argon2id$") and "penguins" not in stored


def test_bad_credentials_and_bad_registrations_are_4xx(client: TestClient) -> None:
    register(client, "alan", "enigma at bletchley")
    assert register(client, "alan", "another strong one 77").status_code == 409
    assert register(client, "short", "1234567").status_code == 422
    assert login(client, "alan", "wrong pass").status_code == 401
    assert login(client, "nobody", "whatever1").status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_usernames_are_unique_regardless_of_case_and_keep_their_case(client: TestClient) -> None:
    assert register(client, "Ada").status_code == 201
    taken = register(client, "ada", OTHER_STRONG)
    assert taken.status_code == 409 and taken.json()["detail"] == "That username is taken"
    signed_in = login(client, "ADA")
    assert signed_in.status_code == 200 and signed_in.json()["user"]["username"] == "Ada"
    assert client.get("/api/auth/me", headers=bearer(signed_in)).json()["username"] == "Ada"

    # Sharing finds her in any case too.
    client.cookies.clear()
    bob = sign_up(client, "bob")
    exp = client.post("/api/experiments", headers=bob, json={"name": "shared"}).json()
    shared = client.post(
        f"/api/experiments/{exp['id']}/shares", headers=bob, json={"username": "aDa", "role": "viewer"}
    )
    assert shared.status_code == 200 and shared.json()["user"]["username"] == "Ada"


# ---- the password policy -------------------------------------------------------------------------
@pytest.mark.parametrize("weak", ["password123", "qwertyuiop", "alanalan1", "compiler!"])
def test_easy_passwords_are_refused_with_the_reason_and_never_echoed(client: TestClient, weak: str) -> None:
    refused = register(client, "alan", weak)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert isinstance(detail, str) and detail.startswith("This password is too easy to guess")
    assert "needed" in detail and len(detail) > len("This password is too easy to guess") + 30
    assert weak not in refused.text
    assert login(client, "alan", weak).status_code == 401  # no account was made


def test_the_policy_knows_the_username(client: TestClient) -> None:
    # Strong on its own, weak as the password of an account with that name.
    name = "zanzibar.quokka"
    assert register(client, name, name).status_code == 422


def test_the_minimum_score_is_a_setting(make_client) -> None:  # type: ignore[no-untyped-def]
    lenient = make_client(STUDIO_PASSWORD_MIN_SCORE=0)
    assert register(lenient, "ada", "password123").status_code == 201


# ---- nothing a client sends as a password comes back ------------------------------------------------
SECRET = "s3cret-marker-Xyzzy"
ECHO_BODIES = [
    {"username": "ada", "password": SECRET * 20},  # too long
    {"username": ["not", "a", "name"], "password": SECRET},  # the other field is wrong
    {"password": SECRET},  # missing username: pydantic's error carries the whole body
    {"username": "ada", "password": {"nested": SECRET}},  # wrong type
]


@pytest.mark.parametrize("body", ECHO_BODIES)
@pytest.mark.parametrize("path", ["/api/auth/register", "/api/auth/login"])
def test_error_bodies_never_echo_a_submitted_password(client: TestClient, path: str, body: dict) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert SECRET not in response.text
    assert response.json()["detail"][0]["msg"]  # still says what is wrong


def test_the_password_change_errors_never_echo_either(client: TestClient) -> None:
    alice = sign_up(client, "alice")
    cases = [
        ({"current_password": SECRET * 20, "new_password": OTHER_STRONG}, 422),  # too long
        ({"current_password": PASSWORD, "new_password": SECRET * 20}, 422),
        ({"new_password": SECRET}, 422),  # missing field: the whole body would be the input
        ({"current_password": PASSWORD, "new_password": [SECRET]}, 422),  # wrong type
        ({"current_password": SECRET, "new_password": OTHER_STRONG}, 400),  # wrong current password
        ({"current_password": PASSWORD, "new_password": "qwertyuiop"}, 422),  # too easy to guess
    ]
    for body, expected in cases:
        response = client.post("/api/auth/password", headers=alice, json=body)
        assert response.status_code == expected, response.text
        for secret in (SECRET, PASSWORD, "qwertyuiop"):
            assert secret not in response.text


# ---- change password, sign out everywhere ----------------------------------------------------------
def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(client: TestClient) -> None:
    register(client, "ada")
    here = bearer(login(client, "ada"))
    elsewhere = bearer(login(client, "ada"))
    client.cookies.clear()

    changed = client.post(
        "/api/auth/password", headers=here, json={"current_password": STRONG, "new_password": OTHER_STRONG}
    )
    assert changed.status_code == 204
    assert client.get("/api/auth/me", headers=here).status_code == 200
    assert client.get("/api/auth/me", headers=elsewhere).status_code == 401
    assert login(client, "ada", STRONG).status_code == 401
    assert login(client, "ada", OTHER_STRONG).status_code == 200


def test_changing_the_password_needs_the_current_one_and_a_strong_new_one(client: TestClient) -> None:
    register(client, "ada")
    headers = bearer(login(client, "ada"))
    client.cookies.clear()
    wrong = client.post(
        "/api/auth/password", headers=headers, json={"current_password": "nope", "new_password": OTHER_STRONG}
    )
    assert wrong.status_code == 400 and wrong.json()["detail"] == "The current password is wrong"
    weak = client.post(
        "/api/auth/password", headers=headers, json={"current_password": STRONG, "new_password": "password1"}
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.json()["detail"]
    assert client.get("/api/auth/me", headers=headers).status_code == 200  # still signed in
    assert login(client, "ada", STRONG).status_code == 200  # unchanged


def test_sign_out_everywhere_ends_every_session(client: TestClient) -> None:
    register(client, "ada")
    browser = login(client, "ada")  # the client keeps this one's cookie
    script = bearer(login(client, "ada"))
    other = bearer(login(client, "ada"))
    assert browser.status_code == 200

    ended = client.post("/api/auth/logout-all")  # with the cookie
    assert ended.status_code == 204
    assert 'studio_session=""' in ended.headers["set-cookie"]  # the cookie goes too
    for headers in (script, other):
        assert client.get("/api/auth/me", headers=headers).status_code == 401
    client.cookies.set("studio_session", browser.json()["access_token"])
    assert client.get("/api/auth/me").status_code == 401
    assert login(client, "ada").status_code == 200  # the account itself is fine


# ---- throttling ----------------------------------------------------------------------------------
def test_an_account_is_locked_after_too_many_failures(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_LOGIN_MAX_FAILURES=3, STUDIO_LOGIN_LOCKOUT_SECONDS=600)
    register(client, "ada")
    for _ in range(3):
        assert login(client, "ada", "wrong password").status_code == 401
    locked = login(client, "ADA")  # the right password, any case: still locked
    assert locked.status_code == 429
    retry_after = int(locked.headers["retry-after"])
    assert 590 <= retry_after <= 600
    assert locked.json()["detail"] == "Too many failed sign-ins. Try again in 10 minutes."
    assert register(client, "bob").status_code == 201
    assert login(client, "bob").status_code == 200  # other accounts are not held


def test_a_browser_that_signed_in_before_is_not_locked_out_by_an_attacker(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_LOGIN_MAX_FAILURES=3, STUDIO_LOGIN_MAX_FAILURES_PER_CLIENT=100)
    register(client, "ada")
    assert login(client, "ada").status_code == 200
    device = client.cookies.get("studio_device")
    assert device
    owner = TestClient(client.app, cookies={"studio_device": device})

    client.cookies.clear()  # the attacker: same address, no device cookie
    for _ in range(3):
        assert login(client, "ada", "guess").status_code == 401
    assert login(client, "ada").status_code == 429
    assert login(owner, "ada").status_code == 200  # her browser still gets in
    # ...but has its own failure budget: a stolen device cookie is no free pass.
    for _ in range(3):
        assert login(owner, "ada", "guess").status_code == 401
    assert login(owner, "ada").status_code == 429


def test_a_client_address_is_limited_across_accounts(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_LOGIN_MAX_FAILURES=100, STUDIO_LOGIN_MAX_FAILURES_PER_CLIENT=4)
    register(client, "ada")
    for name in ("u1", "u2", "u3", "ada"):
        assert login(client, name, "guess").status_code == 401
    assert login(client, "ada").status_code == 429
    assert login(client, "someone-new", "guess").status_code == 429


def test_a_right_password_does_not_wipe_the_address_failures(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_LOGIN_MAX_FAILURES=100, STUDIO_LOGIN_MAX_FAILURES_PER_CLIENT=3)
    register(client, "mallory")
    assert login(client, "victim1", "guess").status_code == 401
    assert login(client, "victim2", "guess").status_code == 401
    assert login(client, "mallory").status_code == 200  # her own account, right password
    assert login(client, "victim3", "guess").status_code == 401
    assert login(client, "victim4", "guess").status_code == 429


def test_wrong_current_passwords_count_as_failures(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_LOGIN_MAX_FAILURES=2)
    register(client, "ada")
    headers = bearer(login(client, "ada"))
    client.cookies.clear()
    body = {"current_password": "guess", "new_password": OTHER_STRONG}
    assert client.post("/api/auth/password", headers=headers, json=body).status_code == 400
    assert client.post("/api/auth/password", headers=headers, json=body).status_code == 400
    locked = client.post("/api/auth/password", headers=headers, json=body)
    assert locked.status_code == 429 and "retry-after" in locked.headers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_lock_lifts_when_the_failures_age_out_and_refusals_do_not_extend_it() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, max_failures_per_client=100, window_seconds=60, clock=clock)
    for step in range(3):
        clock.now = 1000.0 + 10 * step  # failures at 1000, 1010, 1020
        throttle.begin("ada", "1.2.3.4")
    clock.now = 1030.0
    with pytest.raises(LoginThrottled) as refused:
        throttle.begin("ada", "1.2.3.4")
    assert refused.value.retry_after == 30  # until the first failure is 60 s old
    for _ in range(50):  # the attacker keeps trying while locked: not counted
        with pytest.raises(LoginThrottled):
            throttle.begin("ada", "5.6.7.8")
    clock.now = 1060.0
    attempt = throttle.begin("ada", "1.2.3.4")  # one failure aged out: one more try
    with pytest.raises(LoginThrottled):
        throttle.begin("ada", "1.2.3.4")
    attempt.succeeded()  # that one was right: the account's failures are cleared
    throttle.begin("ada", "1.2.3.4")


def test_concurrent_attempts_count_before_their_hashes_finish() -> None:
    throttle = LoginThrottle(max_failures=3, max_failures_per_client=100, window_seconds=60)
    started = [throttle.begin("ada", f"10.0.0.{n}") for n in range(3)]  # none has finished
    with pytest.raises(LoginThrottled):
        throttle.begin("ada", "10.0.0.9")
    started[0].cancel()  # the server was too busy to check it: not a guess
    throttle.begin("ada", "10.0.0.9")


def test_remembered_keys_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("backend.core.login_throttle.MAX_KEYS", 50)
    throttle = LoginThrottle(max_failures=3, max_failures_per_client=10**6, window_seconds=60)
    for n in range(500):
        throttle.begin(f"random-name-{n}", "1.2.3.4")
    assert len(throttle._failures) <= 50


# ---- hashing off the event loop ------------------------------------------------------------------
def test_password_work_refuses_at_once_past_its_queue_limit() -> None:
    async def scenario() -> tuple[list[object], int]:
        work = PasswordWork(workers=1, queue_limit=2)
        try:
            running = [asyncio.ensure_future(work.hash(STRONG)) for _ in range(2)]
            await asyncio.sleep(0)  # both have started and hold their places
            with pytest.raises(PasswordWorkBusy):
                await work.hash(STRONG)
            results = await asyncio.gather(*running)
            return results, work.in_flight
        finally:
            work.shutdown()

    results, in_flight = asyncio.run(scenario())
    assert all(str(r).startswith("$argon2id$") for r in results)
    assert in_flight == 0


def test_a_full_hash_queue_answers_429_not_5xx(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(STUDIO_PASSWORD_HASH_QUEUE=1)
    register(client, "ada")
    work: PasswordWork = client.app.state.password_work  # type: ignore[attr-defined]
    work._in_flight = work.queue_limit  # as if another request's hash were running
    try:
        busy = login(client, "ada")
    finally:
        work._in_flight = 0
    assert busy.status_code == 429 and busy.headers["retry-after"] == "1"
    assert login(client, "ada").status_code == 200  # the busy attempt did not count as a failure
