"""Issue 19 in Chromium, against a desk with the scripted Rasa stand-in: the context card's status line always names
the agent who has the conversation now, read from the handoff (its agent_id is the one owner): after a transfer
the card Anna still has open says "bij Bram", and once Bram resolved it, "afgerond"; her buttons follow."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.desk_support import Customer, login, make_desk, project, rasa  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_desk):  # noqa: F811 - fixtures
    return make_desk()


def test_the_card_names_whoever_has_the_conversation_now(desk, page_factory):
    anna = page_factory()
    anna.goto(desk.url + "/console")
    anna.get_by_test_id("login-username").fill("anna")
    anna.get_by_test_id("login-password").fill("wachtwoord-anna")
    anna.get_by_test_id("login-submit").click()
    anna.get_by_test_id("status").select_option("online")
    expect(anna.get_by_test_id("status")).to_have_value("online")

    customer = Customer(desk)
    assert customer.say("mens graag").json()["state"] == "agent"  # routed to Anna, the only one online
    anna.get_by_test_id("mine").locator("li").first.click()
    status = anna.locator("#card-status")
    expect(status).to_have_text("· bij Anna")
    expect(anna.get_by_test_id("reply-input")).to_be_enabled()

    bram = login(desk, "bram", "wachtwoord-bram")
    assert requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=bram).status_code == 200
    anna.get_by_test_id("transfer-to").select_option("bram")
    anna.get_by_test_id("transfer").click()
    expect(anna.get_by_test_id("mine").locator("li")).to_have_count(0)
    expect(status).to_have_text("· bij Bram")  # the card she still has open: not "bij Anna" any more
    expect(anna.get_by_test_id("reply-input")).to_be_disabled()
    expect(anna.get_by_test_id("resolve")).to_be_disabled()

    [handoff] = requests.get(desk.url + "/api/handoffs", headers=bram).json()["mine"]
    assert requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=bram).status_code == 200
    expect(status).to_have_text("· afgerond")  # heard by push, without a click of hers
    expect(anna.get_by_test_id("claim")).to_be_disabled()
