"""A Rasa NLU component, last in the pipeline: the bot acts on its reading of a message only when it is
sure enough (bot/answer_gate.py has the thresholds and says why).

- An FAQ question whose intent, chosen answer or margin over the next answer is too unsure becomes
  `nlu_fallback`, with the nearest topics in `faq_options`: actions/fallback.py then says honestly that
  the bot does not know this one and offers those topics and a colleague; the desk puts the message in
  the editors' inbox.
- An unsure reading as an order question, a return or a complaint becomes `nlu_fallback` too, so a
  question about a product or a store never gets an order-number question or an apology.
- A complaint read from praise ("ze passen perfect!!") is thanks (bot/answer_gate.py, PRAISE_MIN).
- A topic button ("faq/delivery_time") is that topic's FAQ question, surely.
- What the gate saw is in `answer_gate` in the parse output (`bot nlu coverage` reads it)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import answer_gate
from bot.rasa.answer_selector import SELECTOR


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerGate(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[type]:
        return []  # reads the classifiers' output; config.yml lists it after them

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}  # the thresholds live in bot/answer_gate.py only

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AnswerGate":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._judge(message)
        return messages

    @staticmethod
    def _judge(message: Message) -> None:
        intent = message.get(INTENT) or {}
        selector = message.get(SELECTOR) or {}
        chosen = answer_gate.chosen_topic(message.get(TEXT) or "")
        faq = selector.get(answer_gate.RETRIEVAL_INTENT) or {}
        if chosen and faq.get("chosen") and (faq.get("response") or {}).get("intent_response_key") == chosen:
            sure = {INTENT_NAME_KEY: answer_gate.RETRIEVAL_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, sure, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [sure], add_to_output=True)
            message.set("answer_gate", {"sure": True, "chosen": chosen}, add_to_output=True)
            return
        name = intent.get(INTENT_NAME_KEY)
        ranking = answer_gate.answer_ranking(message.as_dict())
        if name == answer_gate.FALLBACK:
            # Already not understood (the FallbackClassifier, the NonsenseGuard). A question that was most
            # likely an FAQ question still gets the nearest topics; nonsense gets none.
            ranked = [r.get(INTENT_NAME_KEY) for r in message.get(INTENT_RANKING_KEY) or []]
            nearest = [r for r in ranked if r != answer_gate.FALLBACK][:1]
            nonsense = "not_understood" in message.data
            offer = answer_gate.options(ranking) if nearest == [answer_gate.RETRIEVAL_INTENT] and not nonsense else ()
            message.set("answer_gate", {"sure": False, "why": "nonsense" if nonsense else "intent",
                                        "options": list(offer)}, add_to_output=True)
            if offer:
                message.set("faq_options", list(offer), add_to_output=True)
            return
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0)
        if name in answer_gate.FLOW_INTENTS and any(e.get("entity") == "order_number" for e in message.get("entities") or []):
            confidence = max(confidence, answer_gate.FLOW_MIN)  # about her own order, named: no question needed
        judgement = answer_gate.judge(name, confidence, ranking, text=message.get(TEXT) or "")
        seen = {"sure": judgement.sure, "intent": name, "intent_confidence": round(confidence, 4),
                "answer": ranking[0][0] if ranking else None,
                "answer_confidence": round(ranking[0][1], 4) if ranking else None,
                "margin": round(ranking[0][1] - (ranking[1][1] if len(ranking) > 1 else 0.0), 4) if ranking else None}
        if judgement.sure:
            message.set("answer_gate", seen, add_to_output=True)
            return
        if judgement.why == "praise":  # no complaint: thanks, answered as such (and not counted as misunderstood)
            thanks = {INTENT_NAME_KEY: answer_gate.PRAISE_READ_AS, PREDICTED_CONFIDENCE_KEY: confidence}
            others = [r for r in message.get(INTENT_RANKING_KEY) or []
                      if r.get(INTENT_NAME_KEY) != answer_gate.PRAISE_READ_AS]
            message.set(INTENT, thanks, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [thanks] + others, add_to_output=True)
            message.set("answer_gate", {**seen, "sure": True, "why": "praise"}, add_to_output=True)
            return
        fallback = {INTENT_NAME_KEY: answer_gate.FALLBACK, PREDICTED_CONFIDENCE_KEY: confidence}
        others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != answer_gate.FALLBACK]
        message.set(INTENT, fallback, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [fallback] + others, add_to_output=True)
        message.set("answer_gate", {**seen, "why": judgement.why, "options": list(judgement.options)},
                    add_to_output=True)
        if judgement.options:
            message.set("faq_options", list(judgement.options), add_to_output=True)
