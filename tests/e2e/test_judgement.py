"""Issue 18 through the real trained model and the real stack: emotion with a direction, a reply read against
the bot's own question, deadlines in digits before the order number, and a card that stays true."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
APOLOGY = "het spijt me echt"


@pytest.mark.parametrize("text", [
    "SUPER BLIJ MET MIJN NIEUWE TENT, BEDANKT!!!",
    "WAUW WAT EEN MOOIE JURK, ECHT TOP",
    "IK HEB HEM PAS OVER TWEE WEKEN NODIG, DUS GEEN HAAST",
])
def test_loud_messages_that_are_not_negative_stay_with_the_bot(chat, text):
    customer = chat()
    answer = customer.say(text)
    assert customer.state == "bot" and APOLOGY not in answer and "klaar mee bent" not in answer, answer


@pytest.mark.parametrize("text", [
    "De trui zit als gegoten, ik ben er super blij mee!!",  # read as a product problem by the classifier
    "WAT EEN GEWELDIGE SERVICE!!!",  # read as a complaint
    "ONTZETTEND BLIJ MET DE SNELLE LEVERING, TOPPERS",  # read as the delivery-time question
])
def test_praise_the_classifier_takes_for_a_complaint_or_a_question_is_thanked(chat, text):
    customer = chat()
    answer = customer.say(text)
    assert customer.state == "bot" and "Graag gedaan" in answer and APOLOGY not in answer, answer
    assert "werkdag" not in answer and "bestelnummer" not in answer, answer


def test_a_shouted_complaint_still_reaches_a_person(chat, agent):
    customer = chat()
    customer.say("IK WACHT AL DRIE WEKEN OP MIJN BESTELLING, WAAR BLIJFT HIJ NOU")
    assert customer.state == "queued" and agent.handoff_for(customer.id)["reason"] == "frustration"


def test_a_second_dispute_in_new_words_after_the_offer_hands_over_not_taken_as_no(chat, agent):
    customer = chat()
    assert "retourtermijn van 30 dagen" in customer.say("ik wil iets terugsturen: WS-100003 postcode 5678CD")
    assert "niet het antwoord is waar je op hoopte" in customer.say("Het blijft vreemd dat dat niet kan")
    answer = customer.say("Nee, ik snap gewoon niet dat jullie zo star zijn over een paar dagen")
    assert "Helemaal goed" not in answer and customer.state == "queued"
    handoff = agent.handoff_for(customer.id)
    assert handoff["reason"] == "complexity" and handoff["context"]["signals"][0]["name"] == "disputes_refusal"


def test_a_dispute_with_a_personal_circumstance_goes_to_a_person_at_once_with_care(chat, agent):
    customer = chat()
    customer.say("ik wil iets terugsturen: WS-100003 postcode 5678CD")
    answer = customer.say("Ik lag twee weken in het ziekenhuis, daarom kon ik hem niet eerder terugsturen")
    assert "zware tijd" in answer and customer.state == "queued"
    handoff = agent.handoff_for(customer.id)
    assert (handoff["reason"], handoff["priority"]) == ("sensitive", "high")


def test_a_deadline_in_digits_before_the_order_number_is_judged(chat, agent):
    customer = chat()
    answer = customer.say("Ik heb het binnen 2 dagen nodig, het gaat om WS-100004 met postcode 9999 ZZ")
    for _ in range(2):  # the bot may still ask for what it lacks
        if "haalt dit pakket" in answer:
            break
        answer = customer.say("WS-100004 9999 ZZ")
    assert "binnen 2 dagen haalt dit pakket volgens de planning niet" in answer
    assert agent.handoff_for(customer.id)["reason"] == "deadline_at_risk"


def test_an_order_number_given_while_waiting_reaches_the_agents_summary(chat, agent):
    customer = chat()
    customer.say("ik wil een medewerker spreken")
    assert customer.state == "queued"
    customer.say("Het gaat om WS-100004, postcode 9999 ZZ")
    context = agent.handoff_for(customer.id)["context"]
    assert context["facts"]["postcode_verified"] is True
    assert "Bestelling WS-100004 is gecontroleerd met de postcode" in context["summary"]
