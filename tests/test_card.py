"""A card that stays true (P2, issue 18): what a customer tells while she waits for a person reaches the
handoff's facts and summary, checked where it can be, and the console hears that the card changed. Real HTTP,
the desk on SQLite and PostgreSQL, the demo shop's orders in the same database."""
from __future__ import annotations

import asyncio
import json

import requests
import websockets

from bot.desk.push.messages import CONTEXT_CHANGED
from bot.webshop.demo import demo_orders
from bot.webshop.sql import SqlWebshop
from tests.desk_server import DeskServer
from tests.desk_support import Customer, add_agents, desk_settings, login, project, rasa  # noqa: F401 - fixtures

import pytest


@pytest.fixture
def desk_with_shop(database_url, rasa, project):
    shop = SqlWebshop(database_url)
    shop.create_tables()
    shop.upsert_orders(demo_orders())
    add_agents(database_url)
    with DeskServer(desk_settings(database_url, rasa, project, shop_database_url=database_url, shop_url=None)) as server:
        yield server


def waiting_card(desk):
    """A customer who asked for a person and waits; Anna reads her card."""
    customer = Customer(desk)
    assert customer.say("mens graag").json()["state"] == "queued"
    anna = login(desk, "anna", "wachtwoord-anna")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["queue"]
    return customer, handoff["id"], anna


def card(desk, handoff_id, headers):
    return requests.get(f"{desk.url}/api/handoffs/{handoff_id}", headers=headers).json()["context"]


def test_an_order_number_and_postcode_given_while_waiting_are_checked_and_reach_the_card(desk_with_shop):
    desk = desk_with_shop
    customer, handoff_id, anna = waiting_card(desk)
    assert customer.say("Het gaat trouwens om WS-100004, postcode 9999 ZZ").json()["state"] == "queued"
    context = card(desk, handoff_id, anna)
    assert context["facts"]["order_number"] == "WS-100004" and context["facts"]["postcode_verified"] is True
    assert context["facts"]["order_status"]["summary"].startswith("Vertraagd bij DHL")
    assert "Bestelling WS-100004 is gecontroleerd met de postcode" in context["summary"]


def test_a_postcode_after_the_number_checks_it_and_a_wrong_one_is_not_called_checked(desk_with_shop):
    desk = desk_with_shop
    customer, handoff_id, anna = waiting_card(desk)
    customer.say("mijn bestelnummer is WS-100004")
    context = card(desk, handoff_id, anna)
    assert context["facts"]["order_number"] == "WS-100004" and context["facts"]["postcode_verified"] is False
    assert "WS-100004 opgegeven, nog niet gecontroleerd" in context["summary"]
    customer.say("postcode 1111 AA")  # not the address of this order
    context = card(desk, handoff_id, anna)
    assert context["facts"]["postcode_verified"] is False and context["facts"]["order_lookup_failed"] is True
    assert "gecontroleerd met de postcode" not in context["summary"]
    customer.say("sorry, het is 9999 ZZ")
    context = card(desk, handoff_id, anna)
    assert context["facts"]["postcode_verified"] is True and "order_lookup_failed" not in context["facts"]


def test_a_deadline_and_a_new_problem_told_while_waiting_reach_the_summary(desk_with_shop):
    desk = desk_with_shop
    customer, handoff_id, anna = waiting_card(desk)
    customer.say("WS-100004 9999ZZ")
    customer.say("Ik heb hem overmorgen nodig want dan vertrekken we op vakantie")
    context = card(desk, handoff_id, anna)
    assert context["facts"]["deadline"] == "overmorgen" and context["facts"]["deadline_met"] is False
    assert "Nodig: overmorgen" in context["summary"] and "haalt de bestelling niet" in context["summary"]
    customer.say("En de haringen van de vorige tent waren ook al kapot")
    context = card(desk, handoff_id, anna)
    assert "kapot" in context["facts"]["later_problem"] and "later gemeld" in context["summary"]
    before = card(desk, handoff_id, anna)
    customer.say("oké, ik wacht wel even")  # nothing new: the card stays as it was
    assert card(desk, handoff_id, anna) == before


async def test_the_console_hears_that_the_card_changed(desk_with_shop):
    desk = desk_with_shop
    loop = asyncio.get_running_loop()
    customer, handoff_id, anna = await loop.run_in_executor(None, waiting_card, desk)
    token = anna["Authorization"].split(" ", 1)[1]
    async with websockets.connect(desk.url.replace("http", "ws") + f"/api/agent/ws?token={token}") as socket:
        await loop.run_in_executor(None, customer.say, "WS-100004 met postcode 9999 ZZ")
        while True:
            data = json.loads(await asyncio.wait_for(socket.recv(), 5))
            if data["type"] == CONTEXT_CHANGED:
                break
        assert (data["handoff_id"], data["conversation_id"]) == (handoff_id, customer.id)
        assert "facts" not in data  # ids only: the console reads the card through the API


# --- issue 19: the card names the current owner; the signals that led to the handover -------------------------
def where(desk, handoff_id, headers, after=0):
    """What the console reads for an open card: the card itself, and the messages after the last one it saw."""
    card = requests.get(f"{desk.url}/api/handoffs/{handoff_id}", headers=headers).json()
    since = requests.get(f"{desk.url}/api/handoffs/{handoff_id}/messages", params={"after": after}, headers=headers).json()
    return [(d["status"], d["agent"]) for d in (card, since)]


def test_the_card_names_who_has_the_conversation_now_from_the_handoff(desk_with_shop):
    desk = desk_with_shop
    customer, handoff_id, anna = waiting_card(desk)
    assert where(desk, handoff_id, anna) == [("queued", None)] * 2
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    requests.post(f"{desk.url}/api/handoffs/{handoff_id}/claim", headers=anna)
    assert where(desk, handoff_id, anna) == [("assigned", "Anna")] * 2
    bram = login(desk, "bram", "wachtwoord-bram")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=bram)
    moved = requests.post(f"{desk.url}/api/handoffs/{handoff_id}/transfer", json={"to": "bram"}, headers=anna)
    assert moved.status_code == 200, moved.text
    # Anna's console no longer lists it, and reads where it is through the messages it missed: with Bram.
    assert handoff_id not in [h["id"] for h in requests.get(desk.url + "/api/handoffs", headers=anna).json()["mine"]]
    assert where(desk, handoff_id, anna, after=3) == [("assigned", "Bram")] * 2
    requests.post(f"{desk.url}/api/handoffs/{handoff_id}/resolve", headers=bram)
    assert [status for status, _ in where(desk, handoff_id, anna, after=3)] == ["resolved"] * 2
