"""Helpers shared by the browser tests (`from tests.e2e.e2e_helpers import ...`)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from playwright.sync_api import FloatRect, Locator, Page

from tests import graphs


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


# ---- editor helpers --------------------------------------------------------------------------------

PASSWORD = "e2e-password-1234"


def node(page: Page, module_id: str, index: int = 0) -> Locator:
    """The canvas node of a module (the React Flow node element carrying data-module/data-status)."""
    return page.locator(f".react-flow__node[data-module='{module_id}']").nth(index)


def new_experiment(page: Page, name: str | None = None, graph: dict | None = None) -> int:
    """Creates an experiment through the API (signed-in page context) and opens it in the editor."""
    body: dict = {"name": name or f"e2e {uuid.uuid4().hex[:6]}"}
    if graph is not None:
        body["graph"] = graph
    created = page.request.post("/api/experiments", data=body)
    assert created.status == 201, created.text()
    experiment_id = int(created.json()["id"])
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
