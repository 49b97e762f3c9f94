"""A Rasa NLU component: messages the bot cannot understand at all become `nlu_fallback`, whatever
the intent classifier made of them (bot/understanding.py says why). Runs after the FallbackClassifier. The vocabulary
of the shop is learnt from the training data at `rasa train`; a message with an escalation signal
that the escalation check acts on (an insult, a legal threat, ...) is never set aside here."""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import understanding
from bot.escalation import Turn, assess

logger = logging.getLogger(__name__)
FALLBACK = "nlu_fallback"
VOCABULARY_FILE = "vocabulary.json"
SHOP_FILE = "shop_vocabulary.json"  # the words of every intent but out_of_scope, and the answers
NOT_THE_SHOP = ("out_of_scope",)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NonsenseGuard(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[type]:
        return []  # it reads the text; it runs after the classifiers because config.yml lists it after them

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"confidence": 0.99}  # how sure it is; shown in the editors' inbox like any fallback

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[understanding.Vocabulary] = None,
                 shop: Optional[understanding.Vocabulary] = None) -> None:
        self.config = config
        self._model_storage, self._resource = model_storage, resource
        self.vocabulary = vocabulary or understanding.Vocabulary(())
        self.shop = shop

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "NonsenseGuard":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) or "" for m in training_data.training_examples]
        texts += [r.get("text") or "" for variations in training_data.responses.values() for r in variations]
        answers = [r.get("text") or "" for variations in training_data.responses.values() for r in variations]
        self.vocabulary = understanding.Vocabulary.from_texts(texts)
        self.shop = understanding.Vocabulary.from_texts(
            [m.get(TEXT) or "" for m in training_data.training_examples if m.get(INTENT) not in NOT_THE_SHOP] + answers)
        with self._model_storage.write_to(self._resource) as folder:
            (folder / VOCABULARY_FILE).write_text(json.dumps(sorted(self.vocabulary.words)), encoding="utf-8")
            (folder / SHOP_FILE).write_text(json.dumps(sorted(self.shop.words)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "NonsenseGuard":
        words: list[str] = []
        shop: Optional[list[str]] = None
        try:
            with model_storage.read_from(resource) as folder:
                words = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
                if (folder / SHOP_FILE).exists():
                    shop = json.loads((folder / SHOP_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("NonsenseGuard: no vocabulary in the model; only the shape of a message is judged")
        understanding.warm_up()
        return cls(config, model_storage, resource, understanding.Vocabulary(words),
                   understanding.Vocabulary(shop) if shop is not None else None)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            why = understanding.judge(text, self.vocabulary, self.shop)
            if why is None or assess([Turn(text)]).action != "none":
                continue  # an insult or a legal threat in any language is for the escalation check
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == "request_human":
                continue  # a customer who asks for a person gets one, whatever else the message holds
            fallback = {INTENT_NAME_KEY: FALLBACK, PREDICTED_CONFIDENCE_KEY: self.config["confidence"]}
            message.data[INTENT] = fallback
            ranking = [r for r in message.data.get(INTENT_RANKING_KEY, []) if r.get(INTENT_NAME_KEY) != FALLBACK]
            message.data[INTENT_RANKING_KEY] = [fallback] + ranking
            message.data["not_understood"] = why
        return messages
