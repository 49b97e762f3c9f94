"""A callback booked in the widget outside business hours, then found, opened and closed in the console."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, update

from bot.desk.callbacks.models import Callback
from bot.desk.db import utcnow
from bot.seed import DEMO_AGENT

pytestmark = pytest.mark.browser


def test_a_callback_booked_outside_business_hours_appears_in_the_agents_list(stack, page_factory, closed_today):
    shop = page_factory()
    shop.goto(stack.desk_url + "/")
    shop.get_by_test_id("balie-launcher").click()
    shop.get_by_test_id("balie-input").fill("ik wil een medewerker spreken")
    shop.get_by_test_id("balie-send").click()
    log = shop.get_by_test_id("balie-log")
    expect(log).to_contain_text("Vandaag is het Teamdag. Ons team is er weer")
    expect(shop.get_by_test_id("balie-status")).to_contain_text("geen medewerker beschikbaar")
    log.get_by_role("button", name="Bel me terug").click()
    expect(log).to_contain_text("Op welk telefoonnummer kunnen we je bellen?")
    shop.get_by_test_id("balie-input").fill("12345")
    shop.get_by_test_id("balie-send").click()
    expect(log).to_contain_text("begint met 0 of +31")
    shop.get_by_test_id("balie-input").fill("06 12345678")
    shop.get_by_test_id("balie-send").click()
    expect(log).to_contain_text("Wanneer komt het je uit?")
    slot = log.locator(".balie-buttons button").first
    due = slot.inner_text()
    slot.click()
    expect(log).to_contain_text("Afgesproken: we bellen je ")
    expect(log).to_contain_text("op 06 12 34 56 78")

    console = page_factory()
    console.goto(stack.desk_url + "/console")
    console.get_by_test_id("login-username").fill(DEMO_AGENT["username"])
    console.get_by_test_id("login-password").fill(DEMO_AGENT["password"])
    console.get_by_test_id("login-submit").click()
    item = console.get_by_test_id("callbacks").locator("li", has_text="06 12 34 56 78").first
    expect(item).to_contain_text(due)
    expect(item).not_to_have_class(re.compile(r"\boverdue\b"))
    item.click()
    expect(console.get_by_test_id("callback-summary")).not_to_be_empty()
    expect(console.get_by_test_id("callback-transcript")).to_contain_text("ik wil een medewerker spreken")

    # When its window has passed without a call, the list shows it in red as overdue.
    engine = create_engine(stack.database_url, future=True)
    with engine.begin() as conn:
        conn.execute(update(Callback).where(Callback.contact == "+31612345678", Callback.status == "scheduled")
                     .values(slot_end=utcnow()))
    engine.dispose()
    console.reload()
    late = console.get_by_test_id("callbacks").locator("li", has_text="06 12 34 56 78").first
    expect(late).to_have_class(re.compile(r"\boverdue\b"))
    expect(late).to_contain_text("te laat")
    late.click()
    console.get_by_test_id("callback-outcome").select_option("solved")
    console.get_by_test_id("callback-note").fill("Teruggebeld, opgelost")
    console.get_by_test_id("callback-save").click()
    expect(console.get_by_test_id("callback-result")).to_contain_text("Geholpen, opgelost")
    expect(console.get_by_test_id("callbacks").locator("li", has_text="06 12 34 56 78")).to_have_count(0)
