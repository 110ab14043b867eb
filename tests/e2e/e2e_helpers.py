"""Helpers shared by the browser tests (`from tests.e2e.e2e_helpers import ...`)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import FloatRect, Locator, Page


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
    cookie lands in the context's cookie jar). Skips the test while the server has no accounts yet."""
    username = f"e2e-{uuid.uuid4().hex[:10]}"
    credentials = {"username": username, "password": password}
    registered = page.request.post("/api/auth/register", data=credentials)
    if registered.status in (404, 405):
        pytest.skip("the server has no accounts yet (POST /api/auth/register)")
    assert registered.status == 201, f"register: {registered.status} {registered.text()}"
    signed_in = page.request.post("/api/auth/login", data=credentials)
    assert signed_in.ok, f"login: {signed_in.status} {signed_in.text()}"
    return username
