"""An admin in the console: legal hold on a conversation with a legal threat, then an export and an erasure
request for that customer, which leaves the held conversation in place."""
from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from bot.seed import DEMO_AGENT

pytestmark = pytest.mark.browser


def test_an_admin_puts_a_conversation_on_legal_hold_and_handles_a_privacy_request(stack, chat, page_factory):
    email = f"klant-{uuid.uuid4().hex[:8]}@example.nl"
    customer = chat()
    customer.say(f"Dit is de laatste keer, ik stap naar mijn advocaat. Mail me op {email}")
    assert customer.state in ("queued", "callback_offered", "assigned"), customer.last

    console = page_factory()
    console.goto(stack.desk_url + "/console")
    console.get_by_test_id("login-username").fill(DEMO_AGENT["username"])
    console.get_by_test_id("login-password").fill(DEMO_AGENT["password"])
    console.get_by_test_id("login-submit").click()
    console.get_by_test_id("queue").locator("li", has_text="Juridische dreiging").last.click()
    hold = console.get_by_test_id("legal-hold")
    expect(hold).to_have_text("Juridisch bewaren")
    hold.click()
    expect(hold).to_have_text("Juridisch bewaren opheffen")

    console.get_by_test_id("privacy-admin").locator("summary").click()
    console.get_by_test_id("privacy-kind").select_option("email")
    console.get_by_test_id("privacy-value").fill(email)
    with console.expect_download() as download:
        console.get_by_test_id("privacy-export").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    [conversation] = exported["conversations"]
    assert conversation["conversation_id"] == customer.id and conversation["legal_hold"] is True
    expect(console.get_by_test_id("privacy-result")).to_have_text("1 gesprek(ken) geëxporteerd.")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_test_id("privacy-erase").click()
    expect(console.get_by_test_id("privacy-result")).to_have_text(
        "0 gesprek(ken) gewist; 1 juridisch bewaard en niet gewist.")
    audit = console.get_by_test_id("privacy-audit")
    expect(audit).to_contain_text("gewist")
    expect(audit).to_contain_text("juridisch bewaren")
    expect(audit).not_to_contain_text(email)  # the audit line names the kind of request, not the person
