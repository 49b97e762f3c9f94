"""Messages the bot cannot understand at all, told apart from ordinary ones (bot/understanding.py)."""
from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.understanding import Vocabulary, judge, vocabulary_of

SHOP = Vocabulary.from_texts(["Waar is mijn pakket?", "Ik wil mijn bestelling retourneren", "Wat kost verzenden?",
                              "Hoi", "Bedankt", "Ik wil een medewerker spreken"])


@pytest.mark.parametrize("text, why", [
    ("asdfgh jkl", "keyboard"), ("qwerty uiop", "keyboard"), ("aaaaaaaa", "keyboard"), ("😀😀", "no_words"),
    ("?!?!", "no_words"), ("/restart", "command"), ("Wo ist mein Paket?", "other_language"),
    ("¿Dónde está mi paquete?", "other_language"), ("kwibus trommel plons", "unrelated"),
    ("flurp de wiebel zonk", "unrelated"), ("sdfsdfsdf", "gibberish"),
])
def test_nonsense_is_recognised_and_says_why(text, why):
    assert judge(text, SHOP) == why


@pytest.mark.parametrize("text", ["Waar is mijn pakkt?", "retourneren graag", "WS-100001 1234AB", "1234 AB", "ja",
                                  "where is my parcel?", "Hoi!", "bestellingen retourneren"])
def test_ordinary_messages_typos_entities_and_english_are_understood(text):
    assert judge(text, SHOP) is None


def test_the_vocabulary_is_the_shops_own_training_data():
    vocabulary = vocabulary_of(ROOT / "data", ROOT / "domain.yml")
    assert {"pakket", "retourneren", "verzendkosten"} <= vocabulary.words
    assert judge("Waar blijft mijn bestelling?", vocabulary) is None
