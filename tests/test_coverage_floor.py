"""The development coverage set (tests/data/coverage_dev.yml) through the trained model: how often the bot
answers confidently and wrongly, and that it never asks a shop question's customer for an order number.
The thresholds were tuned on this set, so these are development figures (docs/nlu.md); the blind set
is measured with `bot nlu coverage tests/data/blind/coverage_blind.yml`."""
from __future__ import annotations

import pytest

from bot import answer_gate
from bot.config import ROOT
from bot.nlu import coverage

pytestmark = pytest.mark.rasa_eval
# Measured on dev (163 questions): 3.1 % wrong after the own-case rule (was 4.9 %). On 2026-12-05 the set grew to 375
# questions and 30 nonsense strings written apart from the thresholds: 21/375 = 5.6 % wrong, 100/185 = 54.1 % of
# covered right, 26/30 nonsense (docs/nlu.md). These floors are that set's values; the goal of issue 18 is 3 % wrong.
WRONG_CEILING = 0.057
COVERED_RIGHT_FLOOR = 0.54
NO_MEANING_RIGHT_FLOOR = 0.8


@pytest.fixture(scope="module")
def parser(model_path):
    return coverage.Parser(model_path)


@pytest.fixture(scope="module")
def report(parser):
    cases = coverage.load(ROOT / "tests" / "data" / "coverage_dev.yml")
    return coverage.evaluate(cases, parser.parse)


def test_a_shop_question_is_never_taken_for_small_talk(parser):
    # written for this test: questions no topic answers that the intent classifier reads as a goodbye
    for text in ("doei, tot ziens, komt de sale nog terug?", "ligt dat nog ergens op stock"):
        parse = parser.parse(text)
        assert parse["intent"]["name"] == answer_gate.FALLBACK, (text, parse["intent"])
        assert parse["answer_gate"]["why"] == "small_talk"
    assert parser.parse("is goed hoor")["intent"]["name"] == "affirm"  # a plain yes stays a yes


# Written for this test (in neither data/nlu nor a coverage set): questions about a product, its stock or a store.
# The classifier reads the first one as a product problem at 0.99 by its words ("wandelschoenen", "waterdicht").
SHOP_QUESTIONS = ("zijn de wandelschoenen waterdicht", "is die fietstas nog op voorraad of komt hij terug",
                  "liggen de wandelschoenen ook in de winkel in zwolle")
OWN_ORDERS = {"waar blijft mijn pakket": "order_status", "ik wil mijn jas terugsturen": "return_request",
              "de rits van mijn jas is kapot": "product_issue"}


@pytest.mark.parametrize("text", SHOP_QUESTIONS)
def test_a_question_about_a_product_stock_or_a_store_gets_no_order_question_nor_an_apology(parser, text):
    parse = parser.parse(text)
    assert parse["intent"]["name"] not in coverage.FLOWS, (text, parse["intent"], parse.get("answer_gate"))
    assert coverage.escalation_action(text) is None  # no handover with an apology either


@pytest.mark.parametrize("text, flow", OWN_ORDERS.items())
def test_a_customer_asking_about_her_own_order_still_starts_the_flow(parser, text, flow):
    assert parser.parse(text)["intent"]["name"] == flow


def test_wrong_confident_answers_stay_under_the_ceiling(report, capsys):
    with capsys.disabled():
        print("\n" + "\n".join(coverage.lines(report, show_wrong=False)))
    assert report.share("wrong") <= WRONG_CEILING


def test_covered_questions_are_still_answered_and_nonsense_is_not_understood(report):
    covered, nonsense = report.part("covered"), report.part("no_meaning")
    assert report.count("right", "covered") / len(covered) >= COVERED_RIGHT_FLOOR
    assert report.count("right", "no_meaning") / len(nonsense) >= NO_MEANING_RIGHT_FLOOR


def test_no_uncovered_question_gets_an_faq_answer_it_does_not_have_more_than_rarely(report):
    answered = [r.case.text for r in report.part("uncovered") if r.outcome.kind == "answer"]
    assert len(answered) <= 3, answered
