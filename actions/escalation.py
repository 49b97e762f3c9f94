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

OPENINGS = {
    "frustration": "Ik merk dat je hier echt klaar mee bent, en dat begrijp ik heel goed. "
                   "Ik geef je meteen door aan een collega die dit voor je oppakt.",
    "legal_threat": "Ik begrijp dat dit zwaar voor je weegt. Ik geef je gesprek met voorrang door aan een collega, "
                    "die alles rustig met je doorneemt.",
    "complexity": "Dit wil ik goed voor je laten regelen, daarom geef ik je door aan een collega.",
    "not_understood": "Het spijt me dat ik je niet goed begrijp. Ik geef je door aan een collega die je verder helpt.",
    "repeated_question": "Sorry, mijn antwoord hielp je blijkbaar niet verder. Ik geef je door aan een collega.",
}
SENSITIVE_OPENINGS = {
    "health_harm": "Wat naar dat dit is gebeurd, ik hoop dat het goed met je gaat. Heb je acute klachten, "
                   "bel dan je huisarts of bij spoed 112. Ik geef je met voorrang door aan een collega.",
    "health_worry": "Ik begrijp dat je je zorgen maakt. Twijfel je over je gezondheid, bel dan je huisarts of "
                    "apotheek. Ik geef je met voorrang door aan een collega.",
    "pets": "Wat vervelend, ik begrijp dat je je zorgen maakt om je dier. Twijfel je, bel dan meteen je "
            "dierenarts. Ik geef je met voorrang door aan een collega.",
    "bereavement": "Gecondoleerd met je verlies. Ik geef je door aan een collega die dit zorgvuldig met je afhandelt.",
    "fraud": "Wat vervelend dat je hiermee te maken hebt. Ik geef je met voorrang door aan een collega; "
             "deel hier geen wachtwoorden of betaalgegevens.",
}
CLOSING = ("Op deze manier kunnen we het gesprek niet voortzetten. Ik sluit dit gesprek nu af. "
           "Wil je later verder, dan kun je ons altijd opnieuw een bericht sturen.")


def _opening(reason: str, signals: List[Dict[str, Any]]) -> str:
    if reason == "sensitive":
        names = {signal["name"] for signal in signals}
        for name in ("pets", "bereavement", "fraud", "health_harm", "health_worry"):  # most specific first
            if name in names:
                return SENSITIVE_OPENINGS[name]
    return OPENINGS.get(reason, OPENINGS["complexity"])


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
