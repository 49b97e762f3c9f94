"""The widget with one script tag on a shop's own site (another origin, the shop's own CSS and a strict
Content-Security-Policy), a site that is not one of the shop's, and a logged-in demo customer."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, func, select

from bot.desk.conversations.models import Conversation
from tests.browser.shop_site import ShopSite

pytestmark = pytest.mark.browser


def send(page, text):
    page.get_by_test_id("balie-input").fill(text)
    page.get_by_test_id("balie-send").click()


def conversations(stack) -> int:
    engine = create_engine(stack.database_url, future=True)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(Conversation))
    engine.dispose()
    return count


@pytest.fixture
def shop_site(stack):
    with ShopSite(stack.shop_port, stack.desk_url) as site:
        yield site


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def test_a_customer_on_the_shops_own_site_chats_with_the_bot_and_an_agent_live(stack, shop_site, page_factory, agent):
    shop = page_factory()
    violations = csp_violations(shop)
    shop.goto(f"http://127.0.0.1:{stack.shop_port}/")
    launcher = shop.get_by_test_id("balie-launcher")
    expect(launcher).to_be_visible()  # the shop's `button {display: none !important}` does not reach the widget
    assert shop.evaluate("typeof window.BaliePush") == "undefined"  # push.js comes inside the widget's own scope
    launcher.click()
    send(shop, "Waar is mijn pakket? WS-100001, postcode 1234AB")
    log = shop.get_by_test_id("balie-log")
    expect(log).to_contain_text("morgen tussen 10:00 en 12:00")

    send(shop, "ik wil een medewerker spreken")
    expect(shop.get_by_test_id("balie-status")).to_contain_text("Je wacht op een medewerker")
    conversation_id = shop.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('balie.conversation.')))).conversation_id")
    handoff = agent.handoff_for(conversation_id)
    assert agent.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    assert agent.post(f"/api/handoffs/{handoff['id']}/messages",
                      json={"text": "Hoi, ik kijk met je mee naar WS-100001."}).status_code == 200
    expect(log).to_contain_text("Hoi, ik kijk met je mee naar WS-100001.")  # pushed over the WebSocket, live
    agent.post(f"/api/handoffs/{handoff['id']}/resolve")

    # The widget's look is its own, and its CSS stays inside it.
    panel_font = shop.get_by_test_id("balie-panel").evaluate("n => getComputedStyle(n).fontFamily")
    assert "Comic Sans" not in panel_font
    assert shop.get_by_test_id("balie-input").evaluate("n => n.getBoundingClientRect().width") > 100
    shop_text = shop.get_by_test_id("shop-text").evaluate("n => getComputedStyle(n).backgroundColor")
    assert shop_text == "rgba(0, 0, 0, 0)"  # `.balie-customer` of the widget did not colour the shop's paragraph
    assert violations == []


def test_a_site_that_is_not_one_of_the_shops_is_refused(stack, shop_site, page_factory):
    before = conversations(stack)
    page = page_factory()
    page.goto(f"http://localhost:{stack.shop_port}/")  # the same page, from an origin that is not listed
    page.get_by_test_id("balie-launcher").click()
    # Told that the chat is not available here, not to check the connection (test_widget_buttons_and_sites.py:
    # the developer's console warning); nothing can be sent, nothing is created.
    expect(page.get_by_test_id("balie-log")).to_contain_text("De chat is op deze website niet beschikbaar.")
    expect(page.get_by_test_id("balie-input")).to_be_disabled()
    expect(page.locator(".balie-error")).to_be_empty()
    assert conversations(stack) == before


def test_the_widget_is_usable_by_keyboard_and_full_screen_on_a_phone(stack, browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 375, "height": 667}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(stack.desk_url + "/")
        launcher = page.get_by_test_id("balie-launcher")
        launcher.focus()
        page.keyboard.press("Enter")
        panel = page.get_by_test_id("balie-panel")
        expect(panel).to_be_visible()
        assert panel.get_attribute("role") == "dialog"
        assert page.get_by_test_id("balie-log").get_attribute("aria-live") == "polite"
        box = panel.bounding_box()
        assert (box["width"], box["height"]) == (375, 667)
        expect(page.get_by_label("Je bericht")).to_be_visible()
        page.keyboard.type("hallo")  # the input has the focus after opening
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("balie-log")).to_contain_text(re.compile("hallo", re.I))
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(launcher).to_be_focused()
    finally:
        context.close()


def test_a_logged_in_demo_customer_is_not_asked_for_order_number_or_postcode(stack, page_factory, agent):
    page = page_factory()
    page.goto(stack.desk_url + "/")
    page.get_by_test_id("demo-login").click()
    expect(page.get_by_test_id("demo-account")).to_contain_text("Eva de Vries")
    page.get_by_test_id("balie-launcher").click()
    send(page, "waar is mijn pakket?")
    log = page.get_by_test_id("balie-log")
    expect(log).to_contain_text("Tent Waddenzee")  # their latest order that has not arrived, WS-100004
    expect(log).to_contain_text("WS-100004")
    expect(log).not_to_contain_text("bestelnummer?")
    expect(log).not_to_contain_text("postcode")
    send(page, "ik wil een medewerker spreken")  # the agent sees who this is, as the shop vouched for it
    expect(page.get_by_test_id("balie-status")).to_contain_text("medewerker")
    conversation_id = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('balie.conversation.')))).conversation_id")
    facts = agent.handoff_for(conversation_id)["context"]["facts"]
    assert facts["customer"] == "Eva de Vries · eva.de.vries@example.nl · klantnummer K-1001"
    assert facts["order_number"] == "WS-100004"


def test_a_tampered_token_is_not_trusted_and_the_customer_is_asked_as_usual(stack, page_factory):
    page = page_factory()
    page.goto(stack.desk_url + "/")
    page.get_by_test_id("demo-login").click()
    expect(page.get_by_test_id("demo-account")).to_be_visible()
    page.evaluate("""() => {  // the token as a customer could change it in their browser
        const s = document.querySelector('script[data-customer-token]');
        const [v, payload, sig] = s.dataset.customerToken.split('.');
        const data = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
        data.id = 'K-2002';
        s.dataset.customerToken = [v, btoa(JSON.stringify(data)).replace(/=+$/, ''), sig].join('.');
    }""")
    page.get_by_test_id("balie-launcher").click()
    send(page, "waar is mijn pakket?")
    log = page.get_by_test_id("balie-log")
    expect(log).to_contain_text(re.compile("bestelnummer", re.I))
    expect(log).not_to_contain_text("Tent Waddenzee")
