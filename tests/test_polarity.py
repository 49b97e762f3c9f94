"""Emotion with a direction (P4): the Dutch polarity word list and what the escalation check makes of it."""
from __future__ import annotations

import pytest

from bot.escalation import Turn, assess
from bot.escalation.polarity import LEXICON, load, polarity


def test_the_word_list_names_its_source_and_licence_and_loads():
    header = " ".join(line for line in LEXICON.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    assert "Pattern project" in header and "licence PDDL" in header and "De Smedt" in header
    lexicon = load()
    assert len(lexicon.words) > 1500
    assert lexicon.words["prachtig"] > 0.5 and lexicon.words["belachelijk"] < -0.5
    assert lexicon.phrases[("waar", "blijft")] < 0


@pytest.mark.parametrize("text, direction", [
    ("Wat een prachtige jurk", "positive"),
    ("De bezorger was erg vriendelijk", "positive"),
    ("Dankjewel voor de snelle hulp", "positive"),
    ("Ik ben niet blij met deze jas", "negative"),       # negation turns it around
    ("Wat een trage, slordige bezorging", "negative"),   # inflected adjectives back to their base
    ("Waar blijft mijn pakket nou", "negative"),
    ("Ik wil mijn adres wijzigen", "neutral"),
    ("Hebben jullie deze jas ook in XL", "neutral"),
    ("Vreselijk mooi, die lamp", "positive"),            # an intensifier, not a judgement
    ("Dat is echt erg", "negative"),
])
def test_a_message_has_a_direction(text, direction):
    assert polarity(text).direction == direction


@pytest.mark.parametrize("text", [
    "GEWELDIG, HIJ PAST PERFECT, DANK JULLIE WEL",
    "WAT EEN LEUKE VERRASSING, DE DOOS ZAT VOL CADEAUTJES",
    "Jeetje wat snel!!! Gisteren besteld en nu al binnen!!!",
    "Godverdomme wat een mooie bank is het geworden!!!",
    "BESTELD IN MAAT XXL, KAN IK DIE OOK IN XL RUILEN",
    "Hebben jullie de LEGO STAR WARS MILLENNIUM FALCON nog op voorraad",
    "IK HEB HET PAS OVER EEN MAAND NODIG, ALLES GOED",
])
def test_loud_messages_that_are_not_negative_stay_with_the_bot(text):
    result = assess([Turn(text)])
    assert result.action == "none", result.explanation()


@pytest.mark.parametrize("text", [
    "WAAR BLIJFT MIJN BESTELLING NOU, AL TWEE WEKEN",
    "IK HEB NOG STEEDS NIKS ONTVANGEN",
    "WAT IS DIT VOOR EEN SLECHTE SERVICE",
    "Verdomme, alweer een kapotte lamp!!!",
])
def test_loud_negative_messages_are_frustration(text):
    result = assess([Turn(text)])
    assert (result.action, result.reason) == ("handoff", "frustration"), result.explanation()
