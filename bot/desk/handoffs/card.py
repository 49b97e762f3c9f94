"""A card that stays true (P2): what a customer tells while she waits for a person, or while a person has her,
is added to the handoff's facts and summary, and the console hears that the card changed.

`read` finds the facts in a message (an order number with its postcode, a deadline, a new problem); the flow
(conversations/flows.py) checks an order number and postcode against the shop outside any transaction, then
`update` writes them in one unit of work and records `ContextChanged` (push/envelopes.py tells the console).
An order number is "gecontroleerd" only when the shop found it with that postcode.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from bot.delivery import Deadline, arrives_in_time, needed_by, status_sentence
from bot.desk.conversations import service as conversations
from bot.desk.events import ContextChanged
from bot.desk.handoffs.models import Handoff
from bot.desk.handoffs.queue import open_handoff
from bot.desk.work import Work
from bot.escalation import load_rules, message_signals
from bot.summary import SummaryInput, summarise
from bot.webshop import Order, Webshop, normalise_order_number, normalise_postcode, webshop_at
from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE

# Signals of loudness, not of a problem: they do not make a "new problem" on the card.
_NOT_A_PROBLEM = {"caps_lock", "punctuation_burst", "swearing", "negative_judgement", "fed_up", "earlier_contacts",
                  "says_so", "same_question", "rephrase_after_fallback", "long_emotional"}


@dataclass(frozen=True)
class Later:
    """Facts in one message that arrived after the handover."""
    order_number: str | None = None
    postcode: str | None = None
    deadline: Deadline | None = None
    problem: str | None = None  # the customer's words for a new problem

    @property
    def empty(self) -> bool:
        return not (self.order_number or self.postcode or self.deadline or self.problem)


def read(text: str, now: datetime) -> Later:
    number = ORDER_NUMBER.search(text)
    postcode = POSTCODE.search(text)
    problems = [s for s in message_signals(text, load_rules()) if s.name not in _NOT_A_PROBLEM]
    return Later(order_number=normalise_order_number(number.group(0)) if number else None,
                 postcode=normalise_postcode(postcode.group(0)) if postcode else None,
                 deadline=needed_by(text, now),
                 problem=problems[0].evidence if problems else None)


@lru_cache(maxsize=4)
def _shop(shop_url: str | None, shop_database_url: str) -> Webshop:
    return webshop_at(shop_url, shop_database_url)


def with_number(later: Later, number: str | None) -> Later:
    return replace(later, order_number=number) if number and not later.order_number else later


@dataclass(frozen=True)
class Before:
    """What the check needs from the database: the card's unconfirmed order number and where the shop is."""
    unchecked_number: str | None
    shop_url: str | None
    shop_database_url: str


def before_check(work: Work, *, conversation_id: str) -> Before:
    handoff = open_handoff(work.session, conversation_id=conversation_id)
    facts = ((handoff.context or {}).get("facts") or {}) if handoff is not None else {}
    number = None if facts.get("postcode_verified") else facts.get("order_number")
    return Before(number, work.settings.shop_url, work.settings.shop_database_url)


def check(later: Later, before: Before) -> Order | None:
    """The order when the shop knows this number with this postcode (blocking: call it off the event loop)."""
    if not (later.order_number and later.postcode):
        return None
    return _shop(before.shop_url, before.shop_database_url).find_order(later.order_number, later.postcode)


def facts_after(facts: dict[str, Any], later: Later, order: Order | None, *, checked: bool,
                now: datetime) -> dict[str, Any]:
    """The card's facts with what the message added; a checked order is never replaced by an unchecked one."""
    facts = dict(facts)
    if order is not None:
        facts.update({"order_number": order.number, "postcode_verified": True,
                      "order_status": {"summary": status_sentence(order, now.date()), **order.to_json()}})
        facts.pop("order_lookup_failed", None)
    elif later.order_number and not facts.get("postcode_verified"):
        facts["order_number"] = later.order_number
        facts["postcode_verified"] = False
        if checked:
            facts["order_lookup_failed"] = True
    if later.deadline is not None:
        facts.update({"deadline": later.deadline.label, "deadline_words": later.deadline.evidence})
        if later.deadline.reason:
            facts["deadline_reason"] = later.deadline.reason
    status = facts.get("order_status") if isinstance(facts.get("order_status"), dict) else None
    if facts.get("deadline") and status and later.deadline is not None:
        until = status.get("expected_until")
        expected = datetime.fromisoformat(until) if until else None
        facts["deadline_met"] = status.get("status") == "delivered" or arrives_in_time(expected, later.deadline)
    if later.problem:
        facts["later_problem"] = later.problem
    return facts


def update(work: Work, *, conversation_id: str, later: Later, order: Order | None, checked: bool,
           now: datetime | None = None) -> Handoff | None:
    """Adds the facts to the open handoff's card and summary; None when there is no open handoff."""
    handoff = open_handoff(work.session, conversation_id=conversation_id)
    if handoff is None or later.empty:
        return None
    now = now or datetime.now()
    context = dict(handoff.context or {})
    facts = facts_after(context.get("facts") or {}, later, order, checked=checked, now=now)
    if facts == (context.get("facts") or {}):
        return None  # nothing new for the card
    texts = [m.text for m in conversations.list_messages(work.session, conversation_id=conversation_id)
             if m.sender == "customer"]
    summary = summarise(SummaryInput(reason=handoff.reason, customer_texts=texts, topics=context.get("topics") or [],
                                     signals=context.get("signals") or [], facts=facts,
                                     bot_actions=context.get("bot_actions") or []))
    handoff.context = {**context, "facts": facts, "summary": summary}  # a new dict: the JSON column is saved
    work.record(ContextChanged(conversation_id=conversation_id, handoff_id=handoff.id))
    return handoff
