"""Handing a conversation to a person, with the whole context (P2), and saying so honestly."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import conversation
from actions.desk_client import DeskUnavailable, post_handoff
from bot import hours
from bot.handoff import build_context, wait_sentence

# What the customer hears first, per reason: acknowledge, apologise where due, never blame (P4, P9).
OPENINGS = {
    "customer_request": "Natuurlijk, ik verbind je door met een medewerker.",
    "complexity": "Dit wil ik goed voor je laten regelen, daarom geef ik je door aan een collega.",
    "not_understood": "Het spijt me dat ik je niet goed begrijp. Ik geef je door aan een collega die je verder helpt.",
    "deadline_at_risk": "Omdat het op tijd bij je moet zijn, geef ik je door aan een collega die kijkt wat er nog mogelijk is.",
    "bot_unavailable": "Excuses, ik kan je gegevens op dit moment niet ophalen. Ik geef je door aan een collega.",
}
APOLOGY = {
    "complain": "Wat vervelend dat het zo is gelopen, het spijt me echt.",
    "product_issue": "Wat vervelend dat je product niet in orde is, het spijt me echt.",
}


def desk_down_text() -> str:
    try:
        when = f" ({hours.load().weekly_summary()})"
    except hours.HoursError:
        when = ""
    return ("Het spijt me, het lukt me nu niet om je door te verbinden. Bel ons op 020 123 45 67"
            f"{when} of probeer het over een paar minuten opnieuw.")


def _wait_sentence(answer: Dict[str, Any]) -> str:
    if not answer.get("position"):
        return "Een collega neemt het gesprek zo van me over."
    return wait_sentence(answer["position"], answer.get("estimated_wait_minutes"), bool(answer.get("estimate_is_rough")))


def hand_over(
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
    """Post the context to the desk and tell the customer why, what happens next and how long it takes."""
    context = build_context(
        conversation_id=tracker.sender_id,
        reason=reason,
        priority=priority,
        signals=signals,
        transcript=conversation.transcript(tracker),
        topics=conversation.topics(tracker),
        facts=facts if facts is not None else conversation.facts(tracker),
        bot_actions=bot_actions if bot_actions is not None else conversation.bot_actions(tracker),
    )
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if apologise and intent in APOLOGY:
        dispatcher.utter_message(text=APOLOGY[intent])
    try:
        answer = post_handoff(dict(context))
    except DeskUnavailable:
        dispatcher.utter_message(text=desk_down_text())
        return []
    dispatcher.utter_message(text=opening or OPENINGS.get(reason, OPENINGS["customer_request"]))
    offer = answer.get("callback_offer")
    if offer:  # nobody can help soon (closed, nobody online, long queue): the desk offers a callback instead
        dispatcher.utter_message(text="Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek.")
        dispatcher.utter_message(text=offer["text"], buttons=offer["buttons"])
    else:
        dispatcher.utter_message(
            text="Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek. " + _wait_sentence(answer)
        )
    events: List[EventType] = [SlotSet("handoff_id", str(answer.get("handoff_id")))]
    if tracker.active_loop.get("name"):
        events.append(ActiveLoop(None))
    return events


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("complain", "product_issue"):
            evidence = tracker.latest_message.get("text") or ""
            return hand_over(dispatcher, tracker, "complexity", signals=[{"name": intent, "evidence": evidence}])
        return hand_over(dispatcher, tracker, "customer_request")
