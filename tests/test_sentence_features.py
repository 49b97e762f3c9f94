"""The sentence row both classifiers read (bot/rasa/sentence_features.py) is the row Rasa's logistic regression
builds from the same message, so intent and FAQ answer come out as before; it is built once per message."""
from __future__ import annotations

import numpy as np
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, random as sparse_random

from bot.rasa.sentence_features import sentence_row


def message(dense: bool) -> Message:
    msg = Message(data={TEXT: "waar is mijn pakket"})
    rng = np.random.default_rng(3)
    for origin, width in (("RegexFeaturizer", 3), ("CountVectorsFeaturizer", 40), ("CountVectorsFeaturizer2", 90)):
        msg.add_features(Features(coo_matrix(sparse_random(4, width, density=0.2, random_state=width)),
                                  FEATURE_TYPE_SEQUENCE, TEXT, origin))
        msg.add_features(Features(coo_matrix(sparse_random(1, width, density=0.3, random_state=width + 1)),
                                  FEATURE_TYPE_SENTENCE, TEXT, origin))
    if dense:
        msg.add_features(Features(rng.random((1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "Dense"))
        msg.add_features(Features(rng.random((1, 2)), FEATURE_TYPE_SENTENCE, TEXT, "Dense2"))
    return msg


def test_the_row_is_rasas_row_with_and_without_dense_features():
    for dense in (False, True):
        msg = message(dense)
        ours = sentence_row(msg).tocsr()
        rasas = LogisticRegressionClassifier._create_X(None, [message(dense)]).tocsr()
        assert ours.shape == rasas.shape == (1, 133 + (7 if dense else 0))
        assert ours.dtype == rasas.dtype
        assert (ours != rasas).nnz == 0
        assert sentence_row(msg) is sentence_row(msg)  # built once


def test_a_feature_added_later_is_in_the_row():
    msg = message(False)
    before = sentence_row(msg)
    msg.add_features(Features(np.ones((1, 4)), FEATURE_TYPE_SENTENCE, TEXT, "Dense"))
    assert sentence_row(msg).shape == (1, before.shape[1] + 4)
