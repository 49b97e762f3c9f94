"""The learned "needs a person" judgement (bot/escalation/learned.py) next to the rules: what it is trained on,
how it is combined with the rules, and messages in words the rules do not know (written for this test, not
taken from any labelled set)."""
from __future__ import annotations

from bot.escalation import Turn, assess, left_to_the_intent
from bot.escalation import learned
from bot.escalation.evaluate import BLIND, FROZEN


def test_it_is_trained_on_the_development_part_and_the_nlu_data_only():
    examples = learned.training_examples()
    assert examples == learned.dev_examples(learned.DEV_SET) + learned.nlu_examples(learned.NLU_DIR)
    assert learned.DEV_SET.name == "escalation_eval.yml" and learned.DEV_SET not in (FROZEN, BLIND)
    assert len(examples) > 1000
    assert {"calm", "frustration", "customer_request", "legal_threat"} <= {label for _, label in examples}


def test_a_complaint_in_words_the_rules_do_not_know_goes_to_a_person():
    text = "dit is echt de slechtste service die ik ooit heb meegemaakt"
    assert assess([Turn(text)], learned=None).action == "none"  # the rules alone let it pass
    result = assess([Turn(text)])
    assert (result.action, result.reason) == ("handoff", "frustration")
    assert result.signals[0].name == "learned" and "learned" in result.explanation()


def test_a_request_for_a_person_is_heard_by_the_detector_too():
    result = assess([Turn("ik wil een mens spreken aub")])
    assert (result.action, result.reason) == ("handoff", "customer_request")


def test_praise_sizes_and_calm_deadlines_stay_with_the_bot():
    for text in ("SUPER BEDANKT VOOR DE SNELLE LEVERING", "HEBBEN JULLIE DEZE TRUI OOK IN MAAT XL",
                 "ik heb de jas pas volgende maand nodig hoor, geen haast", "wat zijn de verzendkosten naar belgie"):
        assert assess([Turn(text)]).action == "none", text


def test_the_rules_decide_first_and_a_first_dispute_is_still_acknowledged():
    refusal = [Turn("Ik wil WS-100003 retourneren, postcode 5678 CD", intent="return_request"),
               Turn("De retourtermijn liep tot en met 17 november.", sender="bot", response="utter_return_term_passed"),
               Turn("dat vind ik echt niet eerlijk van jullie, ik wil toch mijn geld terug")]
    assert assess(refusal).action == "acknowledge"
    threat = [Turn("ik stap naar de rechter als dit niet vandaag geregeld is")]
    assert assess(threat).reason == assess(threat, learned=None).reason == "legal_threat"


def test_the_model_is_the_same_in_every_process():
    text = "waarom duurt dit allemaal zo lang, ik word er gek van"
    assert learned.Model().fit(learned.training_examples()).judge(text) == learned.model().judge(text)


def test_normalising_removes_the_register_not_the_words():
    assert learned.normalise("HEEEEEL Slecht!!!! WS-100001") == learned.normalise("heel slécht!! ws-100002")


def test_a_learned_handoff_that_only_agrees_with_the_intent_is_left_to_the_intent():
    asked = [Turn("ik wil een mens spreken aub", intent="request_human")]
    result = assess(asked)
    assert result.action == "handoff" and left_to_the_intent(result, "request_human", {"request_human"})
    assert not left_to_the_intent(result, "faq", {"request_human"})  # a reading the NLU missed: the check acts
    threat = assess([Turn("ik stap naar de rechter als dit niet vandaag geregeld is", intent="complain")])
    assert not left_to_the_intent(threat, "complain", {"complain"})  # a more specific reason: urgent, not a complaint
