"""Issue 19 through the real model, action server and desk: a customer who asks about "mijn andere bestelling" or
"die andere order" is never given the same order again. Logged in (the demo customer Eva, who has WS-100004 and
WS-100002), she moves between her own orders; a guest is asked for the other order's number, and the shop checks
it with the postcode she gave. The card of a handover she asked for lists her request as its signal."""
from __future__ import annotations

import requests
import pytest

from bot import identity
from bot.desk.demo_page import DEMO_SECRET
from bot.webshop.demo import DEMO_CUSTOMER
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
