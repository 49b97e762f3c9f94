"""Chooses the FAQ answer for a message: logistic regression on the same sparse word and character
n-grams as the intent classifier, instead of Rasa's TensorFlow ResponseSelector.

Why: the ResponseSelector was the last TensorFlow model in the pipeline (most of a Rasa replica's memory,
issue 20) and a third of every training; on Balie's ~250 FAQ examples a linear model chooses as well or
better (docs/benchmarks.md, docs/nlu.md). It fills the same `response_selector` parse output (the chosen
answer with its confidence, and the ranking), so Rasa's `utter_faq`, the desk channel and the reports work
as before. Its confidence is a calibrated probability over the topics, which the answer gate
(bot/rasa/answer_gate.py) reads together with the margin over the next answer."""
from __future__ import annotations

import json
import logging
import warnings
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bot import answer_gate
from bot.rasa.sentence_features import sentence_rows

logger = logging.getLogger(__name__)

# Rasa warns at every training that "your NLU configuration does not include a response selector" because
# it looks for its own class only; this component is the response selector.
warnings.filterwarnings("ignore", message=".*does not include a response selector component.*")

SELECTOR = "response_selector"  # Rasa's parse output key (RESPONSE_SELECTOR_PROPERTY_NAME)
MODEL_FILE = "answers.skops"
META_FILE = "answers.json"


def _features(messages: List[Message]) -> csr_matrix:
    return vstack(sentence_rows(messages)).tocsr()  # the same rows as the intent classifier's


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AnswerSelector(GraphComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C as for the intents (bot/rasa/intent_classifier.py); docs/nlu.md has the values tried.
        # tf-idf weights: 5-fold cross-validated FAQ F1 0.896 against 0.893 on the raw counts (docs/nlu.md);
        # C 100, not the 0.900 of C 5: C 5 left the examples editors taught below the inbox's confidence.
        return {"retrieval_intent": "faq", "C": 100.0, "max_iter": 1000, "ranking_length": 5}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 clf: Optional[Pipeline] = None, responses: Optional[Dict[str, list]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource = model_storage, resource
        self.clf = clf
        self.responses = responses or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AnswerSelector":
        return cls(config, model_storage, resource)

    def _examples(self, training_data: TrainingData) -> List[Message]:
        return [m for m in training_data.training_examples
                if m.get(INTENT) == self.config["retrieval_intent"] and m.get(INTENT_RESPONSE_KEY) and m.get(TEXT)]

    def train(self, training_data: TrainingData) -> Resource:
        examples = self._examples(training_data)
        prefix = f"utter_{self.config['retrieval_intent']}/"
        self.responses = {key: value for key, value in training_data.responses.items() if key.startswith(prefix)}
        if len({m.get(INTENT_RESPONSE_KEY) for m in examples}) < 2:
            logger.warning("AnswerSelector: fewer than two FAQ topics with examples; no answers are chosen")
            self.clf = None
        else:
            self.clf = make_pipeline(TfidfTransformer(), LogisticRegression(
                C=float(self.config["C"]), max_iter=int(self.config["max_iter"]), class_weight="balanced", random_state=42))
            self.clf.fit(_features(examples), [m.get(INTENT_RESPONSE_KEY) for m in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as folder:
            if self.clf is not None:
                sio.dump(self.clf, folder / MODEL_FILE)
            (folder / META_FILE).write_text(json.dumps({"responses": self.responses}, ensure_ascii=False),
                                            encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "AnswerSelector":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
                clf = None
                if (folder / MODEL_FILE).exists():
                    # Only scikit-learn's and numpy's own types are in this file (we wrote it at training).
                    clf = sio.load(folder / MODEL_FILE, trusted=sio.get_untrusted_types(file=folder / MODEL_FILE))
        except (ValueError, FileNotFoundError):
            logger.warning("AnswerSelector: nothing trained in the model; no FAQ answers are chosen")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, clf, meta.get("responses") or {})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self.clf is None or not messages:
            return messages
        probabilities = self.clf.predict_proba(_features(messages))
        intent = self.config["retrieval_intent"]
        keys = [str(key) for key in self.clf.classes_]
        for message, row in zip(messages, probabilities):
            chosen = answer_gate.chosen_topic(message.get(TEXT) or "")
            if chosen in keys:  # a topic button: that answer, surely (bot/answer_gate.py)
                row = [1.0 if key == chosen else 0.0 for key in keys]
            ranking = sorted(({INTENT_RESPONSE_KEY: str(key), PREDICTED_CONFIDENCE_KEY: float(p)}
                              for key, p in zip(keys, row)), key=lambda r: -r[PREDICTED_CONFIDENCE_KEY])
            best = ranking[0]
            key = best[INTENT_RESPONSE_KEY]
            prediction = {
                "response": {
                    "responses": self.responses.get(f"utter_{key}") or [{TEXT: key}],
                    PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: key,
                    "utter_action": f"utter_{key}",
                },
                "ranking": ranking[: int(self.config["ranking_length"])],
            }
            if chosen in keys:
                prediction["chosen"] = True
            selector = message.get(SELECTOR) or {}
            selector["all_retrieval_intents"] = [intent]
            selector[intent] = prediction
            message.set(SELECTOR, selector, add_to_output=True)
        return messages
