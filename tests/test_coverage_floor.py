"""The development coverage set (tests/data/coverage_dev.yml) through the trained model: how often the bot
answers confidently and wrongly, and that it never asks a shop question's customer for an order number.
The thresholds were tuned on this set, so these are development figures (docs/nlu.md); the blind set
is measured with `bot nlu coverage tests/data/blind/coverage_blind.yml`."""
from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.nlu import coverage

pytestmark = pytest.mark.rasa_eval
# Measured on dev: 7.4 % wrong, 57.5 % of covered right, 9 of 10 nonsense (docs/nlu.md). The goal of
# issue 18 is 3 % wrong; not reached yet.
WRONG_CEILING = 0.09
COVERED_RIGHT_FLOOR = 0.50
NO_MEANING_RIGHT_FLOOR = 0.8


@pytest.fixture(scope="module")
def report(model_path):
    cases = coverage.load(ROOT / "tests" / "data" / "coverage_dev.yml")
    return coverage.evaluate(cases, coverage.Parser(model_path).parse)


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
