"""What the desk channel returns about a message: intent, confidence and, for FAQ, the chosen answer key;
handed over once per turn by the policy, never to another conversation."""
from __future__ import annotations

from bot.rasa import parse_results
from bot.nlu_result import nlu_of


def test_faq_messages_carry_the_selected_answer_and_its_confidence():
    parsed = {"intent": {"name": "faq", "confidence": 0.99871},
              "response_selector": {"faq": {"response": {"intent_response_key": "faq/shipping_costs", "confidence": 0.4231}}}}
    assert nlu_of(parsed) == {"intent": "faq", "confidence": 0.9987, "response_key": "faq/shipping_costs",
                              "response_confidence": 0.4231}
    assert nlu_of({"intent": {"name": "order_status", "confidence": 0.7}}) == {"intent": "order_status", "confidence": 0.7}


def test_a_result_is_taken_once_by_its_own_conversation_and_old_ones_are_forgotten():
    parse_results.remember("a", {"intent": {"name": "greet", "confidence": 1.0}})
    assert parse_results.take("b") is None
    assert parse_results.take("a")["intent"]["name"] == "greet"
    assert parse_results.take("a") is None
    for n in range(parse_results._LIMIT + 5):
        parse_results.remember(f"s{n}", {})
    assert parse_results.take("s0") is None and parse_results.take(f"s{parse_results._LIMIT + 4}") == {}
