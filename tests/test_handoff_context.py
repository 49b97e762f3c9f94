"""The handoff context contract and its Dutch summary."""
from __future__ import annotations

import pytest

from bot.handoff import build_context


def test_context_has_every_field_of_the_contract_and_a_dutch_summary():
    context = build_context(
        conversation_id="c1", reason="deadline_at_risk",
        transcript=[{"sender": "customer", "text": "waar blijft WS-100004, ik heb het morgen nodig", "at": "2026-11-23T10:00:00Z"}],
        topics=["order_status"],
        facts={"order_number": "WS-100004", "postcode_verified": True, "deadline": "morgen",
               "deadline_words": "ik heb het morgen nodig",
               "order_status": {"summary": "Vertraagd bij DHL: nu verwacht donderdag 26 november tussen 13:00 en 17:00"}},
        bot_actions=["Status gegeven: Vertraagd bij DHL", "Gezegd dat de deadline (morgen) niet gehaald wordt"],
        signals=[{"name": "deadline", "evidence": "ik heb het morgen nodig"}],
    )
    assert set(context) == {"conversation_id", "reason", "priority", "signals", "summary", "topics", "facts",
                            "bot_actions", "transcript"}
    assert context["priority"] == "high"
    summary = context["summary"]
    assert summary.startswith("Klant wil weten waar bestelling WS-100004 blijft: “waar blijft WS-100004, ik heb het morgen nodig”.")
    assert "Nodig: morgen" in summary and summary.count("ertraagd bij DHL") == 1  # the status once, not twice
    assert "De bot heeft de status gegeven en gezegd dat de deadline (morgen) niet gehaald wordt" in summary
    assert "omdat de klant een deadline heeft die de bezorging niet haalt" in summary


def test_unknown_reasons_are_refused():
    with pytest.raises(ValueError):
        build_context(conversation_id="c", reason="bored", transcript=[], topics=[], facts={}, bot_actions=[])


def summary(**kwargs):
    from bot.summary import SummaryInput, sentences

    return sentences(SummaryInput(**kwargs))


def test_an_order_number_that_was_never_checked_is_not_called_a_mismatch():
    said = " ".join(summary(reason="complexity", topics=["complain"], facts={"order_number": "WS-100001", "postcode_verified": False},
                            customer_texts=["Ik heb een klacht over WS-100001", "er zit een grote scheur in het doek"]))
    assert "Bestelnummer WS-100001 opgegeven, nog niet gecontroleerd." in said
    assert "horen niet bij elkaar" not in said and "geen bestelling" not in said


def test_a_typed_order_number_is_kept_even_without_a_slot():
    said = " ".join(summary(reason="complexity", topics=["complain"], customer_texts=["klacht over ws 100002, hij is kapot"]))
    assert "WS-100002 opgegeven, nog niet gecontroleerd" in said


def test_a_failed_lookup_is_said_only_when_it_happened():
    failed = " ".join(summary(reason="complexity", facts={"order_number": "WS-123456", "order_lookup_failed": True},
                              customer_texts=["waar is WS-123456", "1234 AB"]))
    assert "bij de opgegeven postcode vond de bot geen bestelling" in failed


def test_the_customers_own_words_and_how_often_they_tried_reach_the_agent():
    said = summary(reason="frustration", topics=["order_status"],
                   signals=[{"name": "earlier_contacts", "evidence": "ik heb al drie keer gebeld"}],
                   customer_texts=["Waar blijft mijn pakket", "ik heb al drie keer gebeld", "er zit een grote scheur in het doek"])
    assert 2 <= len(said) <= 4
    joined = " ".join(said)
    assert "“ik heb al drie keer gebeld”" in joined


def test_labels_not_keys_reach_the_agent():
    said = " ".join(summary(reason="customer_request", topics=["faq/refund_time", "request_human"],
                            customer_texts=["Wanneer krijg ik mijn geld terug?", "ik wil een medewerker spreken"]))
    assert "faq/" not in said and "wanneer het geld terugkomt" in said
