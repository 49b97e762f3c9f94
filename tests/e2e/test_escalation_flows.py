"""Escalation through the customer API with real processes: the right reason, priority and tone."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("text, reason, priority, tone", [
    ("WAAR BLIJFT MIJN PAKKET, DIT IS ECHT BELACHELIJK!!!", "frustration", "urgent", "klaar mee"),
    ("Als dit niet opgelost wordt schakel ik mijn advocaat in", "legal_threat", "urgent", "met voorrang"),
    ("Mijn hond heeft het vlooienmiddel ingeslikt, wat moet ik doen?", "sensitive", "high", "dierenarts"),
    ("Ik wil een schadevergoeding voor al dit gedoe", "complexity", "normal", "goed voor je laten regelen"),
])
def test_escalations_are_handed_over_with_reason_priority_and_tone(chat, agent, text, reason, priority, tone):
    customer = chat()
    customer.say("Hoi")
    answer = customer.say(text)
    assert customer.state == "queued", answer
    assert tone in answer and "niets te herhalen" in answer
    handoff = agent.handoff_for(customer.id)
    assert (handoff["reason"], handoff["priority"]) == (reason, priority)
    assert handoff["context"]["signals"] and handoff["context"]["signals"][0]["evidence"]
    assert handoff["context"]["summary"].startswith("Klant")


def test_a_deadline_at_risk_is_urgent_enough_for_a_person(chat, agent):
    customer = chat()
    customer.say("Waar blijft WS-100004, postcode 9999 ZZ? Mijn zus vertrekt morgen")
    handoff = agent.handoff_for(customer.id)
    assert (handoff["reason"], handoff["priority"]) == ("deadline_at_risk", "high")


def test_escalation_also_interrupts_a_form(chat, agent):
    customer = chat()
    assert "postcode" in customer.say("waar blijft bestelling WS-100001")
    answer = customer.say("Ik heb al drie keer gebeld hierover, dit is BELACHELIJK")
    assert customer.state == "queued" and "klaar mee" in answer
    assert agent.handoff_for(customer.id)["reason"] == "frustration"
    # Not again right after the handover: the next outburst waits for the agent, no second handoff.
    assert customer.say("NOG STEEDS NIKS, ECHT SCHANDALIG!!!") == "" and customer.state == "queued"
    handoffs = requests.get(agent.url + "/api/handoffs", headers=agent.headers, timeout=10).json()
    assert len([h for h in handoffs["queue"] + handoffs["mine"] if h["conversation_id"] == customer.id]) == 1
    assert agent.handoff_for(customer.id)["messages"][-1]["text"] == "NOG STEEDS NIKS, ECHT SCHANDALIG!!!"


def test_two_insults_end_the_conversation_politely_and_agents_can_review_it(chat, agent):
    customer = chat()
    warning = customer.say("jij bent echt een idioot")
    assert customer.state == "bot" and "netjes te houden" in warning
    closing = customer.say("kutbot, rot op")
    assert customer.state == "closed" and closing.startswith("Op deze manier kunnen we het gesprek niet voortzetten")
    after = customer.say("hallo?")
    assert customer.state == "closed" and "beëindigd" in after
    review = requests.get(agent.url + "/api/handoffs", headers=agent.headers, timeout=10).json()["review"]
    [handoff] = [h for h in review if h["conversation_id"] == customer.id]
    assert handoff["reason"] == "abuse"


@pytest.mark.parametrize("text", [
    "Ik wil GRAAG weten wat verzenden kost", "Top, bedankt!!!", "helaas is mijn pakket er nog niet",
    "Bezorgen jullie met PostNL of DHL?", "Waar is mijn pakket? WS-100001 1234AB, mijn zus vertrekt morgenochtend",
])
def test_calm_traps_stay_with_the_bot(chat, text):
    customer = chat()
    customer.say(text)
    assert customer.state == "bot"


def test_a_warning_given_long_before_still_counts_in_a_long_conversation(chat, agent):
    """The escalation check judges the whole conversation, also when Rasa reads only a window of it
    (bot/rasa/tracker_store.py): an insult after thirty calm questions ends a conversation that was warned at
    the start."""
    customer = chat()
    warning = customer.say("jij bent echt een idioot")
    assert customer.state == "bot" and "netjes te houden" in warning
    # Short messages: a question of four words or more asked again counts as repeated (escalation.yml).
    questions = ["Wat kost verzenden?", "Hoi"]
    for i in range(30):  # about 150 events: far past the window of 60
        customer.say(questions[i % len(questions)])
        assert customer.state == "bot"
    closing = customer.say("kutbot, rot op")
    assert customer.state == "closed" and closing.startswith("Op deze manier kunnen we het gesprek niet voortzetten")
