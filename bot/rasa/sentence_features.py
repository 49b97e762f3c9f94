"""A message's sentence features as one sparse row, built once per message for both classifiers that read it
(bot/rasa/intent_classifier.py and bot/rasa/answer_selector.py).

Why: both asked Rasa's `Message.get_sparse_features`, which also combines the sequence features (a deepcopy
and an hstack per featurizer) that neither reads, and did it twice per message: about a twentieth of Rasa's CPU
per turn in a busy-hour profile. The row is the one Rasa's LogisticRegressionClassifier builds (`_create_X`):
the sparse sentence features of every featurizer in order, then the dense ones, combined as Rasa combines them.
"""
from __future__ import annotations

from typing import List

import numpy as np
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, spmatrix

_CACHED = "_balie_sentence_row"  # on the Message: (how many features it had, the row)


def sentence_row(message: Message) -> spmatrix:
    features = message.features
    cached = getattr(message, _CACHED, None)
    if cached is not None and cached[0] == len(features):  # a featurizer added nothing since
        return cached[1]
    sentence = [f for f in features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    sparse = dense = None
    for f in sentence:
        if f.is_sparse():
            sparse = f.features if sparse is None else hstack([sparse, f.features])
        else:
            dense = f.features if dense is None else np.concatenate((dense, f.features), axis=-1)
    row = hstack([csr_matrix(sparse if sparse is not None else []), csr_matrix(dense if dense is not None else [])])
    setattr(message, _CACHED, (len(features), row))
    return row


def sentence_rows(messages: List[Message]) -> List[spmatrix]:
    return [sentence_row(message) for message in messages]
