"""A customer who asks about her other order ("en mijn andere bestelling?", "die andere order") never gets the
same order again (issue 19).

The order forms (actions/forms.py) see the question in the message that (re)starts them while an order is
known: a logged-in customer with exactly one other order gets that one, named; with several she chooses
among her other orders (buttons, from `ActionAskOrderNumber`, which Rasa runs to ask for the order number);
a guest is asked for the other order's number. Order data still only after number and postcode match, or for
a logged-in customer from her own account (the shop vouched for who she is): never another customer's.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import account
from bot.webshop import Order
from bot.webshop.identifiers import ORDER_NUMBER

# "mijn andere bestelling", "die andere order", "het vorige pakket", "m'n tweede bestelling", "en de andere?"
_ANOTHER = re.compile(
    r"\b(?:andere|ander|vorige|eerdere|tweede|oudere|nieuwere|overige)\s+(?:bestelling|order|pakket|pakketje|"
    r"zending|aankoop|levering)(?:en|s)?\b"
    r"|\b(?:de|die|dat|mijn|m'n|het)\s+andere\s*(?:[?.!,]|$|ook\b|dan\b)",
    re.IGNORECASE)
# Facts that belong to one order: they leave the card's facts when the conversation moves to another order.
ORDER_FACTS = ("order_number", "postcode_verified", "order_status", "deadline_met", "return_code",
               "order_lookup_failed")


def asks_for_another(text: str) -> bool:
    """The customer means an order other than the one the conversation was about, without naming it."""
    return bool(_ANOTHER.search(text or "")) and not ORDER_NUMBER.search(text or "")


def without_order_facts(facts: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """What the customer told that holds for any order (a deadline and why), without the last order's facts."""
    return {k: v for k, v in (facts or {}).items() if k not in ORDER_FACTS}


def previous_order(tracker: Tracker) -> Optional[str]:
    """The last order number the conversation held (the one she now means is not it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "order_number" and event.get("value"):
            return str(event["value"])
    return None


def choice_button(order: Order, intent: str = "order_status") -> Dict[str, str]:
    """A button for one of the customer's own orders; pressing it gives its number (`intent` starts the parcel
    status outside a form; inside a form any intent fills the slot)."""
    what = ", ".join(item.name for item in order.items) or "bestelling"
    return {"title": f"{order.number}: {what}"[:80],
            "payload": f"/{intent}" + json.dumps({"order_number": order.number}, separators=(",", ":"))}


class ActionAskOrderNumber(Action):
    """How the order forms ask for the order number: a guest by the usual question; a logged-in customer can
    choose among her own orders (without the one she just called "the other"), or type a number."""

    def name(self) -> Text:
        return "action_ask_order_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        mine = account.orders(tracker)
        if not mine:
            dispatcher.utter_message(response="utter_ask_order_number")
            return []
        previous = previous_order(tracker)
        another = asks_for_another(tracker.latest_message.get("text") or "")
        offered = [o for o in mine if not (another and o.number == previous)][:5]
        if not offered:
            dispatcher.utter_message(
                text=f"Op je account zie ik geen andere bestelling dan {previous}. Heb je zonder account besteld? "
                     f"Noem dan het bestelnummer, het begint met WS-.")
            return []
        dispatcher.utter_message(text="Over welke bestelling gaat het? Kies hieronder, of typ het bestelnummer.",
                                 buttons=[choice_button(o, "inform") for o in offered])
        return []
