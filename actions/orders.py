"""Parcel status: carrier, track & trace and the expected window, judged against any deadline."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import account, conversation
from actions.forms import verified_order_number
from actions.handoff import hand_off
from actions.other_order import asks_for_another, choice_button
from actions.services import webshop
from bot.delivery import Deadline, arrives_in_time, describe_day, describe_window, needed_by, status_sentence
from bot.webshop import Order, ShopUnavailable


def customer_message(order: Order, today) -> str:
    if order.status == "delivered" and order.delivered_at:
        return (f"Je bestelling {order.number} is {describe_day(order.delivered_at.date(), today)} om "
                f"{order.delivered_at:%H:%M} bezorgd door {order.carrier}. Heb je het pakket niet gevonden? "
                f"Kijk even bij de buren of in de brievenbus; je kunt ook een medewerker vragen.")
    if order.status == "processing":
        window = describe_window(order.expected_from, order.expected_until, today)
        return (f"Je bestelling {order.number} is betaald en wordt nu ingepakt. We verwachten hem {window} "
                f"te bezorgen; je krijgt een track & trace-link zodra hij onderweg is.")
    window = describe_window(order.expected_from, order.expected_until, today)
    text = f"Je bestelling {order.number} is onderweg met {order.carrier} en wordt naar verwachting {window} bezorgd."
    if order.status == "delayed":
        text = (f"Je bestelling {order.number} is helaas vertraagd. {order.carrier} verwacht hem nu {window} te bezorgen, "
                f"later dan we je hadden beloofd. Sorry daarvoor.")
    if order.tracking_code:
        text += f" Je track & trace-code is {order.tracking_code}: {order.tracking_url}"
    return text


def deadline_message(order: Order, deadline: Deadline, on_time: bool, today) -> str:
    """The one sentence that matters when a customer named a moment: does it make it, and when it comes."""
    if order.status == "delivered" and order.delivered_at:
        return (f"Je bestelling {order.number} is al bezorgd: {describe_day(order.delivered_at.date(), today)} om "
                f"{order.delivered_at:%H:%M}. Kijk even bij de buren of in de brievenbus als je hem niet ziet.")
    window = describe_window(order.expected_from, order.expected_until, today) if order.expected_from else None
    if on_time:
        tracking = f" Je track & trace-code is {order.tracking_code}: {order.tracking_url}" if order.tracking_code else ""
        return f"Goed nieuws: dat haalt hij. Je bestelling {order.number} komt naar verwachting {window}.{tracking}"
    return (f"Eerlijk gezegd: {deadline.label} haalt dit pakket volgens de planning niet, het komt pas "
            f"{window or 'later'}. Ik begrijp dat dat vervelend is.")


def latest_deadline(tracker: Tracker, now: datetime) -> Optional[Deadline]:
    """The deadline the customer named last (a later message may name another one)."""
    for text in reversed(conversation.customer_texts(tracker)):
        found = needed_by(text, now)
        if found:
            return found
    return None


def deadline_facts(deadline: Deadline) -> Dict[str, Any]:
    facts: Dict[str, Any] = {"deadline": deadline.label, "deadline_words": deadline.evidence}
    if deadline.reason:
        facts["deadline_reason"] = deadline.reason
    return facts


def judge_deadline(dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, deadline: Deadline,
                   order_facts: Dict[str, Any], actions_done: List[str], today) -> List[EventType]:
    """Says plainly whether the order makes the deadline; when it does not, a colleague takes over."""
    on_time = order.status == "delivered" or arrives_in_time(order.expected_until, deadline)
    order_facts = {**order_facts, **deadline_facts(deadline)}
    dispatcher.utter_message(text=deadline_message(order, deadline, on_time, today))
    if on_time:
        done = actions_done + [f"Gezegd dat de deadline ({deadline.label}) gehaald wordt"]
        return [SlotSet("order_facts", order_facts), SlotSet("bot_actions", done)]
    done = actions_done + [f"Gezegd dat de deadline ({deadline.label}) niet gehaald wordt"]
    signals = [{"name": "deadline", "evidence": deadline.evidence}]
    return [SlotSet("order_facts", order_facts), SlotSet("bot_actions", done)] + hand_off(
        dispatcher, tracker, "deadline_at_risk", signals=signals,
        facts={**conversation.facts(tracker), **order_facts}, bot_actions=done)


class ActionCheckOrderStatus(Action):
    def name(self) -> Text:
        return "action_check_order_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        number = verified_order_number(tracker)
        stored = tracker.get_slot("order_facts") or {}
        if number is None:
            return hand_off_unverified(dispatcher, tracker)
        try:
            order = webshop().find_order(number, tracker.get_slot("postcode"))
        except ShopUnavailable:
            return hand_off(dispatcher, tracker, "bot_unavailable",
                             signals=[{"name": "shop_unavailable", "evidence": number}])
        if order is None:  # the shop changed between verification and now
            return hand_off(dispatcher, tracker, "complexity")
        now = datetime.now()
        today = now.date()
        summary = status_sentence(order, today)
        order_facts: Dict[str, Any] = {**stored, "order_status": {"summary": summary, **order.to_json()}}
        actions_done = conversation.record_bot_action(tracker, f"Status gegeven: {summary}")
        deadline = latest_deadline(tracker, now)
        # A deadline already dealt with (told and handed over) is not raised a second time.
        if deadline and deadline.evidence != stored.get("deadline_words"):
            return judge_deadline(dispatcher, tracker, order, deadline, order_facts, actions_done, today)
        dispatcher.utter_message(text=customer_message(order, today))
        return [SlotSet("order_facts", order_facts), SlotSet("bot_actions", actions_done)]


class ActionCheckDeadline(Action):
    """A deadline named in any turn ("ik heb het morgen nodig!" after the status): judged against the
    order when it is known; otherwise the bot asks for the order and keeps the deadline in mind."""

    def name(self) -> Text:
        return "action_check_deadline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        now = datetime.now()
        deadline = needed_by(tracker.latest_message.get("text") or "", now)
        number = verified_order_number(tracker)
        if deadline is None:
            dispatcher.utter_message(response="utter_default")
            return []
        if number is None:
            mine = [o for o in account.orders(tracker) if o.status != "delivered"]
            chosen = order_that_fits(mine, tracker.latest_message.get("text") or "")
            if chosen is not None:  # a logged-in customer: her own open order, judged against the deadline
                dispatcher.utter_message(text=account.introduce(chosen))
                verified = [SlotSet("order_number", chosen.number), SlotSet("postcode", chosen.postcode),
                            SlotSet("order_verified", True), SlotSet("order_lookup_attempts", 0.0)]
                stored = tracker.get_slot("order_facts") or {}
                summary = status_sentence(chosen, now.date())
                order_facts = {**stored, "order_number": chosen.number, "postcode_verified": True,
                               "order_status": {"summary": summary, **chosen.to_json()}}
                return verified + judge_deadline(dispatcher, tracker, chosen, deadline, order_facts,
                                                 conversation.bot_actions(tracker), now.date())
            if len(mine) > 1:
                dispatcher.utter_message(text=f"Je hebt {len(mine)} bestellingen onderweg. Over welke gaat het? "
                                              f"Dan kijk ik meteen of die {deadline.label} bij je kan zijn.",
                                         buttons=[choice_button(order) for order in mine])  # asks its status; the deadline is kept
                return []
            dispatcher.utter_message(text=f"Dan kijk ik meteen of het {deadline.label} bij je kan zijn.")
            return [FollowupAction("order_status_form")]
        if asks_for_another(tracker.latest_message.get("text") or ""):
            return [FollowupAction("order_status_form")]  # not the order she had: the form finds the other one
        try:
            order = webshop().find_order(number, tracker.get_slot("postcode"))
        except ShopUnavailable:
            return hand_off(dispatcher, tracker, "bot_unavailable",
                             signals=[{"name": "shop_unavailable", "evidence": number}])
        if order is None:
            return hand_off(dispatcher, tracker, "complexity")
        stored = tracker.get_slot("order_facts") or {}
        summary = status_sentence(order, now.date())
        order_facts: Dict[str, Any] = {**stored, "order_status": {"summary": summary, **order.to_json()}}
        return judge_deadline(dispatcher, tracker, order, deadline, order_facts,
                              conversation.bot_actions(tracker), now.date())


def order_that_fits(open_orders: List[Order], text: str) -> Optional[Order]:
    """The open order a deadline is about: the only one, or the one whose article the customer names."""
    if len(open_orders) == 1:
        return open_orders[0]
    words = {w for w in re.findall(r"[^\W\d_]{4,}", text.lower())}
    named = [o for o in open_orders
             if any(w in words for item in o.items for w in re.findall(r"[^\W\d_]{4,}", item.name.lower()))]
    return named[0] if len(named) == 1 else None


def hand_off_unverified(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The order form ended without a verified order: the shop was down, or three lookups failed."""
    number = str(tracker.get_slot("order_number") or "")
    if (tracker.get_slot("order_facts") or {}).get("shop_unavailable"):
        return hand_off(dispatcher, tracker, "bot_unavailable", signals=[{"name": "shop_unavailable", "evidence": number}])
    attempts = int(tracker.get_slot("order_lookup_attempts") or 0)
    return hand_off(
        dispatcher, tracker, "complexity",
        signals=[{"name": "order_not_found", "evidence": f"{attempts} keer geen bestelling bij bestelnummer {number} en de opgegeven postcode"}],
        opening="Ik kan nog steeds geen bestelling vinden bij deze gegevens. Een collega kan je bestelling op een andere "
                "manier opzoeken, dus ik geef je aan hem of haar door.",
    )
