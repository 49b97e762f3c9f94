"""CI floors on the held-out sets for the bot's whole judgement (issue 18): the escalation check plus the NLU's own
handovers on the frozen and blind escalation parts (bot/escalation/with_nlu.py), and wrong confident answers on
the blind out-of-coverage set. None of these sets is tuned on; the floors are the values measured on main
(bot/escalation/evaluate.py HELD_OUT_FLOORS, docs/escalation.md), the goals are printed beside them."""
from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.escalation import with_nlu
from bot.escalation.evaluate import BLIND, FROZEN, GOALS, HELD_OUT_FLOORS, evaluate, load_items
from bot.nlu import coverage

pytestmark = pytest.mark.rasa_eval


@pytest.fixture(scope="module")
def parser(model_path):
    return coverage.Parser(model_path)  # Rasa's Agent, without the CLI's logging set-up (other tests read the logs)


@pytest.fixture(scope="module")
def parse(parser):
    async def intent_of(text: str):
        intent = (await parser.agent.parse_message(text)).get("intent") or {}
        return intent.get("name"), intent.get("confidence")

    return intent_of


@pytest.mark.parametrize("part, path", [("frozen", FROZEN), ("blind", BLIND)])
def test_the_bot_with_its_nlu_holds_the_floors_on_the_held_out_parts(parse, part, path, capsys):
    items = load_items(path)
    parsed = with_nlu.parse_all((t.text for i in items for t in i.turns if t.sender == "customer"), parse)
    report = evaluate(items, with_nlu.judge_with(parsed))
    floors = HELD_OUT_FLOORS[part]
    with capsys.disabled():
        print(f"\n{part}, the bot with its NLU: recall {report.recall_must:.3f} (floor {floors['recall']}, goal "
              f"{GOALS['recall']}); false handoffs {report.false_handoff_rate:.1%} (ceiling "
              f"{floors['false_handoffs']:.1%}, goal {GOALS['false_handoffs']:.0%})")
    assert report.recall_must >= floors["recall"]
    assert report.false_handoff_rate <= floors["false_handoffs"]


def test_wrong_confident_answers_on_the_blind_coverage_set_stay_under_the_ceiling(parser, capsys):
    report = coverage.evaluate(coverage.load(ROOT / "tests" / "data" / "blind" / "coverage_blind.yml"), parser.parse)
    ceiling = HELD_OUT_FLOORS["coverage_blind"]["wrong"]
    with capsys.disabled():
        print(f"\nblind coverage: wrong confident {report.share('wrong'):.1%} (ceiling {ceiling:.1%}, goal 3 %)")
    assert report.share("wrong") <= ceiling
