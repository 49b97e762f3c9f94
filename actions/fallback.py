"""Misunderstood messages: rephrase once, hand over after two in a row.

A question the bot was not sure enough to answer (bot/answer_gate.py) gets an honest "I don't know this
one", the nearest topics as buttons (each sends its topic, which the NLU answers surely) and a colleague.
Nonsense gets the plain request to say it differently."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import hand_off
from bot.labels import topic_for_customer

MISUNDERSTOOD_IN_A_ROW = 2
COLLEAGUE = {"title": "Een collega", "payload": "/request_human"}


def not_sure_reply(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The honest reply to a question the bot was not sure about (text and buttons), or None when the
    message was not a question the bot could place at all (nonsense, another language)."""
    parse = tracker.latest_message or {}
    gate = parse.get("answer_gate") or {}
    options = [key for key in parse.get("faq_options") or [] if isinstance(key, str)]
    if options:
        names = [topic_for_customer(key) for key in options]
        return {"text": "Daar weet ik het antwoord niet zeker op, en ik geef je liever geen verkeerd antwoord. "
                        f"Bedoel je: {' of '.join(names)}? Of wil je het aan een collega vragen?",
                "buttons": [{"title": name, "payload": key} for name, key in zip(names, options)] + [COLLEAGUE]}
    if gate.get("why") in ("intent", "answer", "margin", "flow", "own_case"):  # a real question, not placed
        return {"text": "Daar weet ik helaas het antwoord niet op, en ik geef je liever geen verkeerd antwoord. "
                        "Wil je het anders vragen, of zal ik je doorverbinden met een collega?",
                "buttons": [COLLEAGUE]}
    return None


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
        reply = not_sure_reply(tracker)
        if reply is not None:
            dispatcher.utter_message(text=reply["text"], buttons=reply["buttons"])
        else:
            dispatcher.utter_message(response="utter_default")
        # Forget the misunderstood turn for the dialogue policies, as Rasa's own fallback does.
        return [UserUtteranceReverted()]
