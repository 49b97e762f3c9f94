"""Pushes that never arrive (a replica died between storing and pushing) and a connection that drops: the
widget notices by sequence number or heartbeat, fetches what it missed, and shows each message once and
in order, without a reload. The browser's WebSocket runs through Playwright's router, which can drop
pushes and close the connection on purpose."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def lossy_socket(page):
    """Routes the widget's WebSocket through a switch: `dropping` swallows pushes, `close()` cuts it."""
    state = {"dropping": False, "sockets": []}

    def handler(ws):
        server = ws.connect_to_server()
        server.on_message(lambda message: None if state["dropping"] else ws.send(message))
        state["sockets"].append(ws)

    page.route_web_socket("**/api/conversations/*/ws*", handler)
    return state


def test_the_widget_catches_up_on_lost_pushes_and_after_the_connection_dropped(stack, page_factory, agent):
    shop = page_factory()
    switch = lossy_socket(shop)
    shop.goto(stack.desk_url + "/")
    shop.get_by_test_id("balie-launcher").click()
    shop.get_by_test_id("balie-input").fill("ik wil een medewerker spreken")
    shop.get_by_test_id("balie-send").click()
    log, status = shop.get_by_test_id("balie-log"), shop.get_by_test_id("balie-status")
    expect(status).to_contain_text("Je wacht op een medewerker")
    conversation_id = shop.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('balie.conversation.')))).conversation_id")
    handoff = agent.handoff_for(conversation_id)
    assert agent.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    expect(log).to_contain_text("Sanne van de klantenservice helpt je nu verder.")

    switch["dropping"] = True  # the push of this message is lost
    assert agent.post(f"/api/handoffs/{handoff['id']}/messages", json={"text": "Ik zie je bestelling."}).status_code == 200
    shop.wait_for_timeout(500)
    expect(log).not_to_contain_text("Ik zie je bestelling.")
    switch["dropping"] = False  # the next heartbeat says there is more: the widget fetches it
    expect(log).to_contain_text("Ik zie je bestelling.", timeout=15_000)

    switch["sockets"][-1].close()  # the connection drops (a desk replica went away)
    expect(status).to_have_text("De verbinding wordt hersteld…", timeout=10_000)
    assert agent.post(f"/api/handoffs/{handoff['id']}/messages",
                      json={"text": "Hij wordt morgen opnieuw verstuurd."}).status_code == 200
    expect(log).to_contain_text("Hij wordt morgen opnieuw verstuurd.", timeout=20_000)
    expect(status).not_to_have_text("De verbinding wordt hersteld…")

    for text in ("Ik zie je bestelling.", "Hij wordt morgen opnieuw verstuurd.", "helpt je nu verder"):
        expect(log.locator(".balie-msg", has_text=text)).to_have_count(1)
    seqs = [int(s) for s in log.locator(".balie-msg[data-seq]").evaluate_all("ns => ns.map(n => n.dataset.seq)")]
    assert seqs == list(range(1, len(seqs) + 1))  # every message of the conversation, once, in order
    agent.post(f"/api/handoffs/{handoff['id']}/resolve")
