"""The editors' inbox (assign an example, see it in the YAML) and the team leads' dashboard, in chromium."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from bot.seed import DEMO_AGENT
from tests.stack_clients import Chat

pytestmark = pytest.mark.browser
UNCLEAR = "kunnen jullie het als cadeau inpakken"  # the bot picks an FAQ answer, unsure


def logged_in(page, stack):
    """The demo agent is an admin: console, editors' page and dashboard."""
    page.goto(stack.desk_url + "/console")
    page.get_by_test_id("login-username").fill(DEMO_AGENT["username"])
    page.get_by_test_id("login-password").fill(DEMO_AGENT["password"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("editor-link")).to_be_visible()
    return page


def test_an_editor_assigns_a_misunderstood_message_and_it_is_in_the_yaml(stack, page_factory):
    Chat(stack).say(UNCLEAR)  # the bot is unsure: it lands in the inbox
    page = logged_in(page_factory(), stack)
    page.get_by_test_id("editor-link").click()
    item = page.get_by_test_id("inbox").locator("li", has_text=UNCLEAR).first
    expect(item).to_contain_text("1×")
    item.get_by_test_id("inbox-example").fill("kunnen jullie het ook als cadeau inpakken")
    item.get_by_test_id("inbox-target").select_option("faq/shipping_costs")
    item.get_by_test_id("inbox-add").click()
    expect(page.get_by_test_id("train-status")).to_contain_text("Toegevoegd aan “FAQ verzendkosten”", timeout=60_000)
    detail = page.get_by_test_id("train-detail")  # file and line: technical detail, behind the toggle
    assert detail.get_attribute("data-file") == "data/nlu/faq.yml"
    line = int(detail.get_attribute("data-line"))
    lines = (stack.project_dir / "data" / "nlu" / "faq.yml").read_text().splitlines()
    assert lines[line - 1] == "    - kunnen jullie het ook als cadeau inpakken"
    expect(page.get_by_test_id("inbox").locator("li", has_text=UNCLEAR)).to_have_count(0)
    expect(page.get_by_test_id("edit-log")).to_contain_text("voorbeeld toegevoegd")


def test_the_dashboard_shows_the_same_numbers_as_the_report(stack, page_factory):
    page = logged_in(page_factory(), stack)
    token = page.evaluate("sessionStorage.getItem('balie.agent.token')")
    figures = requests.get(stack.desk_url + "/api/reports", params={"since": "7d"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    page.get_by_test_id("dashboard-link").click()
    expect(page.get_by_test_id("tile-conversations")).to_have_text(str(figures["conversations"]))
    expect(page.get_by_test_id("tile-handoffs")).to_have_text(str(figures["handoffs"]))
    expect(page.get_by_test_id("tile-containment")).to_have_text(f"{round(figures['containment'] * 100)} %")
    for topic, count in figures["topics"].items():
        expect(page.get_by_test_id("topics").locator(f'.row[data-key="{topic}"] .value')).to_have_text(str(count))
    for reason in figures["handoff_reasons"]:
        expect(page.get_by_test_id("reasons").locator(f'.row[data-key="{reason}"]')).to_be_visible()
