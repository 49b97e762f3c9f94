"""Reading a tracker: topics, facts, what the customer typed and what the bot already did. (The transcript
in a handoff's context is the desk's own.)"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.nlu_result import nlu_of, topic_of
from bot.text import without_guard


def topics(tracker: Tracker) -> list[str]:
    """What the customer's messages were about, in order, each once."""
    found: list[str] = []
    for event in tracker.events:
        if event.get("event") == "user":
            nlu = nlu_of(event.get("parse_data") or {})
            topic = topic_of(nlu["intent"], nlu.get("response_key"))
            if topic and topic not in found:
                found.append(topic)
    return found


def customer_texts(tracker: Tracker) -> list[str]:
    """What the customer typed (the desk's guard before a typed "/" taken off)."""
    return [without_guard(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]


def facts(tracker: Tracker) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if tracker.get_slot("order_number"):
        result["order_number"] = tracker.get_slot("order_number")
    result["postcode_verified"] = bool(tracker.get_slot("order_verified"))
    if not result["postcode_verified"] and (tracker.get_slot("order_lookup_attempts") or 0) > 0:
        result["order_lookup_failed"] = True  # looked up with number and postcode, and not found
    stored = tracker.get_slot("order_facts") or {}
    result.update(stored)
    return result


def bot_actions(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("bot_actions") or [])


def record_bot_action(tracker: Tracker, text: str) -> list[str]:
    """The new value of the bot_actions slot, with `text` appended."""
    return bot_actions(tracker) + [text]
