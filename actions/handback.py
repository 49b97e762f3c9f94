"""The agent handed the conversation back: the bot says so and knows what the agent did."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import conversation


class ActionAfterHandback(Action):
    def name(self) -> Text:
        return "action_after_handback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # The desk wrote the agent's messages and name into the tracker before triggering this.
        agent = tracker.get_slot("handback_agent") or "Een collega"
        dispatcher.utter_message(response="utter_handback")
        done = f"{agent} heeft het gesprek overgenomen en weer teruggegeven"
        return [SlotSet("bot_actions", conversation.record_bot_action(tracker, done))]
