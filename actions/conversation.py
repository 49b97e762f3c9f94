"""Reading a tracker: transcript, topics, facts and what the bot already did."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from bot.handoff import TranscriptLine

IGNORED_TOPICS = {"greet", "goodbye", "thank", "affirm", "deny", "inform", "nlu_fallback", "EXTERNAL_handback"}


def _iso(timestamp: float | None) -> str:
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc) if timestamp else datetime.now(timezone.utc)
    return moment.isoformat(timespec="seconds")


def transcript(tracker: Tracker) -> list[TranscriptLine]:
    lines: list[TranscriptLine] = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text") is not None:
            lines.append(TranscriptLine(sender="customer", text=event["text"], at=_iso(event.get("timestamp"))))
        elif event.get("event") == "bot" and event.get("text"):
            sender = (event.get("metadata") or {}).get("sender", "bot")
            lines.append(TranscriptLine(sender=sender, text=event["text"], at=_iso(event.get("timestamp"))))
    return lines


def topics(tracker: Tracker) -> list[str]:
    found: list[str] = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        if intent == "faq":
            key = (parse.get("response_selector", {}).get("faq", {}).get("response", {}) or {}).get("intent_response_key")
            intent = key or intent
        if intent and intent not in IGNORED_TOPICS and intent not in found:
            found.append(intent)
    return found


def customer_texts(tracker: Tracker) -> list[str]:
    """What the customer typed (the desk's guard before a typed "/" taken off)."""
    return [(e.get("text") or "").replace("\u200b", "") for e in tracker.events if e.get("event") == "user"]


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
