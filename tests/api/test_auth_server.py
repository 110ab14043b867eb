"""Sign-in against a real server (`python -m backend` on a free port): a login flood, and proxy addresses."""

from __future__ import annotations

import httpx
import pytest

from bench.bench_auth import NO_THROTTLE, flood, p50, quiet_health, register
from bench.server import running_server

pytestmark = pytest.mark.slow


def test_a_login_flood_leaves_health_answering(capsys: pytest.CaptureFixture[str]) -> None:
    with running_server(NO_THROTTLE) as served:
        base = served.base
        register(base, "victim")
        quiet = quiet_health(base, count=20)
        flooded = flood(base, "victim", clients=50, rounds=2)
    with capsys.disabled():
        print(
            f"\nhealth p50 alone {p50(quiet):.1f} ms, "
            f"during a 50-client login flood {p50(flooded.health_ms):.1f} ms "
            f"({len(flooded.health_ms)} requests); login answers {dict(flooded.login_statuses)}"
        )
    # Health answered every request it was sent while the flood went on, and the flood got answers
    # too: wrong password, or "busy, retry in a second" once the hash queue is full. Never a 5xx.
    assert len(flooded.health_ms) >= 3
    assert set(flooded.health_statuses) == {200}
    assert not flooded.login_errors
    assert sum(flooded.login_statuses.values()) == 100
    assert set(flooded.login_statuses) <= {401, 429}


def _fail_logins(base: str, forwarded_for: list[str]) -> list[int]:
    statuses = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for address in forwarded_for:
            response = client.post(
                "/api/auth/login",
                json={"username": f"nobody-{address}", "password": "wrong password"},
                headers={"X-Forwarded-For": address},
            )
            statuses.append(response.status_code)
    return statuses


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted() -> None:
    limits = {"STUDIO_LOGIN_MAX_FAILURES_PER_CLIENT": "3", "STUDIO_LOGIN_MAX_FAILURES": "100"}
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"]
    # By default the address is the peer's (127.0.0.1): a forged header does not escape the limit.
    with running_server(limits) as served:
        base = served.base
        assert _fail_logins(base, addresses) == [401, 401, 401, 429, 429]
    # Behind a trusted proxy, each forwarded client has its own budget.
    with running_server({**limits, "STUDIO_TRUSTED_PROXIES": "127.0.0.1"}) as served:
        base = served.base
        assert _fail_logins(base, addresses) == [401] * 5
        assert _fail_logins(base, ["203.0.113.9"] * 4) == [401, 401, 401, 429]
