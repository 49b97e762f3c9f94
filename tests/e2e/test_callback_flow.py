"""Acceptance on the real stack (Rasa, action server, desk): with nobody online, asking for a person ends
in a confirmed callback that agents find with its context (P8)."""
from __future__ import annotations

import pytest
import requests


pytestmark = pytest.mark.e2e

def test_with_nobody_online_asking_for_a_person_ends_in_a_confirmed_callback(chat, agent):
    customer = chat()
    customer.say("Hoi")
    customer.say("ik wil een medewerker spreken")
    assert customer.state == "queued"
    offer = customer.last["replies"][-1]
    assert "geen collega beschikbaar" in offer["text"]
    customer.say("Bel me terug", payload="/callback_phone")
    assert "telefoonnummer" in customer.say("mijn nummer is geheim")
    assert "Wanneer komt het je uit?" in customer.say("06 1234 5678")
    slot = customer.last["replies"][0]["buttons"][0]
    confirmation = customer.say(slot["title"], payload=slot["payload"])
    assert confirmation.startswith("Afgesproken: we bellen je ") and "op 06 12 34 56 78" in confirmation
    assert customer.state == "closed"

    listed = requests.get(agent.url + "/api/callbacks", headers=agent.headers, timeout=10).json()["open"]
    [callback] = [c for c in listed if c["conversation_id"] == customer.id]
    assert callback["due"] == slot["title"] and callback["contact"] == "06 12 34 56 78"
    detail = requests.get(f"{agent.url}/api/callbacks/{callback['id']}", headers=agent.headers, timeout=10).json()
    customer_lines = [line["text"] for line in detail["context"]["transcript"] if line["sender"] == "customer"]
    assert customer_lines == ["Hoi", "ik wil een medewerker spreken"]
    assert detail["context"]["summary"]
    done = agent.post(f"/api/callbacks/{callback['id']}/outcome", json={"outcome": "follow_up", "note": "Artikel nagestuurd"})
    assert done.status_code == 200

    # Writing again later reaches the bot, which simply answers.
    assert customer.say("Hoe lang duurt de verzending?") and customer.state == "bot"
