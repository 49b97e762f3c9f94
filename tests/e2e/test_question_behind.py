"""The question behind the question, through the customer API with real processes (issue 10): deadlines
named in any turn, a customer who does not accept a no, messages the bot cannot understand, and a
summary the agent can trust."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_deadline_named_after_the_status_is_judged_and_handed_over(chat, agent):
    customer = chat()
    assert "vertraagd" in customer.say("Waar blijft WS-100004? postcode 9999 ZZ")
    answer = customer.say("ik heb het morgen nodig!")
    assert answer.startswith("Eerlijk gezegd: morgen haalt dit pakket volgens de planning niet")
    assert "Helemaal goed" not in answer and "vertraagd bij" not in answer  # no second status message
    assert customer.state == "queued"
    handoff = agent.handoff_for(customer.id)
    assert (handoff["reason"], handoff["priority"]) == ("deadline_at_risk", "high")
    assert handoff["context"]["facts"]["deadline"] == "morgen" and "Nodig: morgen" in handoff["context"]["summary"]


def test_a_deadline_with_its_reason_after_the_status_reaches_the_agent(chat, agent):
    customer = chat()
    customer.say("Waar blijft WS-100004? postcode 9999 ZZ")
    answer = customer.say("Ik moet het vanavond hebben want morgenochtend vertrek ik op vakantie")
    assert "vanavond haalt dit pakket volgens de planning niet" in answer and "niet mee helpen" not in answer
    facts = agent.handoff_for(customer.id)["context"]["facts"]
    assert facts["deadline"] == "vanavond" and "vakantie" in facts["deadline_reason"]


def test_a_deadline_without_an_order_asks_for_the_order_and_remembers_the_deadline(chat, agent):
    customer = chat()
    answer = customer.say("Ik heb mijn bestelling morgen nodig, komt die op tijd?")
    assert "bestelnummer" in answer.lower()
    customer.say("WS-100004")
    answer = customer.say("9999 ZZ")
    assert "morgen haalt dit pakket volgens de planning niet" in answer and customer.state == "queued"
    assert agent.handoff_for(customer.id)["reason"] == "deadline_at_risk"


def test_a_disputed_no_is_acknowledged_not_repeated_and_the_second_time_a_colleague_takes_over(chat, agent):
    customer = chat()
    refusal = customer.say("ik wil iets terugsturen: WS-100003 postcode 5678CD")
    assert "retourtermijn van 30 dagen" in refusal
    answer = customer.say("ik was op vakantie, daarom kon ik het niet eerder terugsturen")
    assert "retourtermijn" not in answer and "niet het antwoord is waar je op hoopte" in answer
    assert customer.state == "bot" and customer.last["replies"][-1]["buttons"][0]["payload"] == "/request_human"
    customer.say("dat vind ik niet redelijk, ik wil toch mijn geld terug")
    assert customer.state == "queued"
    handoff = agent.handoff_for(customer.id)
    assert handoff["reason"] == "complexity" and handoff["context"]["signals"][0]["name"] == "disputes_refusal"


@pytest.mark.parametrize("first, second", [("asdfgh jkl", "qwerty uiop"),
                                           ("flurp de wiebel zonk", "kwibus trommel plons")])
def test_two_messages_the_bot_cannot_understand_reach_a_person(chat, agent, first, second):
    customer = chat()
    answer = customer.say(first)
    assert "begreep ik niet" in answer and "Hoi!" not in answer and "niet mee helpen" not in answer
    customer.say(second)
    assert customer.state == "queued" and agent.handoff_for(customer.id)["reason"] == "not_understood"


def test_a_typed_command_is_not_understood_instead_of_answered(chat):
    customer = chat()
    answer = customer.say("/restart")
    assert "begreep ik niet" in answer and "iDEAL" not in answer and customer.state == "bot"  # not the payment answer


def test_the_summary_keeps_the_order_number_the_customer_typed_and_claims_no_mismatch(chat, agent):
    customer = chat()
    customer.say("Ik heb een klacht over WS-100001, er zit een grote scheur in het doek van de tent")
    summary = agent.handoff_for(customer.id)["context"]["summary"]
    assert "WS-100001 opgegeven, nog niet gecontroleerd" in summary and "horen niet bij elkaar" not in summary
    assert "scheur in het doek" in summary and "complain" not in summary
