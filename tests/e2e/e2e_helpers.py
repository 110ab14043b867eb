"""Helpers shared by the browser tests (`from tests.e2e.e2e_helpers import ...`)."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, FloatRect, Locator, Page

from tests import graphs
from tests.e2e.conftest import VIEWPORT

#: How long a test waits for a run of a small experiment (Iris and the like) to finish.
RUN_TIMEOUT_S = 120.0


def _centre(box: FloatRect) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_with_steps(page: Page, source: Locator, target_xy: tuple[float, float], steps: int = 10) -> None:
    """Press the mouse on the centre of `source` (a Locator), move to `target_xy` (page coordinates)
    in `steps` small moves, and release.

    React Flow only notices a node being moved from a sequence of pointer moves: `locator.drag_to`
    jumps straight to the target, and a test using it would pass without moving anything. The same
    helper drags a node on the canvas, a source handle onto a target handle (an edge), and a palette
    entry onto the canvas.
    """
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    if box is None:
        raise AssertionError(f"cannot drag {source}: it is not visible")
    start_x, start_y = _centre(box)
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    # A first small move gets past the drag threshold before the long move.
    page.mouse.move(start_x + 2, start_y + 2, steps=2)
    page.mouse.move(target_xy[0], target_xy[1], steps=steps)
    page.mouse.up()


def centre_of(locator: Locator) -> tuple[float, float]:
    """The page coordinates of the centre of a visible element."""
    box = locator.bounding_box()
    if box is None:
        raise AssertionError(f"{locator} is not visible")
    return _centre(box)


def sign_up_and_sign_in(page: Page, password: str = "e2e-password-1234") -> str:
    """Registers a fresh user through the API and signs the page's browser context in (the session
    cookie lands in the context's cookie jar)."""
    username = f"e2e-{uuid.uuid4().hex[:10]}"
    credentials = {"username": username, "password": password}
    registered = page.request.post("/api/auth/register", data=credentials)
    assert registered.status == 201, f"register: {registered.status} {registered.text()}"
    signed_in = page.request.post("/api/auth/login", data=credentials)
    assert signed_in.ok, f"login: {signed_in.status} {signed_in.text()}"
    return username


