"""Sign-in flood benchmark: does a flood of wrong-password logins slow /api/health down?

    .venv/bin/python -m bench.bench_auth [--clients 50] [--rounds 4] [--root PATH]

Starts a real server (`python -m backend`, SQLite in a temporary folder) with the login throttle
set out of the way (every attempt reaches Argon2), measures GET /api/health alone, then again while
`clients` threads of another process each send `rounds` wrong-password logins at once. Prints both
p50s and their ratio and fails (exit 1) when the flooded p50 is more than `--max-ratio` times the
quiet one and above `--floor-ms` (a quiet p50 near zero makes any ratio large). `--root` serves
another checkout (e.g. an older commit exported with `git archive`) with this machine's venv.

tests/api/test_auth_server.py runs the same flood (smaller) and checks health answered every time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.server import ROOT, running_server

PASSWORD = "bench marks 4 studio"
#: Every attempt reaches the hash: the point is the hashing, not the throttle.
NO_THROTTLE = {"STUDIO_LOGIN_MAX_FAILURES": "1000000", "STUDIO_LOGIN_MAX_FAILURES_PER_CLIENT": "1000000"}


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def quiet_health(base: str, count: int = 50) -> list[float]:
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            client.get("/api/health").raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


@dataclass
class FloodResult:
    health_ms: list[float] = field(default_factory=list)
    health_statuses: Counter[int] = field(default_factory=Counter)
    login_statuses: Counter[int] = field(default_factory=Counter)
    login_errors: list[str] = field(default_factory=list)


def attack(base: str, username: str, clients: int, rounds: int) -> dict[str, object]:
    """`clients` threads each send `rounds` wrong-password logins at once; the answers' statuses."""
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def attacker() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            start.wait()
            for _ in range(rounds):
                try:
                    response = client.post(
                        "/api/auth/login", json={"username": username, "password": "wrong!"}
                    )
                    with lock:
                        statuses[response.status_code] += 1
                except httpx.HTTPError as error:
                    with lock:
                        errors.append(repr(error))

    threads = [threading.Thread(target=attacker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"statuses": {str(k): v for k, v in statuses.items()}, "errors": errors}


def flood(base: str, username: str, clients: int, rounds: int) -> FloodResult:
    """Floods logins from a process of its own (its threads must not slow this one's measuring down
    through the GIL) and polls health until the flood is over."""
    result = FloodResult()
    attacker = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_auth", "--attack", base, username, str(clients), str(rounds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    with httpx.Client(base_url=base, timeout=120) as client:
        time.sleep(0.3)  # let the flood land first
        while attacker.poll() is None:
            started = time.perf_counter()
            response = client.get("/api/health")
            result.health_ms.append((time.perf_counter() - started) * 1000)
            result.health_statuses[response.status_code] += 1
            time.sleep(0.01)
    out, _ = attacker.communicate()
    answers = json.loads(out)
    result.login_statuses.update({int(k): v for k, v in answers["statuses"].items()})
    result.login_errors.extend(answers["errors"])
    return result


def register(base: str, username: str) -> None:
    response = httpx.post(f"{base}/api/auth/register", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text


def main() -> None:
    if sys.argv[1:2] == ["--attack"]:  # the flooding process of `flood`
        base, username, clients, rounds = sys.argv[2:6]
        print(json.dumps(attack(base, username, int(clients), int(rounds))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose server to start")
    parser.add_argument("--max-ratio", type=float, default=5.0)
    parser.add_argument("--floor-ms", type=float, default=25.0)
    parser.add_argument("--no-gate", action="store_true", help="report only (to measure an older commit)")
    args = parser.parse_args()

    with running_server(NO_THROTTLE, root=args.root) as served:
        base = served.base
        register(base, "victim")
        quiet = quiet_health(base)
        flooded = flood(base, "victim", args.clients, args.rounds)
    quiet_p50, flood_p50 = p50(quiet), p50(flooded.health_ms)
    ratio = flood_p50 / quiet_p50
    print(f"server: {args.root}")
    print(f"GET /api/health alone:       p50 {quiet_p50:7.1f} ms ({len(quiet)} requests)")
    print(
        f"GET /api/health under flood: p50 {flood_p50:7.1f} ms, max {max(flooded.health_ms):7.1f} ms "
        f"({len(flooded.health_ms)} requests, statuses {dict(flooded.health_statuses)})"
    )
    print(
        f"flood: {args.clients} clients x {args.rounds} wrong-password logins, "
        f"answers {dict(flooded.login_statuses)}, transport errors {len(flooded.login_errors)}"
    )
    print(f"ratio flooded/quiet p50: {ratio:.1f} (gate: <= {args.max_ratio} or <= {args.floor_ms} ms)")
    if args.no_gate:
        return
    if flood_p50 > args.floor_ms and ratio > args.max_ratio:
        print("FAIL: a login flood slows health down", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
