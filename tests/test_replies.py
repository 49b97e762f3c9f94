"""A reply read against what the bot just asked (issue 18): a reply that is no plain yes or no is understood on
its own, never taken as the "no" the NLU guessed; a second dispute after the offer of a colleague hands over
(P7); a dispute that gives a personal circumstance goes to a person at once, with care."""
from __future__ import annotations

import pytest

from bot.escalation import Turn, assess
from bot.escalation.replies import ORDER_NUMBER_KIND, POSTCODE_KIND, YES_NO, expected_kind, fits

REFUSAL = Turn("De retourtermijn liep tot en met 9 november. Zal ik je doorverbinden met een collega?", sender="bot",
               response="utter_return_term_passed")
OFFER = Turn("Ik begrijp dat dit niet het antwoord is waar je op hoopte. Zal ik je doorverbinden?", sender="bot",
             response="utter_acknowledge_disagreement")
START = Turn("Ik wil WS-100003 retourneren, postcode 5678 CD", intent="return_request")


def test_every_question_has_the_kind_of_answer_it_expects():
    assert expected_kind(["utter_acknowledge_disagreement"]) == YES_NO
    assert expected_kind(["utter_ask_order_number"]) == ORDER_NUMBER_KIND
    assert expected_kind(["utter_ask_postcode"]) == POSTCODE_KIND
    assert expected_kind(["utter_faq/return_policy"]) is None


@pytest.mark.parametrize("kind, text, answers", [
    (YES_NO, "ja graag", True),
    (YES_NO, "Nee dank je, ik hou hem wel", True),
    (YES_NO, "oké, jammer dan", True),
    (YES_NO, "nee, want ik lag in het ziekenhuis", False),
    (YES_NO, "Nee, ik snap gewoon niet dat jullie zo star zijn", False),
    (YES_NO, "Hoe lang duurt terugbetalen?", False),
    (ORDER_NUMBER_KIND, "het is WS-100001", True),
    (ORDER_NUMBER_KIND, "geen idee, ik heb geen mail gekregen", False),
    (POSTCODE_KIND, "1234 AB", True),
    (POSTCODE_KIND, "hoezo wil je dat weten?", False),
])
def test_a_reply_fits_the_question_or_not(kind, text, answers):
    assert fits(kind, text) is answers


@pytest.mark.parametrize("reply", [
    "Nee, ik vind het nog altijd vreemd dat een paar dagen zoveel uitmaakt",
    "Nee joh, elke andere winkel is hier soepeler in",
    "nee, hij zit nog ongeopend in de verpakking",
])
def test_a_second_dispute_after_the_offer_hands_over_even_when_the_nlu_heard_no(reply):
    first = assess([START, REFUSAL, Turn("Het blijft vreemd dat dat niet kan", intent="deny")])
    assert first.action == "acknowledge"
    second = assess([START, REFUSAL, Turn("Het blijft vreemd dat dat niet kan", intent="deny"), OFFER,
                     Turn(reply, intent="deny")])
    assert (second.action, second.reason, second.priority) == ("handoff", "complexity", "normal")
    assert second.signals[0].name == "disputes_refusal"


@pytest.mark.parametrize("reply", [
    "Mijn oma is overleden, ik had er gewoon geen hoofd naar",
    "Nee, ik ben geopereerd en kon drie weken niks",
    "ik lag twee weken in het ziekenhuis, daarom is hij te laat",
    "Ik ben bevallen, dus ik was er even niet mee bezig",
])
def test_a_personal_circumstance_in_a_dispute_goes_to_a_person_at_once(reply):
    result = assess([START, REFUSAL, Turn(reply, intent="deny")])
    assert (result.action, result.reason, result.priority) == ("handoff", "sensitive", "high")
    assert {s.name for s in result.signals} & {"personal_circumstance", "bereavement"}


@pytest.mark.parametrize("reply, intent", [
    ("nee hoor, laat maar", "deny"),
    ("Ja graag", "affirm"),
    ("Hoe lang duurt het voordat ik mijn geld terug heb bij een gewone retour?", "faq"),
    ("En waar blijft mijn andere bestelling WS-100001 eigenlijk?", "order_status"),
    ("Oké, duidelijk. Fijne avond nog!", "goodbye"),
])
def test_a_plain_answer_or_a_new_question_is_no_dispute(reply, intent):
    assert assess([START, REFUSAL, Turn("Dat vind ik niet redelijk"), OFFER, Turn(reply, intent=intent)]).action == "none"


def test_illness_outside_a_dispute_is_no_reason_to_hand_off():
    assert assess([Turn("Ik ben ziek thuis, kan het pakket bij de buren?")]).action == "none"