@contextlib.contextmanager
def signed_up_page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A page in a browser context of its own (closed on leaving) with a freshly signed-up user: for
    module-scoped fixtures that run experiments once and hand their cookies to each test's page."""
    context = browser.new_context(base_url=server_url, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_up_and_sign_in(page)
        yield page
    finally:
        context.close()


# ---- experiments and runs through the API ---------------------------------------------------------


def create_experiment(page: Page, name: str, graph: dict[str, Any] | None = None) -> int:
    """Creates an experiment through the API (signed-in page context); its id."""
    body: dict[str, Any] = {"name": name}
    if graph is not None:
        body["graph"] = graph
    created = page.request.post("/api/experiments", data=body)
    assert created.status == 201, created.text()
    return int(created.json()["id"])


def run_to_success(page: Page, experiment_id: int, timeout_s: float = RUN_TIMEOUT_S) -> int:
    """Starts a run of the experiment and waits until it is no longer queued or running; asserts it
    succeeded and returns the run id."""
    started = page.request.post(f"/api/experiments/{experiment_id}/runs")
    assert started.status == 202, started.text()
    run_id = int(started.json()["id"])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = page.request.get(f"/api/runs/{run_id}").json()
        if run["status"] not in ("queued", "running"):
            assert run["status"] == "succeeded", run
            return run_id
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish within {timeout_s:.0f} s")


def run_new_experiment(page: Page, name: str, graph: dict[str, Any], timeout_s: float = RUN_TIMEOUT_S) -> int:
    """Creates an experiment with `graph`, runs it to success (see `run_to_success`); the run id."""
    return run_to_success(page, create_experiment(page, name, graph), timeout_s)


def trained_by(dataset_id: str, model_node: str, module: str, **params: Any) -> dict[str, Any]:
    """Dataset → `module` (the untrained model, with `params`) → Train Clustering Model, laid out for
    the canvas; the Train node is "train"."""
    return {
        "nodes": [
            graphs.node("data", "dataset", 0, 0, dataset_id=dataset_id),
            graphs.node(model_node, module, 320, 0, **params),
            graphs.node("train", "train_clustering_model", 160, 200),
        ],
        "edges": [
            graphs.edge(model_node, "untrained_model", "train", "untrained_model"),
            graphs.edge("data", "dataset", "train", "dataset"),
        ],
    }


def clustering_graph(dataset_id: str, n_clusters: int, sweep: bool) -> dict[str, Any]:
    """Dataset → K-Means → Train → Assign (and, with `sweep`, a 2-8 × 3 seeds grid sweep)."""
    nodes = [
        graphs.node("data", "dataset", dataset_id=dataset_id),
        graphs.node("kmeans", "kmeans_clustering", n_clusters=n_clusters, seed=7),
        graphs.node("train", "train_clustering_model"),
        graphs.node("assign", "assign_data_to_clusters"),
    ]
    edges = [
        graphs.edge("kmeans", "untrained_model", "train", "untrained_model"),
        graphs.edge("data", "dataset", "train", "dataset"),
        graphs.edge("train", "trained_model", "assign", "trained_model"),
        graphs.edge("data", "dataset", "assign", "dataset"),
    ]
    if sweep:
        ranged = {"trainer_mode": "range", "n_clusters_range": "2-8", "n_seeds": 3, "seed": 11}
        nodes += [
            graphs.node("range", "kmeans_clustering", **ranged),
            graphs.node("sweep", "sweep_clustering", sweep_mode="grid"),
        ]
        edges += [
            graphs.edge("range", "untrained_model", "sweep", "untrained_model"),
            graphs.edge("data", "dataset", "sweep", "dataset"),
        ]
    return {"nodes": nodes, "edges": edges}


# ---- output pages ------------------------------------------------------------------------------------


def output_url(run_id: int, node_id: str, port: str) -> str:
    """The standalone page of one output of a run."""
    return f"/runs/{run_id}/nodes/{node_id}/outputs/{port}"


def wait_rendered(page: Page, test_id: str, timeout: float = 15_000) -> None:
    """Waits until the chart with this test id says it has drawn (data-rendered="true")."""
    page.wait_for_selector(f"[data-testid='{test_id}'][data-rendered='true']", timeout=timeout)


def rendered_at(page: Page, test_id: str) -> float:
    """performance.now() when the chart reported 'finished': ms since the navigation started."""
    value = page.get_by_test_id(test_id).get_attribute("data-rendered-at")
    assert value is not None
    return float(value)


def open_tab(page: Page, name: str, test_id: str, timeout: float | None = None) -> float:
    """Click a tab; milliseconds until its view is on screen (measured in the page)."""
    started = page.evaluate("performance.now()")
    page.get_by_role("tab", name=name).click()
    page.get_by_test_id(test_id).wait_for(timeout=timeout)
    return float(page.evaluate("performance.now()")) - float(started)


# ---- editor helpers --------------------------------------------------------------------------------

PASSWORD = "e2e-password-1234"


def node(page: Page, module_id: str, index: int = 0) -> Locator:
    """The canvas node of a module (the React Flow node element carrying data-module/data-status)."""
    return page.locator(f".react-flow__node[data-module='{module_id}']").nth(index)


def new_experiment(page: Page, name: str | None = None, graph: dict | None = None) -> int:
    """Creates an experiment through the API (signed-in page context) and opens it in the editor."""
    experiment_id = create_experiment(page, name or f"e2e {uuid.uuid4().hex[:6]}", graph)
    page.goto(f"/experiments/{experiment_id}")
    page.get_by_test_id("experiment-name").wait_for()
    return experiment_id


def drop_on_canvas(page: Page, entry: Locator, fx: float, fy: float) -> None:
    """HTML5 drag of a palette entry onto the canvas at a fraction of the pane's size."""
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    entry.drag_to(pane, target_position={"x": box["width"] * fx, "y": box["height"] * fy})


def connect(page: Page, source: Locator, source_port: str, target: Locator, target_port: str) -> None:
    """Draws an edge by dragging a source handle onto a target handle, with stepped mouse moves."""
    out = source.locator(f".react-flow__handle.source[data-handleid='{source_port}']")
    into = target.locator(f".react-flow__handle.target[data-handleid='{target_port}']")
    drag_with_steps(page, out, centre_of(into), steps=12)


def iris_graph(dataset_id: str, n_clusters: int = 3) -> dict:
    """The Iris pipeline laid out for the canvas (no sweep)."""
    return graphs.iris_graph(dataset_id, n_clusters, sweep=False)


#: Timings the browser tests measure. Tests only report them; `python -m bench.bench_browser` runs those
#: tests and gates the numbers against their targets (a busy machine must never fail a test).
PERF_RESULTS = Path(__file__).resolve().parent / "screenshots" / "perf.json"


def record(name: str, values: dict) -> None:
    """Add one measurement to PERF_RESULTS and print it."""
    PERF_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(PERF_RESULTS.read_text()) if PERF_RESULTS.exists() else {}
    data[name] = values
    PERF_RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    print(f"\n[perf] {name}: {values}")
