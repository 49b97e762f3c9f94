"""Handing a conversation to a person, with the whole context (P2).

The action says why, in the bot's own voice, and signals the handoff to the desk with its context as
a custom payload in the reply. The desk decides and words the rest when it stores the turn (who helps,
the truthful place in line, or a callback offer): there is no call back into the desk in the middle of
a turn, and the bot needs no memory of whether a person is involved.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import conversation
from bot import reasons
from bot.escalation import load_rules, message_signals
from bot.handoff import build_context
from bot.text import without_guard

APOLOGY = {
    "complain": "Wat vervelend dat het zo is gelopen, het spijt me echt.",
    "product_issue": "Wat vervelend dat je product niet in orde is, het spijt me echt.",
}


def context_for(tracker: Tracker, reason: str, *, signals: Optional[List[Dict[str, str]]] = None,
                facts: Optional[Dict[str, Any]] = None, bot_actions: Optional[List[str]] = None,
                priority: Optional[str] = None) -> Dict[str, Any]:
    """The handoff context from the tracker; the desk adds its own transcript (it stored every message)."""
    return dict(build_context(
        conversation_id=tracker.sender_id,
        reason=reason,
        priority=priority,
        signals=signals,
        transcript=[],
        topics=conversation.topics(tracker),
        facts=facts if facts is not None else conversation.facts(tracker),
        bot_actions=bot_actions if bot_actions is not None else conversation.bot_actions(tracker),
        customer_texts=conversation.customer_texts(tracker),
    ))


def signal_handoff(dispatcher: CollectingDispatcher, context: Dict[str, Any], *, close: bool = False) -> None:
    """The custom payload the desk reads from the bot's reply (bot/desk/bot_client.py)."""
    dispatcher.utter_message(json_message={"handoff": context, "close": close})


def hand_off(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: str,
    *,
    signals: Optional[List[Dict[str, str]]] = None,
    facts: Optional[Dict[str, Any]] = None,
    bot_actions: Optional[List[str]] = None,
    priority: Optional[str] = None,
    opening: Optional[str] = None,
    apologise: bool = True,
) -> List[EventType]:
    """Say why a colleague takes over, and signal the handoff with the whole context."""
    context = context_for(tracker, reason, signals=signals, facts=facts, bot_actions=bot_actions, priority=priority)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if apologise and intent in APOLOGY:
        dispatcher.utter_message(text=APOLOGY[intent])
    # What the customer hears first comes from the registry of reasons: acknowledge, never blame (P4, P9).
    dispatcher.utter_message(text=opening or reasons.get(reason).opening)
    signal_handoff(dispatcher, context)
    return [ActiveLoop(None)] if tracker.active_loop.get("name") else []


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        if intent in ("complain", "product_issue"):
            evidence = without_guard(text)
            return hand_off(dispatcher, tracker, "complexity", signals=[{"name": intent, "evidence": evidence}])
        return hand_off(dispatcher, tracker, "customer_request", signals=request_signals(text))


def request_signals(text: str) -> List[Dict[str, str]]:
    """What led to a handover the customer asked for: the request in her words (none for a button she pressed:
    Rasa then reads its payload, which is no words of hers; typed text that starts with "/" carries the desk's
    guard), and whatever else the message shows below the thresholds of the escalation check (capitals, "ik ben
    het zat", an earlier call), so the card's signals are never empty and the agent sees the mood at once."""
    if text.startswith("/"):
        return [{"name": "asks_for_person", "evidence": ""}]
    words = without_guard(text)
    return [{"name": "asks_for_person", "evidence": words}] + [
        {"name": s.name, "evidence": s.evidence} for s in message_signals(words, load_rules())]
