"""/docs and /redoc render with the network to every other host cut off: Swagger UI and ReDoc come from the
desk itself (fastapi-offline's files), under the desk's own Content-Security-Policy (no inline script)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.desk_support import make_desk, project, rasa  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_desk):  # noqa: F811 - fixtures
    return make_desk()


def offline_page(page_factory, desk):
    """A page that can reach the desk and nothing else; it records what it tried elsewhere and what the
    browser refused under the policy."""
    page = page_factory()
    page.elsewhere, page.refused = [], []
    own = urlsplit(desk.url).netloc

    def route(r):
        if urlsplit(r.request.url).netloc == own or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            page.elsewhere.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: page.refused.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def test_swagger_ui_renders_offline_under_the_desks_policy(desk, page_factory):
    page = offline_page(page_factory, desk)
    answer = page.goto(desk.url + "/docs")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    expect(page.locator(".opblock-summary-path", has_text="/api/editor/inbox").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/reports.csv").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert page.elsewhere == [] and page.refused == []


def test_redoc_renders_offline_under_the_desks_policy(desk, page_factory):
    page = offline_page(page_factory, desk)
    page.goto(desk.url + "/redoc")
    expect(page.get_by_role("heading", name="Balie desk (1.0.0)")).to_be_visible()
    expect(page.get_by_text("/api/editor/inbox").first).to_be_attached()
    page.get_by_role("menuitem", name="Reports").first.click()
    expect(page.get_by_text("/api/reports.csv").first).to_be_visible()
    # ReDoc's "powered by" logo points at cdn.redoc.ly: the policy stops it in the browser (it then hides
    # itself); nothing else is refused, and no request leaves for another host.
    assert [m for m in page.refused if "cdn.redoc.ly/redoc/logo-mini.svg" not in m] == []
    assert page.elsewhere == []
