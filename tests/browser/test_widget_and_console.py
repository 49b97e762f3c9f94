"""A customer in the widget and an agent in the console, in a real browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bot.seed import DEMO_AGENT
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def send(page, text):
    page.get_by_test_id("balie-input").fill(text)
    page.get_by_test_id("balie-send").click()


def test_parcel_status_handoff_and_agent_reply(stack, page_factory):
    shop = page_factory()
    shop.goto(stack.desk_url + "/")
    shop.get_by_test_id("balie-launcher").click()
    send(shop, "Waar is mijn pakket? WS-100001, postcode 1234AB")
    log = shop.get_by_test_id("balie-log")
    expect(log).to_contain_text("morgen tussen 10:00 en 12:00")

    send(shop, "<img src=x onerror=\"document.body.dataset.hacked=1\"> ik wil een medewerker spreken")
    expect(shop.get_by_test_id("balie-status")).to_contain_text("Je wacht op een medewerker")
    expect(shop.get_by_test_id("balie-status")).to_contain_text(re.compile(r"aan de beurt|nummer \d+ in de rij"))
    expect(log).to_contain_text("<img src=x")  # shown as text, never as markup
    assert shop.locator(".balie-log img").count() == 0

    shop.reload()  # the conversation survives a reload
    expect(shop.get_by_test_id("balie-panel")).to_be_visible()
    expect(shop.get_by_test_id("balie-log")).to_contain_text("morgen tussen 10:00 en 12:00")
    expect(shop.get_by_test_id("balie-status")).to_contain_text("Je wacht op een medewerker")

    console = page_factory()
    console.goto(stack.desk_url + "/console")
    console.get_by_test_id("login-username").fill(DEMO_AGENT["username"])
    console.get_by_test_id("login-password").fill("fout-wachtwoord")
    console.get_by_test_id("login-submit").click()
    expect(console.locator("#login-error")).to_contain_text("klopt niet")
    console.get_by_test_id("login-password").fill(DEMO_AGENT["password"])
    console.get_by_test_id("login-submit").click()
    item = console.get_by_test_id("queue").locator("li", has_text="Klant vraagt om een medewerker").last
    item.click()
    card = console.get_by_test_id("context-card")
    expect(card).to_contain_text("Klant vraagt om een medewerker")
    expect(console.get_by_test_id("card-summary")).to_contain_text("Klant")
    expect(card).to_contain_text("WS-100001")  # the verified order is on the card
    expect(card.locator("#card-facts")).to_contain_text("Postcode gecontroleerdja")
    # What led to the handover: her request, in her words, under its Dutch label (the column was empty).
    expect(card.locator("#card-signals")).to_contain_text("Vraagt om een medewerker: “<img src=x")
    expect(console.get_by_test_id("transcript")).to_contain_text("<img src=x")
    assert console.locator("#transcript img").count() == 0
    assert console.evaluate("document.body.dataset.hacked") is None

    console.get_by_test_id("claim").click()
    expect(console.get_by_test_id("mine")).to_contain_text("Klant vraagt om een medewerker")
    expect(console.locator("#card-status")).to_have_text("· bij Sanne")
    console.get_by_test_id("reply-input").fill("Hoi, ik ben Sanne. Ik kijk even met je mee!")
    console.get_by_test_id("reply-send").click()

    expect(log).to_contain_text("Sanne van de klantenservice helpt je nu verder.")
    agent_line = shop.locator(".balie-agent").last
    expect(agent_line).to_contain_text("Sanne · medewerker")
    expect(agent_line).to_contain_text("Ik kijk even met je mee!")

    console.get_by_test_id("reply-input").fill("Klant wacht al lang, graag snel afhandelen")
    console.get_by_test_id("note-send").click()
    expect(console.get_by_test_id("transcript")).to_contain_text("Notitie van Sanne")
    shop.wait_for_timeout(500)
    expect(log).not_to_contain_text("graag snel afhandelen")  # internal notes never reach the customer

    console.get_by_test_id("resolve").click()
    expect(log).to_contain_text("Is je probleem hiermee opgelost?")
    expect(console.locator("#card-status")).to_have_text("· afgerond")  # no longer "bij Sanne" once she resolved
    shop.get_by_role("button", name="Ja, opgelost").click()
    expect(log).to_contain_text("Hoe tevreden ben je over de hulp?")
    shop.get_by_role("button", name="4 ★★★★").click()
    expect(log).to_contain_text("Wil je nog iets toelichten?")
    send(shop, "Snel en vriendelijk geholpen")
    expect(log).to_contain_text("Bedankt voor je reactie")


def test_the_context_card_shows_reason_signals_with_evidence_and_summary(stack, page_factory):
    shop = page_factory()
    shop.goto(stack.desk_url + "/")
    shop.get_by_test_id("balie-launcher").click()
    send(shop, "Mijn hond heeft het vlooienmiddel ingeslikt, wat moet ik doen?")
    expect(shop.get_by_test_id("balie-log")).to_contain_text("dierenarts")
    expect(shop.get_by_test_id("balie-status")).to_contain_text("Je wacht op een medewerker")

    console = page_factory()
    console.goto(stack.desk_url + "/console")
    console.get_by_test_id("login-username").fill(DEMO_AGENT["username"])
    console.get_by_test_id("login-password").fill(DEMO_AGENT["password"])
    console.get_by_test_id("login-submit").click()
    console.get_by_test_id("queue").locator("li[data-reason=sensitive]").last.click()
    card = console.get_by_test_id("context-card")
    expect(card).to_contain_text("Gevoelige kwestie")
    expect(card).to_contain_text("Hoog")
    expect(card.locator("#card-signals")).to_contain_text("Huisdier: “Mijn hond heeft het vlooienmiddel ingeslikt")  # Dutch label, not the key
    expect(console.get_by_test_id("card-summary")).to_contain_text("gevoelige kwestie")
    expect(card.locator("#card-facts")).not_to_contain_text("Postcode gecontroleerd")  # no order: nothing checked
    expect(card.locator("#card-actions")).to_have_text("nog niets")

    console.get_by_test_id("claim").click()
    console.get_by_test_id("reply-input").fill("Wat naar! Heb je de dierenarts al kunnen bereiken?")
    console.get_by_test_id("reply-send").click()
    expect(console.get_by_test_id("transcript")).to_contain_text("Heb je de dierenarts al kunnen bereiken?")
    console.set_viewport_size({"width": 1280, "height": 820})
    screenshot(console, "console.png")  # the card, the transcript and the reply box, as an agent sees them
    console.get_by_test_id("resolve").click()
    expect(console.locator("#card-status")).to_have_text("· afgerond")
