"""In Chromium, against a desk with the scripted Rasa stand-in: the widget shows only the buttons the desk still
accepts. A callback offer's buttons are in view on a phone and on a desktop; they vanish when an agent takes
over, and the satisfaction question's after another turn; a tab that did not hear so (its live connection down)
and is clicked anyway gets a friendly line, never an error, and a late rating is thanked (and kept). On a shop site the desk is not configured for, the customer reads that the chat is not available there,
and the page's console tells the shop's developer which setting to add."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ask, online_console, screenshot
from tests.browser.shop_site import ShopSite
from tests.conftest import free_port
from tests.desk_support import login

pytestmark = pytest.mark.browser
OFFER = ("Bel me terug", "Mail me")
# A tab whose live connection never comes up (a push that does not arrive): it only knows what it read at the start.
NO_SOCKET = """window.WebSocket = function () { this.readyState = 0; };
window.WebSocket.prototype.close = function () {}; window.WebSocket.prototype.send = function () {};"""


def inside(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - 0.5 and inner["y"] >= outer["y"] - 0.5
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5)


@pytest.mark.parametrize("viewport,name", [({"width": 1280, "height": 800}, "desktop"),
                                           ({"width": 390, "height": 844}, "phone")])
def test_the_buttons_of_a_callback_offer_are_in_view_without_scrolling(make_desk, page_factory, viewport, name):
    desk = make_desk()
    shop = page_factory()
    shop.set_viewport_size(viewport)
    shop.goto(desk.url + "/")
    ask(shop, "Ik wil een mens spreken")  # nobody online: a callback is offered
    log = shop.get_by_test_id("balie-log")
    expect(log).to_contain_text("Wil je dat we je terugbellen of mailen")
    visible = log.bounding_box()  # the part of the conversation the customer sees
    screen = {"x": 0, "y": 0, **viewport}
    for title in OFFER:
        button = log.get_by_role("button", name=title)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert inside(box, visible) and inside(box, screen), (title, box, visible)
    screenshot(shop, f"widget-callback-offer-{name}.png")


def test_an_expired_button_vanishes_and_a_late_click_is_answered_kindly(make_desk, page_factory):
    desk = make_desk()
    shop = page_factory()
    shop.goto(desk.url + "/")
    ask(shop, "Ik wil een mens spreken")
    log = shop.get_by_test_id("balie-log")
    expect(log.get_by_role("button", name="Bel me terug")).to_be_visible()

    second = shop.context.new_page()  # the same conversation in a second tab, without live updates
    second.add_init_script(NO_SOCKET)
    second.goto(desk.url + "/")
    second.get_by_test_id("balie-launcher").click()
    stale = second.get_by_test_id("balie-log")
    expect(stale.get_by_role("button", name="Bel me terug")).to_be_visible()

    online_console(page_factory(), desk.url, "anna")  # routing gives her the waiting customer
    expect(shop.get_by_test_id("balie-status")).to_have_text("Je chat met Anna van de klantenservice.")
    expect(log.locator(".balie-buttons button")).to_have_count(0)  # the offer no longer stands: gone

    stale.get_by_role("button", name="Bel me terug").click()
    expect(stale).to_contain_text("Een collega heeft je gesprek inmiddels opgepakt; die helpt je hier verder.")
    expect(second.locator(".balie-error")).to_be_empty()
    expect(stale).not_to_contain_text("hoort niet bij")
    expect(stale.locator(".balie-buttons button")).to_have_count(0)
    expect(log).to_contain_text("Een collega heeft je gesprek inmiddels opgepakt")  # the first tab hears it too


def test_the_satisfaction_question_goes_after_another_turn_and_a_late_rating_is_thanked(make_desk, page_factory):
    desk = make_desk()
    shop = page_factory()
    shop.goto(desk.url + "/")
    ask(shop, "mens graag")
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    [mine] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["mine"]
    requests.post(f"{desk.url}/api/handoffs/{mine['id']}/resolve", headers=anna)
    log = shop.get_by_test_id("balie-log")
    expect(log.get_by_role("button", name="Ja, opgelost")).to_be_visible()
    second = shop.context.new_page()  # the same conversation in a tab without live updates
    second.add_init_script(NO_SOCKET)
    second.goto(desk.url + "/")
    second.get_by_test_id("balie-launcher").click()

    ask(shop, "nog een vraag")  # another turn: the question is no longer open
    expect(log).to_contain_text("nog een vraag", timeout=10_000)
    expect(log.locator(".balie-buttons button")).to_have_count(0)
    stale = second.get_by_test_id("balie-log")
    stale.get_by_role("button", name="Ja, opgelost").click()
    expect(stale).to_contain_text("Fijn dat je geholpen bent, dank je! Je antwoord is bewaard.")
    expect(second.locator(".balie-error")).to_be_empty()


def test_an_unconfigured_site_says_the_chat_is_not_available_and_tells_the_developer_the_setting(
        make_desk, page_factory):
    desk = make_desk(shop_origins=())  # no shop site configured
    warnings = []
    with ShopSite(free_port(), desk.url) as site:
        shop = page_factory()
        shop.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
        shop.goto(site.url + "/")
        shop.get_by_test_id("balie-launcher").click()
        log = shop.get_by_test_id("balie-log")
        expect(log).to_contain_text("De chat is op deze website niet beschikbaar.")
        expect(log).not_to_contain_text("Vraag me bijvoorbeeld")
        expect(shop.get_by_test_id("balie-input")).to_be_disabled()
        expect(shop.get_by_test_id("balie-panel")).not_to_contain_text("Controleer je verbinding")
        screenshot(shop, "widget-unconfigured-site.png")
    [warning] = [w for w in warnings if w.startswith("Balie chat:")]
    assert site.url in warning and "SHOP_ORIGINS" in warning
