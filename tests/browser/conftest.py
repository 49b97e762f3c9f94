"""Debian's chromium driven by Playwright (no browser download), against the real stack."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import ROOT
from tests.conftest import require

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
