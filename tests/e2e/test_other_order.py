"""Issue 19 through the real model, action server and desk: a customer who asks about "mijn andere bestelling" or
"die andere order" is never given the same order again. Logged in (the demo customer Eva, who has WS-100004 and
WS-100002), she moves between her own orders; a guest is asked for the other order's number, and the shop checks
it with the postcode she gave. The card of a handover she asked for lists her request as its signal."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import requests

from bot import identity
from bot.desk.demo_page import DEMO_SECRET
from bot.webshop import Order, OrderItem
from bot.webshop.demo import DEMO_CUSTOMER
from bot.webshop.sql import SqlWebshop
from tests.stack_clients import Chat

pytestmark = pytest.mark.e2e


class LoggedIn(Chat):
    """Eva, logged in at the demo shop: the shop's signed token starts her conversation."""

    def __init__(self, stack) -> None:
        self.url = stack.desk_url
        created = requests.post(self.url + "/api/conversations", timeout=10,
                                json={"identity": identity.sign(DEMO_CUSTOMER, DEMO_SECRET)}).json()
        self.id, self.token, self.state = created["conversation_id"], created["token"], "bot"


def test_a_logged_in_customer_moves_between_her_orders(stack, agent):
    eva = LoggedIn(stack)
    first = eva.say("waar is mijn pakket?")
    assert "WS-100004" in first and "vertraagd" in first
    other = eva.say("En mijn andere bestelling?")
    assert "Je andere bestelling is die van" in other and "WS-100002" in other and "bezorgd" in other
    assert "WS-100004" not in other
    back = eva.say("die andere order")
    assert "WS-100004" in back and "WS-100002" not in back  # the other one again: she moves between the two
    for secret in ("WS-100001", "WS-100003", "WS-100005", "Regenjas", "Koffiezetapparaat", "Fietstas"):
        assert secret not in first + other + back  # nobody else's orders
    eva.say("ik wil een medewerker spreken")
    signals = agent.handoff_for(eva.id)["context"]["signals"]
    assert signals[0] == {"name": "asks_for_person", "evidence": "ik wil een medewerker spreken"}
    agent.serve_everyone_waiting()


def test_a_deadline_for_her_other_order_is_judged_for_that_order(stack):
    eva = LoggedIn(stack)
    assert "WS-100004" in eva.say("waar is mijn pakket?")
    answer = eva.say("en mijn andere bestelling, moet die er morgen zijn?")
    assert "WS-100002" in answer and "al bezorgd" in answer and "WS-100004" not in answer


def test_a_guest_asking_for_her_other_order_is_asked_its_number(chat):
    guest = chat()
    assert "PostNL" in guest.say("Waar is mijn pakket? WS-100001, postcode 1234AB")
    asked = guest.say("En mijn andere bestelling?")
    assert "bestelnummer" in asked and "WS-100001" not in asked and "PostNL" not in asked
    answer = guest.say("WS-100002")  # same address: the postcode she gave is checked with it
    assert "WS-100002" in answer and "bezorgd" in answer
    elsewhere = guest.say("die andere order")
    assert "bestelnummer" in elsewhere and "WS-100002" not in elsewhere
    refused = guest.say("WS-100004")  # someone else's order at another address: nothing about it
    assert "geen bestelling vinden" in refused and "DHL" not in refused and "Tent" not in refused


@pytest.fixture
def third_order(stack):
    """For this test Eva has a third order (delivered three weeks ago, so the others' choices stay the same)."""
    shop = SqlWebshop(stack.database_url)
    delivered = datetime.now() - timedelta(days=20)
    order = Order(number="WS-100006", postcode="3511 AB", status="delivered", ordered_at=delivered - timedelta(days=3),
                  carrier="PostNL", delivered_at=delivered, items=(OrderItem("Slaapzak Dons", 1, 8900),),
                  customer_id=DEMO_CUSTOMER.id)
    shop.upsert_orders([order])
    yield order
    shop.upsert_orders([replace(order, customer_id=None)])  # a guest's order again: the other tests' Eva has two
    shop.engine.dispose()


def test_with_several_other_orders_she_chooses_one_of_her_own(stack, third_order):
    eva = LoggedIn(stack)
    assert "WS-100004" in eva.say("waar is mijn pakket?")
    asked = eva.say("En mijn andere bestelling?")
    buttons = [b for r in eva.last["replies"] for b in (r.get("buttons") or [])]
    assert "Over welke bestelling gaat het" in asked and "postcode" not in asked
    assert sorted(b["title"].split(":")[0] for b in buttons) == ["WS-100002", "WS-100006"]  # not the one she had
    [sleeping_bag] = [b for b in buttons if b["title"].startswith("WS-100006")]
    answer = eva.say(sleeping_bag["title"], payload=sleeping_bag["payload"])
    assert "WS-100006" in answer and "bezorgd" in answer and "postcode" not in answer  # her own: no postcode asked
