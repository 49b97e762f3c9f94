"""Hands the NLU result of a customer message from EscalationPolicy to the desk channel, inside the Rasa
process. The policy sees the parsed message on every turn anyway; passing it on saves the channel from
reading the whole tracker back from the tracker store (≈ 15 ms per turn, see docs/benchmarks.md)."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

_LIMIT = 10_000  # senders whose result was not picked up (another channel, a crash) are forgotten
_results: "OrderedDict[str, dict[str, Any]]" = OrderedDict()


def remember(sender_id: str, parse_data: dict[str, Any]) -> None:
    _results[sender_id] = parse_data
    _results.move_to_end(sender_id)
    while len(_results) > _LIMIT:
        _results.popitem(last=False)


def take(sender_id: str) -> dict[str, Any] | None:
    return _results.pop(sender_id, None)


def nlu_of(parse_data: dict[str, Any]) -> dict[str, Any]:
    """The parts of Rasa's parse result that the desk keeps: intent, confidence and, for FAQ, the answer key."""
    intent = parse_data.get("intent") or {}
    result: dict[str, Any] = {"intent": intent.get("name"), "confidence": round(float(intent.get("confidence") or 0), 4)}
    selected = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    if intent.get("name") == "faq" and selected.get("intent_response_key"):
        result["response_key"] = selected["intent_response_key"]
        result["response_confidence"] = round(float(selected.get("confidence") or 0), 4)
    return result
