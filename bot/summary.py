"""The summary on the agent's context card (P2, seed 004): two to four Dutch sentences an agent can trust
without reading back, built only from what happened in the conversation.

1. what the customer needs, with a short quote in their own words;
2. the order: checked with the postcode, not found with the given postcode, or given but not checked;
3. the deadline and why it matters, and how long or how often they have been trying, when they say so;
4. what the bot already answered or did, and why it hands over.

It never claims what did not happen: no "checked" without a verified order, no "not found" without a
failed lookup, no deadline or order number that the customer did not give.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot import labels
from bot.text import without_guard
from bot.webshop.identifiers import ORDER_NUMBER

_TRYING = re.compile(r"\b((al|nu al|inmiddels|sinds)\s+(\w+\s+){0,3}(keer|maal|x|dagen|weken|week|maanden|uur)\b[^.!?]*|"
                     r"sinds\s+\w+[^.!?]*)", re.IGNORECASE)
_SMALL_TALK = re.compile(r"^\s*(hoi|hallo|hey|hi|goedemorgen|goedemiddag|goedenavond|dag|ja|nee|ok|oke|oké|top|"
                         r"bedankt|dank je( wel)?|dankjewel|thanks)\b[\s!.?,]*$", re.IGNORECASE)
# Signals whose evidence is just the whole request: the customer's most telling message is the better quote.
GENERIC_SIGNALS = {"asks_for_person", "complain", "product_issue", "deadline", "order_not_found", "shop_unavailable", "bot_unavailable",
                   "not_understood", "rephrase_after_fallback", "same_question", "earlier_contacts"}
GOALS = {
    "order_status": "wil weten waar {order} blijft",
    "return_request": "wil {order} retourneren",
    "request_human": "wil een medewerker spreken",
    "complain": "heeft een klacht",
    "product_issue": "heeft een probleem met een product",
}


@dataclass
class SummaryInput:
    reason: str
    customer_texts: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    signals: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    bot_actions: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(without_guard(text).split())


def typed_order_numbers(texts: list[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for match in ORDER_NUMBER.finditer(text):
            number = f"WS-{match.group(1)}"
            if number not in found:
                found.append(number)
    return found


def _quote(data: SummaryInput) -> str | None:
    """The customer's own words for the need: the evidence of the reason's signal when it is theirs,
    otherwise their most telling message (not a greeting, not just an order number)."""
    texts = [_clean(t) for t in data.customer_texts if _clean(t)]
    for signal in data.signals:
        if signal.get("name") in GENERIC_SIGNALS:
            continue  # "Ik heb een klacht" says less than what the complaint is about
        evidence = _clean(signal.get("evidence") or "")
        if evidence and any(evidence in t for t in texts) and len(evidence.split()) >= 3:
            return _shorten(evidence)
    telling = [t for t in texts if not _SMALL_TALK.match(t) and len(ORDER_NUMBER.sub("", t).split()) >= 3]
    if not telling:
        return None
    return _shorten(max(telling, key=lambda t: len(ORDER_NUMBER.sub("", t).split())))


def _shorten(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _goal(data: SummaryInput, order: str | None) -> str:
    known = labels.topics()
    wanted = [t for t in data.topics if t in GOALS or t in known]
    goals = []
    for topic in wanted:
        if topic in GOALS:
            goals.append(GOALS[topic].format(order=f"bestelling {order}" if order else "de bestelling"))
        else:  # an FAQ answer: "had een vraag over de terugbetaling"
            goals.append(f"had een vraag over {labels.TOPIC_SUBJECTS.get(topic, known[topic].lower())}")
    return " en ".join(dict.fromkeys(goals)) if goals else "heeft een vraag"


def _order_sentence(data: SummaryInput, order: str | None) -> str | None:
    facts = data.facts
    if not order:
        return None
    status = (facts.get("order_status") or {}).get("summary") if isinstance(facts.get("order_status"), dict) else None
    if facts.get("postcode_verified") and facts.get("order_number") == order:
        return f"Bestelling {order} is gecontroleerd met de postcode" + (f"; status: {_lower_first(status)}." if status else ".")
    if facts.get("order_lookup_failed") and facts.get("order_number") == order:
        return f"Bestelnummer {order} opgegeven; bij de opgegeven postcode vond de bot geen bestelling."
    return f"Bestelnummer {order} opgegeven, nog niet gecontroleerd."


def _deadline_sentence(data: SummaryInput, quote: str | None) -> str | None:
    facts = data.facts
    parts = []
    if facts.get("deadline"):
        reason = facts.get("deadline_reason")
        parts.append(f"Nodig: {facts['deadline']}" + (f" (“{_shorten(reason, 80)}”)" if reason else "")
                     + {True: ", dat haalt de bestelling", False: ", dat haalt de bestelling niet"}.get(
                         facts.get("deadline_met"), ""))
    trying = _trying(data)
    said = " ".join(filter(None, [facts.get("deadline_words"), quote]))
    if trying and trying not in said and not (quote and quote.rstrip("…") in trying):
        parts.append(f"zegt: “{_shorten(trying, 80)}”")
    if facts.get("later_problem"):  # told while waiting for a person (bot/desk/handoffs/card.py)
        parts.append(f"later gemeld: “{_shorten(_clean(facts['later_problem']), 80)}”")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _trying(data: SummaryInput) -> str | None:
    for signal in data.signals:
        if signal.get("name") == "earlier_contacts" and signal.get("evidence"):
            return _clean(signal["evidence"])
    for text in data.customer_texts:
        match = _TRYING.search(_clean(text))
        if match and re.search(r"gebeld|gemaild|gevraagd|geprobeerd|gewacht|wacht|contact|gechat|nooit|niks|niets", text, re.I):
            return match.group(0).strip()
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _bot_did(data: SummaryInput) -> str | None:
    """What the bot answered or did, without the status sentence a second time."""
    done = []
    for action in data.bot_actions:  # each one a past participle phrase: "Gezegd dat ...", "Retour aangemeld"
        done.append("de status gegeven" if action.startswith("Status gegeven") else _lower_first(action))
    done = list(dict.fromkeys(done))[-3:]
    if not done:
        return None
    return ", ".join(done[:-1]) + " en " + done[-1] if len(done) > 1 else done[0]


def summarise(data: SummaryInput) -> str:
    return " ".join(sentences(data))


def sentences(data: SummaryInput) -> list[str]:
    """The summary's two to four sentences."""
    order_numbers = typed_order_numbers(data.customer_texts)
    order = data.facts.get("order_number") or (order_numbers[-1] if order_numbers else None)
    quote = _quote(data)
    first = f"Klant {_goal(data, order)}" + (f": “{quote}”." if quote else ".")
    result = [first]
    for sentence in (_order_sentence(data, order), _deadline_sentence(data, quote)):
        if sentence:
            result.append(sentence)
    did = _bot_did(data)
    why = f"overgedragen omdat de klant {labels.REASONS_BECAUSE.get(data.reason, data.reason)}"
    result.append(f"De bot heeft {did}; {why}." if did else why[0].upper() + why[1:] + ".")
    return result[:4]
