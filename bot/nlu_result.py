"""What the NLU made of a customer message, in one place for every process: the parts of Rasa's parse result
the desk keeps with the message (`nlu_of`: the Rasa channel and the desk), and what the message is about
(`topic_of`: the handoff context built by the actions, and the team leads' reports)."""
from __future__ import annotations

from typing import Any

# Intents that say nothing about why the customer came: small talk, not understood, the bare FAQ intent
# without its answer key, and the desk's own trigger for a hand-back.
NOT_A_TOPIC = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "inform", "bot_challenge", "nlu_fallback",
                         "out_of_scope", "faq", "EXTERNAL_handback"})


def nlu_of(parse_data: dict[str, Any]) -> dict[str, Any]:
    """Intent, confidence and, for FAQ, the chosen answer key and its confidence."""
    intent = parse_data.get("intent") or {}
    result: dict[str, Any] = {"intent": intent.get("name"), "confidence": round(float(intent.get("confidence") or 0), 4)}
    selected = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    if intent.get("name") == "faq" and selected.get("intent_response_key"):
        result["response_key"] = selected["intent_response_key"]
        result["response_confidence"] = round(float(selected.get("confidence") or 0), 4)
    elif intent.get("name") == "nlu_fallback" and parse_data.get("faq_options"):
        # Not sure enough to answer (bot/answer_gate.py): the nearest topic is the bot's guess in the inbox.
        nearest = parse_data["faq_options"][0]
        ranking = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
        result["response_key"] = nearest
        result["response_confidence"] = round(next((float(r.get("confidence") or 0) for r in ranking
                                                    if r.get("intent_response_key") == nearest), 0.0), 4)
    return result


def topic_of(intent: str | None, response_key: str | None = None) -> str | None:
    """The topic of a message: the FAQ answer key for an FAQ question, else the intent; None for no topic."""
    topic = response_key if intent == "faq" and response_key else intent
    return topic if topic and topic not in NOT_A_TOPIC else None
