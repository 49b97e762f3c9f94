"""Who owns the conversation decides what happens, through the customer API with real processes:
after an agent is done the bot is fully itself again, and with a colleague free the customer hears who
helps, never a place in line."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def served_and_resolved(chat, agent):
    customer = chat()
    customer.say("Ik wil een medewerker spreken")
    handoff = agent.handoff_for(customer.id)
    assert agent.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    agent.post(f"/api/handoffs/{handoff['id']}/messages", json={"text": "Ik heb het voor je geregeld."})
    assert agent.post(f"/api/handoffs/{handoff['id']}/resolve").status_code == 200
    customer.say("Ja, opgelost", payload="/solved_yes")
    return customer


def test_after_an_agent_resolved_an_insult_gets_the_warning_again(chat, agent):
    customer = served_and_resolved(chat, agent)
    answer = customer.say("jij bent echt een idioot")
    assert customer.state == "bot" and "netjes te houden" in answer
    assert "digitale assistent" not in answer  # not the bot-challenge answer


def test_after_an_agent_resolved_a_legal_threat_is_urgent_again(chat, agent):
    customer = served_and_resolved(chat, agent)
    customer.say("ik stap naar mijn advocaat")
    assert customer.state == "queued"
    handoff = agent.handoff_for(customer.id)
    assert (handoff["reason"], handoff["priority"]) == ("legal_threat", "urgent")


def test_with_a_colleague_free_the_customer_hears_who_helps_and_no_place_in_line(chat, agent):
    agent.serve_everyone_waiting()
    assert agent.post("/api/agent/status", json={"status": "online"}).status_code == 200
    try:
        customer = chat()
        answer = customer.say("ik wil een medewerker spreken")
        assert customer.state == "agent" and "Sanne van de klantenservice helpt je nu verder" in answer
        assert "aan de beurt" not in answer and "wachttijd" not in answer
        assert customer.last["status_text"] == "Je chat met Sanne van de klantenservice."
        mine = requests.get(agent.url + "/api/handoffs", headers=agent.headers, timeout=10).json()["mine"]
        [handoff] = [h for h in mine if h["conversation_id"] == customer.id]
        agent.post(f"/api/handoffs/{handoff['id']}/resolve")
    finally:
        agent.post("/api/agent/status", json={"status": "offline"})
