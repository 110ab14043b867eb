"""Scoring service benchmark: a deployed Iris model answering over HTTP, next to GET /api/health.

    .venv/bin/python -m bench.bench_service [--requests 500] [--seconds 30] [--clients 20]

Starts a real server (`python -m backend`, SQLite in a temporary folder), trains K-Means on Iris in a
run, keeps the model, deploys it as a service and then measures, with keep-alive clients:

- one-row scoring requests against `GET /api/health`, interleaved on the same server: p50 of each and
  their ratio (target ≤ 2×);
- a 10,000-row `dataframe_split` request, end to end (send, parse, score, serialise, receive):
  median over `--big` requests, as rows per second (target ≥ 200,000 rows/s);
- `--clients` threads scoring one to ten rows each for `--seconds` seconds: requests, errors and
  p50/p99 latency (target: no error).

Exits 1 when a target is missed (tests never assert timings; this does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from typing import Any

import httpx
import numpy as np
import orjson

from bench.server import running_server, signed_in_client
from modules.samples import load_sample
from tests.graphs import iris_graph

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def deploy_iris(client: httpx.Client) -> dict[str, Any]:
    """Train on Iris in a run, keep the model, deploy it: the new service with its keys."""
    exp = client.post("/api/experiments", json={"name": "bench", "graph": iris_graph(sweep=False)})
    exp.raise_for_status()
    run = client.post(f"/api/experiments/{exp.json()['id']}/runs")
    run.raise_for_status()
    while (status := client.get(f"/api/runs/{run.json()['id']}").json()["status"]) in ("queued", "running"):
        time.sleep(0.05)
    assert status == "succeeded", status
    body = {"run_id": run.json()["id"], "node_id": "train", "port": "trained_model", "name": "Iris"}
    model = client.post("/api/models", json=body)
    model.raise_for_status()
    service = client.post("/api/services", json={"model_id": model.json()["id"], "name": "Iris"})
    service.raise_for_status()
    return service.json()


def split_body(rows: np.ndarray) -> bytes:
    return orjson.dumps({"dataframe_split": {"columns": FEATURES, "data": rows.tolist()}})


def timed(send: Any) -> float:
    started = time.perf_counter()
    response = send()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    return elapsed


def one_row_vs_health(base: str, path: str, key: str, count: int) -> tuple[float, float]:
    body = split_body(load_sample("sample-iris")[FEATURES].to_numpy()[:1])
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    health, score = [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(50):  # warm up both paths (model cache, connection)
            client.get("/api/health")
            client.post(path, content=body, headers=headers)
        for _ in range(count):
            health.append(timed(lambda: client.get("/api/health")))
            score.append(timed(lambda: client.post(path, content=body, headers=headers)))
    return statistics.median(health), statistics.median(score)


def big_request(base: str, path: str, key: str, count: int) -> float:
    """Median milliseconds of a 10,000-row request, the answer read and decoded."""
    rng = np.random.default_rng(0)
    iris = load_sample("sample-iris")[FEATURES].to_numpy()
    rows = iris[rng.integers(0, len(iris), 10_000)] + rng.normal(0, 0.2, (10_000, 4))
    body = split_body(rows)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in range(count + 2):
            started = time.perf_counter()
            response = client.post(path, content=body, headers=headers)
            answer = orjson.loads(response.content)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200 and len(answer["dataframe_split"]["data"]) == 10_000
            if i >= 2:
                times.append(elapsed)
    return statistics.median(times)


def concurrent(base: str, path: str, key: str, clients: int, seconds: float) -> dict[str, Any]:
    iris = load_sample("sample-iris")[FEATURES].to_numpy()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = np.random.default_rng(seed)
        mine, wrong = [], []
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop_at:
                body = split_body(iris[rng.integers(0, len(iris), int(rng.integers(1, 11)))])
                started = time.perf_counter()
                try:
                    response = client.post(path, content=body, headers=headers)
                    if response.status_code != 200:
                        wrong.append(f"{response.status_code}: {response.text[:100]}")
                except httpx.HTTPError as exc:
                    wrong.append(repr(exc))
                mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors.extend(wrong)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "per_second": len(ordered) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500, help="one-row requests (and health checks)")
    parser.add_argument("--big", type=int, default=20, help="10,000-row requests")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    missed = []
    with running_server() as served:
        client = signed_in_client(served.base)
        service = deploy_iris(client)
        client.close()
        path, key = f"/api/services/{service['id']}/score", service["primary_key"]
        health_ms, score_ms = one_row_vs_health(served.base, path, key, args.requests)
        ratio = score_ms / health_ms
        print(
            f"one-row score p50 {score_ms:.2f} ms, GET /api/health p50 {health_ms:.2f} ms: "
            f"{ratio:.2f}x (≤ 2x)"
        )
        if ratio > 2:
            missed.append("one-row score p50 over 2x health")
        big_ms = big_request(served.base, path, key, args.big)
        rate = 10_000 / (big_ms / 1000)
        print(f"10,000-row request: {big_ms:.1f} ms median = {rate:,.0f} rows/s (≥ 200,000)")
        if rate < 200_000:
            missed.append("10,000-row request under 200,000 rows/s")
        load = concurrent(served.base, path, key, args.clients, args.seconds)
        print(
            f"{args.clients} clients for {args.seconds:g} s: {load['requests']} requests "
            f"({load['per_second']:.0f}/s), {len(load['errors'])} errors, "
            f"p50 {load['p50']:.1f} ms, p99 {load['p99']:.1f} ms"
        )
        if load["errors"]:
            print("first errors:", load["errors"][:5])
            missed.append("errors under concurrent load")
    if missed:
        print("MISSED:", "; ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
