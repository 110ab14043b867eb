"""The app works under its Content-Security-Policy: the main pages (React Flow canvas, ECharts charts,
the markdown renderer, the API docs) load in Chromium without a single CSP violation; the production
build carries no source maps.

Violations are collected two ways: the `securitypolicyviolation` event (reported through a binding
that an init script installs; both run outside the page's CSP) and Chromium's console errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import FRONTEND_DIST, VIEWPORT
from tests.e2e.e2e_helpers import (
    create_experiment,
    output_url,
    run_to_success,
    sign_up_and_sign_in,
)
from tests.graphs import iris_graph

pytestmark = pytest.mark.e2e

REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${location.pathname}`)
})
"""


class Watched:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.violations: list[str] = []
        self.console_errors: list[str] = []
        page.expose_binding("reportCspViolation", lambda _source, text: self.violations.append(text))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def csp_problems(self) -> list[str]:
        self.page.wait_for_timeout(300)  # violation events are delivered asynchronously
        return self.violations + [e for e in self.console_errors if "Content Security Policy" in e]


@pytest.fixture
def watched(browser: Browser, server_url: str) -> Iterator[Watched]:
    context = browser.new_context(base_url=server_url, viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def test_the_main_pages_run_without_csp_violations(watched: Watched) -> None:
    page = watched.page
    page.goto("/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    response = page.request.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    sign_up_and_sign_in(page)
    experiment_id = create_experiment(page, "CSP check", iris_graph("sample-iris", sweep=False))
    run_id = run_to_success(page, experiment_id)
    published = page.request.post(
        f"/api/experiments/{experiment_id}/publish",
        data={
            "title": "CSP check",
            "summary_markdown": "Three **clusters**, [a link](https://example.org).",
            "tags": ["csp"],
        },
    )
    assert published.ok, published.text()

    page.goto("/")
    expect(page.get_by_role("heading", name="Experiments")).to_be_visible()

    # The editor: React Flow draws the graph, the statuses come in, the properties panel opens.
    page.goto(f"/experiments/{experiment_id}")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    page.locator(".react-flow__node[data-module='kmeans_clustering']").click()
    expect(page.get_by_label("Number of Centroids")).to_be_visible()

    # ECharts: the cluster chart, the sizes and the histograms.
    page.goto(output_url(run_id, "assign", "results_dataset"))
    page.wait_for_selector("[data-testid='cluster-chart'][data-rendered='true']")
    page.wait_for_selector("[data-testid='distance-histograms'][data-rendered='true']")
    page.get_by_test_id("cluster-chart").hover()  # the tooltip styles itself at run time

    # The markdown renderer and the read-only canvas.
    page.goto(f"/gallery/{experiment_id}")
    expect(page.get_by_test_id("gallery-summary").locator("strong")).to_have_text("clusters")
    expect(page.locator(".react-flow__node")).to_have_count(4)

    # The editor's Share dialog previews markdown as it is typed.
    page.goto(f"/experiments/{experiment_id}")
    page.get_by_role("button", name="Share", exact=True).click()
    dialog = page.get_by_role("dialog", name="Share")
    dialog.get_by_role("tab", name="Publish to gallery").click()
    dialog.get_by_label("Summary").fill("# Heading\n\n*emphasis* and `code`")
    expect(dialog.get_by_test_id("summary-preview").locator("em")).to_have_text("emphasis")

    problems = watched.csp_problems()
    assert not problems, f"CSP violations: {problems}"


def test_the_api_docs_work_under_their_policy(watched: Watched) -> None:
    page = watched.page
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Cluster Studio")
    page.locator(".opblock-summary-path", has_text="/api/auth/login").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/auth/logout-all").first).to_be_visible()
    page.goto("/redoc")  # one documentation page: /redoc sends here
    expect(page).to_have_url(re.compile(r"/docs$"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Cluster Studio")
    problems = watched.csp_problems()
    assert not problems, f"CSP violations: {problems}"


def test_the_production_build_has_no_source_maps() -> None:
    maps = sorted(p.name for p in Path(FRONTEND_DIST).rglob("*.map"))
    assert not maps, f"source maps in the build: {maps}"
    for script in Path(FRONTEND_DIST, "assets").glob("*.js"):
        assert "sourceMappingURL" not in script.read_text(errors="replace")[-300:], script.name
