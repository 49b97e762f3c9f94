"""Debian's chromium driven by Playwright (no browser download), against the real stack."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import ROOT
from tests.conftest import require
from tests.desk_support import make_desk, project, rasa  # noqa: F401 - fixtures

SHOTS = ROOT / "docs" / "screenshots"  # the README links them: a reader sees the product without running it
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# Module scope: sync Playwright keeps an event loop running in this thread while it is open,
# which the async tests after this module must not find.
@pytest.fixture(scope="module")
def browser():
    require(shutil.which("chromium") is not None, "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make():
        context = browser.new_context(locale="nl-NL")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """A picture of the page for the docs (docs/screenshots/<name>)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page, url: str, username: str, password: str | None = None):
    """The console's login form; the test agents' password is wachtwoord-<username>."""
    page.goto(url + "/console")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password or f"wachtwoord-{username}")
    page.get_by_test_id("login-submit").click()
    return page


def online_console(page, url: str, username: str):
    """A test agent signed in to the console and online (so routing gives her chats)."""
    from playwright.sync_api import expect

    sign_in(page, url, username)
    expect(page.locator("#me-name")).to_be_visible()
    page.get_by_test_id("status").select_option("online")
    return page


def ask(shop, text: str) -> None:
    """The customer opens the widget (when closed) and sends a message."""
    if shop.get_by_test_id("balie-launcher").is_visible():
        shop.get_by_test_id("balie-launcher").click()
    shop.get_by_test_id("balie-input").fill(text)
    shop.get_by_test_id("balie-send").click()
