"""In Chromium, against a desk with the scripted Rasa stand-in (the bot's words do not matter here): an agent who
closes her console loses her chat to a colleague; a reply that arrives while the widget is closed shows an unread
count on the launcher and in the page title, its link is clickable and safe, and reopening shows the newest.
Screenshots for the docs (docs/screenshots/) are taken on the way."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ask, online_console, screenshot, sign_in
from tests.desk_support import login

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_desk):  # one database is enough here (both: test_presence)
    return make_desk(heartbeat_seconds=0.3, away_after_seconds=1.5)


def test_a_closed_console_hands_the_chat_to_a_colleague_and_she_reads_why(desk, page_factory):
    anna_page = online_console(page_factory(), desk.url, "anna")
    shop = page_factory()
    shop.goto(desk.url + "/")
    ask(shop, "mens graag")
    log = shop.get_by_test_id("balie-log")
    expect(log).to_contain_text("Anna van de klantenservice helpt je nu verder")
    bram_page = online_console(page_factory(), desk.url, "bram")
    expect(anna_page.get_by_test_id("mine").locator("li")).to_have_count(1)

    anna_page.close()  # she leaves without setting a status
    expect(log).to_contain_text("Anna is even niet bereikbaar, daarom neemt Bram van de klantenservice je gesprek over.",
                                timeout=20_000)
    expect(shop.get_by_test_id("balie-status")).to_have_text("Je chat met Bram van de klantenservice.")
    expect(bram_page.get_by_test_id("mine").locator("li")).to_have_count(1)

    back = sign_in(page_factory(), desk.url, "anna")
    notice = back.get_by_test_id("presence-notice")
    expect(notice).to_contain_text("niet verbonden, dus je status staat op afwezig")
    expect(notice).to_contain_text("Je open gesprek is teruggezet in de wachtrij")
    expect(back.get_by_test_id("status")).to_have_value("away")
    back.set_viewport_size({"width": 1280, "height": 800})
    screenshot(back, "console-presence-notice.png")
    back.get_by_test_id("presence-read").click()
    expect(notice).to_be_hidden()


@pytest.mark.parametrize("viewport,name", [({"width": 1280, "height": 800}, "desktop"),
                                           ({"width": 390, "height": 844}, "phone")])
def test_a_reply_while_the_widget_is_closed_is_counted_and_its_link_is_safe(desk, page_factory,
                                                                             viewport, name):
    shop = page_factory()
    shop.set_viewport_size(viewport)
    shop.goto(desk.url + "/")
    title = shop.title()
    ask(shop, "mens graag")
    log = shop.get_by_test_id("balie-log")
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    expect(log).to_contain_text("Anna van de klantenservice helpt je nu verder")
    shop.get_by_role("button", name="Chat sluiten").click()
    [mine] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["mine"]
    for text in ("Je pakket is onderweg. Volg het hier: https://jouw.postnl.nl/track?code=3SABC123&pc=1234AB.",
                 "<b>javascript:alert(1)</b> is geen link, en ftp://example.com ook niet."):
        assert requests.post(f"{desk.url}/api/handoffs/{mine['id']}/messages", json={"text": text},
                             headers=anna).status_code == 200
    badge = shop.get_by_test_id("balie-unread")
    expect(badge).to_have_text("2")
    expect(shop).to_have_title(f"(2) {title}")
    screenshot(shop, f"widget-unread-{name}.png")

    shop.get_by_test_id("balie-launcher").click()
    expect(shop).to_have_title(title)
    link = log.get_by_role("link")
    expect(link).to_have_count(1)  # only the https address; markup stays text
    expect(link).to_have_attribute("href", "https://jouw.postnl.nl/track?code=3SABC123&pc=1234AB")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(log).to_contain_text("<b>javascript:alert(1)</b> is geen link")
    newest = log.locator(".balie-msg").last
    expect(newest).to_be_in_viewport()  # reopening shows the newest
    screenshot(shop, f"widget-{name}.png")
    requests.post(f"{desk.url}/api/handoffs/{mine['id']}/resolve", headers=anna)
