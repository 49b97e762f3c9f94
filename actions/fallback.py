"""Misunderstood messages: rephrase once, hand over after two in a row."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import hand_off

MISUNDERSTOOD_IN_A_ROW = 2


def consecutive_misunderstood(tracker: Tracker) -> List[str]:
    """Texts of the latest run of user messages that fell back, newest last."""
    run: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        run.append(event.get("text") or "")
    return list(reversed(run))


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        misunderstood = consecutive_misunderstood(tracker)
        if len(misunderstood) >= MISUNDERSTOOD_IN_A_ROW:
            signals = [{"name": "not_understood", "evidence": text} for text in misunderstood]
            return hand_off(dispatcher, tracker, "not_understood", signals=signals)
        dispatcher.utter_message(response="utter_default")
        # Forget the misunderstood turn for the dialogue policies, as Rasa's own fallback does.
        return [UserUtteranceReverted()]
