"""What the bot says and does when the escalation policy decides a person must take over:
acknowledge in one sincere sentence, never argue or promise (P4, P7, P9), then hand over with
the signals as evidence. A second insult ends the conversation politely (P5)."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import conversation
from actions.handoff import context_for, hand_off, signal_handoff
from bot import reasons

CLOSING = reasons.get("abuse").opening


def _opening(reason: str, signals: List[Dict[str, Any]]) -> str:
    """The reason's sentence from the registry, or the more specific one of its strongest signal."""
    return reasons.opening(reason, [signal["name"] for signal in signals])


class ActionEscalate(Action):
    def name(self) -> Text:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            judgement = json.loads(tracker.get_slot("escalation") or "{}")
        except ValueError:
            judgement = {}
        reason = judgement.get("reason") or "complexity"
        signals = [{"name": s["name"], "evidence": s["evidence"]}
                   for s in judgement.get("signals", []) if s.get("reason") == reason]
        if judgement.get("action") == "end":
            return self._end_for_abuse(dispatcher, tracker, signals)
        events = hand_off(dispatcher, tracker, reason, signals=signals, priority=judgement.get("priority"),
                           opening=_opening(reason, judgement.get("signals", [])), apologise=reason == "complexity")
        return [SlotSet("escalation", None)] + events

    def _end_for_abuse(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                       signals: List[Dict[str, str]]) -> List[EventType]:
        """Second insult: a polite end; the desk closes the conversation and keeps it for review."""
        dispatcher.utter_message(text=CLOSING)
        done = conversation.bot_actions(tracker) + ["Gewaarschuwd en het gesprek beëindigd na een tweede belediging"]
        signal_handoff(dispatcher, context_for(tracker, "abuse", priority="high", signals=signals, bot_actions=done),
                        close=True)
        return [SlotSet("escalation", None)]
