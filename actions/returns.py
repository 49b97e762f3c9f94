"""Returns: settled by the bot itself within the 30-day term (P6); outside it, a calm
explanation and the offer of a colleague, without promises (P7)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import conversation
from actions.forms import verified_order_number
from actions.handoff import hand_off
from actions.orders import hand_off_unverified
from actions.services import webshop
from bot.delivery import MONTHS
from bot.money import euros
from bot.webshop import ShopUnavailable

DROP_OFF_DAYS = 14
REFUND_WORKDAYS = 5


def _long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


class ActionRegisterReturn(Action):
    def name(self) -> Text:
        return "action_register_return"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        number = verified_order_number(tracker)
        stored = tracker.get_slot("order_facts") or {}
        if number is None:
            return hand_off_unverified(dispatcher, tracker)
        postcode = tracker.get_slot("postcode")
        today = date.today()
        try:
            order = webshop().find_order(number, postcode)
            if order is None:
                return hand_off(dispatcher, tracker, "complexity")
            if order.status != "delivered":
                dispatcher.utter_message(response="utter_return_not_delivered", number=number)
                return [SlotSet("bot_actions", conversation.record_bot_action(tracker, "Uitgelegd dat retour pas na bezorging kan"))]
            if not order.is_returnable(today):
                deadline = order.return_deadline()
                dispatcher.utter_message(response="utter_return_term_passed", number=number,
                                         delivered=_long_date(order.delivered_at.date()), until=_long_date(deadline))
                done = conversation.record_bot_action(
                    tracker, f"Uitgelegd dat de retourtermijn is verlopen (tot {_long_date(deadline)})")
                return [SlotSet("bot_actions", done)]
            registration = webshop().register_return(number, postcode)
        except ShopUnavailable:
            return hand_off(dispatcher, tracker, "bot_unavailable",
                             signals=[{"name": "shop_unavailable", "evidence": number}])
        total = sum(item.price_cents * item.quantity for item in order.items)
        drop_off = _long_date(today + timedelta(days=DROP_OFF_DAYS))
        already = "" if registration.created else " (die had je al eerder aangemeld)"
        dispatcher.utter_message(
            text=f"Je retour voor bestelling {number} is aangemeld{already}. Je retourcode is {registration.return_code}."
        )
        dispatcher.utter_message(
            text=f"Zo werkt het: pak het artikel in, breng het pakket vóór {drop_off} naar een PostNL-punt en laat "
                 f"daar je retourcode {registration.return_code} scannen; een label printen is niet nodig. Zodra we je "
                 f"retour binnen hebben, storten we {euros(total)} binnen {REFUND_WORKDAYS} werkdagen terug via je "
                 f"oorspronkelijke betaalmethode."
        )
        facts = {**stored, "return_code": registration.return_code}
        done = conversation.record_bot_action(tracker, f"Retour aangemeld, retourcode {registration.return_code}")
        return [SlotSet("order_facts", facts), SlotSet("bot_actions", done)]
