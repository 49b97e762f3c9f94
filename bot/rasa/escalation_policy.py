"""A Rasa policy that judges every customer message with bot.escalation, inside the Rasa process.

Why a policy: it sees the whole tracker without an extra HTTP round trip, so the check costs
almost nothing per turn (see docs/benchmarks.md); the action server is only called when a
person must take over. It outranks RulePolicy, so it also interrupts an active form.
"""
import json
import os
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from datetime import datetime

from bot.delivery import needed_by
from bot.escalation import Turn, assess, learned, left_to_the_intent
from bot.escalation.polarity import polarity

ACTION_ESCALATE = "action_escalate"
ACTION_CHECK_DEADLINE = "action_check_deadline"
# Intents whose own flow judges a deadline named in the same message (the order form and its action).
ORDER_FLOWS = {"order_status", "return_request", "request_human", "complain", "product_issue"}
UTTER_ABUSE_WARNING = "utter_abuse_warning"
UTTER_ACKNOWLEDGE = "utter_acknowledge_disagreement"
SLOT = "escalation"
# These intents already go to a person by rule; the policy only steps in when it knows a more
# specific reason (a complaint that is also a legal threat is urgent, not "complexity").
HANDED_OVER_BY_RULE = {"request_human", "complain", "product_issue"}


_TURN = "_balie_turn"  # on a message event: its Turn, made once (a long conversation's messages come every turn)


def turns_from_tracker(tracker: DialogueStateTracker) -> Tuple[List[Turn], int]:
    """Customer and bot turns of the conversation, and how many abuse warnings were given."""
    turns: List[Turn] = []
    warnings = 0
    for event in tracker.events:
        if not isinstance(event, (UserUttered, BotUttered)):
            continue
        turn = event.__dict__.get(_TURN, False)
        if turn is False:
            turn = _turn(event)
            setattr(event, _TURN, turn)
        if turn is not None:
            warnings += turn.response == UTTER_ABUSE_WARNING
            turns.append(turn)
    return turns, warnings


def _turn(event: Any) -> Optional[Turn]:
    if isinstance(event, UserUttered):
        if event.text is None:
            return None
        intent = event.intent or {}
        return Turn(text=event.text, intent=intent.get("name"), confidence=intent.get("confidence"))
    if not event.text:
        return None
    return Turn(text=event.text, sender="bot", response=(event.metadata or {}).get("utter_action"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class EscalationPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}  # above RulePolicy (6): wins ties, also against an active form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # BALIE_ESCALATION=off switches the check off (make bench compares both).
        self.enabled = os.environ.get("BALIE_ESCALATION", "on").lower() not in ("off", "0", "false")
        if self.enabled:
            learned.warm_up()  # trains the learned judgement now (~3 s), not in the first customer's turn

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def _predict(self, domain: Domain, action: str, events: Optional[list] = None) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, optional_events=events)

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        abstain = self._prediction(self._default_predictions(domain))
        if not self.enabled:
            return abstain
        latest_action = tracker.latest_action_name
        if latest_action in (ACTION_ESCALATE, UTTER_ABUSE_WARNING, UTTER_ACKNOWLEDGE, ACTION_CHECK_DEADLINE):
            return self._predict(domain, ACTION_LISTEN_NAME)  # never twice for one message
        if latest_action != ACTION_LISTEN_NAME or tracker.latest_message is None:
            return abstain
        intent = (tracker.latest_message.intent or {}).get("name") or ""
        if intent.startswith("EXTERNAL_"):
            return abstain
        turns, warnings = turns_from_tracker(tracker)
        result = assess(turns, previous_warnings=warnings)
        if result.action == "warn":
            return self._predict(domain, UTTER_ABUSE_WARNING)
        if result.action == "acknowledge":  # the customer does not accept the bot's no: not the same no again
            return self._predict(domain, UTTER_ACKNOWLEDGE)
        if left_to_the_intent(result, intent, HANDED_OVER_BY_RULE):
            return abstain  # a dispute going on is still handed over as such, not as a new complaint
        if result.action in ("handoff", "end"):
            return self._predict(domain, ACTION_ESCALATE, [SlotSet(SLOT, json.dumps(result.to_json()))])
        # The question behind the question (P3): a deadline named in any turn, also after the status. A calm
        # remark about when the customer needs it is no complaint, whatever the intent (P4).
        text = tracker.latest_message.text or ""
        calm_remark = intent == "complain" and not polarity(text).negative
        if (intent not in ORDER_FLOWS or calm_remark) and not tracker.active_loop_name \
                and needed_by(text, datetime.now()):
            return self._predict(domain, ACTION_CHECK_DEADLINE)
        return abstain
