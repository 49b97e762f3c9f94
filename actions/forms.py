"""Validation of the order forms: normalise what the customer typed, then verify
order number *and* postcode together before any order data is used."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import account, other_order
from actions.services import webshop
from bot.webshop import Order, ShopUnavailable, normalise_order_number, normalise_postcode

MAX_LOOKUP_ATTEMPTS = 3


class OrderFormValidation:
    """Shared by both order forms; a mixin (not an Action) so the SDK does not register it."""

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number = normalise_order_number(value if isinstance(value, str) else (value or [None])[-1])
        if number is None:
            dispatcher.utter_message(response="utter_invalid_order_number")
            return {"order_number": None}
        return {"order_number": number}

    def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        postcode = normalise_postcode(value if isinstance(value, str) else (value or [None])[-1])
        if postcode is None:
            dispatcher.utter_message(response="utter_invalid_postcode")
            return {"postcode": None}
        return {"postcode": postcode}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
        # super().run updated tracker.slots with the validated values.
        number = normalise_order_number(tracker.get_slot("order_number"))
        postcode = normalise_postcode(tracker.get_slot("postcode"))
        changed = {e.get("name") for e in events if e.get("event") == "slot"}
        if number and other_order.asks_for_another(tracker.latest_message.get("text") or ""):
            return events + self._another(number, dispatcher, tracker)  # never the same order again
        if tracker.get_slot("order_verified") and not changed & {"order_number", "postcode"}:
            return events
        logged_in = account.customer_id(tracker) is not None
        # Her own order needs no postcode, also when the postcode of an earlier order is still known.
        if logged_in and (not postcode or (number and "order_number" in changed)):
            from_account = self._from_account(number, dispatcher, tracker)
            if from_account:
                return events + from_account
        if not (number and postcode):
            if changed & {"order_number", "postcode"}:
                events.append(SlotSet("order_verified", False))
            return events
        return events + self._verify(number, postcode, dispatcher, tracker)

    def _from_account(self, number: Optional[str], dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> List[EventType]:
        """A logged-in customer: their own order needs no postcode, and without a number the bot takes the
        order the question is most likely about. Nothing found: asked as usual."""
        mine = account.orders(tracker)
        if number:
            order = next((o for o in mine if o.number == number), None)
        else:
            order = account.likely_order(mine, for_return=self.form_name() == "return_form")
            if order is not None:
                dispatcher.utter_message(text=account.introduce(order))
        return [] if order is None else _own(order)

    def _another(self, current: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """She asks about her other order without naming it. Logged in with exactly one other order: that one,
        named. Otherwise the number is asked again (a logged-in customer chooses among her other orders,
        other_order.ActionAskOrderNumber); a guest's postcode stays, the shop checks it with the new number."""
        facts = [SlotSet("order_facts", other_order.without_order_facts(tracker.get_slot("order_facts")))]
        if account.customer_id(tracker):
            others = [o for o in account.orders(tracker) if o.number != current]
            if len(others) == 1:
                dispatcher.utter_message(text=account.introduce(others[0], other=True))
                return facts + _own(others[0])
            return facts + [SlotSet("order_number", None), SlotSet("postcode", None), SlotSet("order_verified", False)]
        return facts + [SlotSet("order_number", None), SlotSet("order_verified", False),
                        SlotSet("order_lookup_attempts", 0.0)]

    def _verify(self, number: str, postcode: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        try:
            order = webshop().find_order(number, postcode)
        except ShopUnavailable:
            # Stop the form; the completion action sees the missing verification and hands over.
            return [SlotSet("order_verified", False), SlotSet("order_facts", {"shop_unavailable": True}),
                    SlotSet("requested_slot", None)]
        if order is not None:
            return [SlotSet("order_verified", True), SlotSet("order_lookup_attempts", 0.0)]
        attempts = int(tracker.get_slot("order_lookup_attempts") or 0) + 1
        events: List[EventType] = [SlotSet("order_verified", False), SlotSet("order_lookup_attempts", float(attempts))]
        if attempts >= MAX_LOOKUP_ATTEMPTS:
            # Keep the number for the agent; end the form so the completion action hands over.
            return events + [SlotSet("postcode", None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(response="utter_order_not_found")
        return events + [SlotSet("order_number", None), SlotSet("postcode", None)]


class ValidateOrderStatusForm(OrderFormValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_order_status_form"


class ValidateReturnForm(OrderFormValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_return_form"


def _own(order: Order) -> List[EventType]:
    """A logged-in customer's own order: verified by her account, nothing left to ask."""
    return [SlotSet("order_number", order.number), SlotSet("postcode", order.postcode),
            SlotSet("order_verified", True), SlotSet("order_lookup_attempts", 0.0), SlotSet("requested_slot", None)]


def verified_order_number(tracker: Tracker) -> Optional[str]:
    return tracker.get_slot("order_number") if tracker.get_slot("order_verified") else None
