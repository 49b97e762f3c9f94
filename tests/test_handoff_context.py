"""The handoff context contract and its Dutch summary."""
from __future__ import annotations

import pytest

from bot.handoff import build_context


def test_context_has_every_field_of_the_contract_and_a_dutch_summary():
    context = build_context(
        conversation_id="c1", reason="deadline_at_risk",
        transcript=[{"sender": "customer", "text": "waar blijft WS-100004, ik heb het morgen nodig", "at": "2026-11-23T10:00:00Z"}],
        topics=["order_status"],
        facts={"order_number": "WS-100004", "postcode_verified": True, "deadline": "morgen (ik heb het morgen nodig)",
               "order_status": {"summary": "Vertraagd bij DHL: nu verwacht donderdag 26 november tussen 13:00 en 17:00"}},
        bot_actions=["Status gegeven: vertraagd"],
        signals=[{"name": "deadline", "evidence": "ik heb het morgen nodig"}],
    )
    assert set(context) == {"conversation_id", "reason", "priority", "signals", "summary", "topics", "facts",
                            "bot_actions", "transcript"}
    assert context["priority"] == "high"
    summary = context["summary"]
    assert summary.startswith("Klant wil weten waar bestelling WS-100004 blijft.")
    assert "Deadline: morgen" in summary and "Vertraagd bij DHL" in summary
    assert "omdat de klant een deadline heeft die de bezorging niet haalt" in summary
    assert summary.count(".") <= 4


def test_unknown_reasons_are_refused():
    with pytest.raises(ValueError):
        build_context(conversation_id="c", reason="bored", transcript=[], topics=[], facts={}, bot_actions=[])
