"""The one registry of handover reasons (bot/reasons.py): every other place derives from it, and nothing else
defines a reason's label, priority or opening."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from actions.escalation import ActionEscalate
from actions.handoff import hand_off
from bot import handoff, labels, reasons
from bot.config import ROOT
from bot.desk.handoffs.models import PRIORITY_RANK
from bot.escalation import Rules, Turn, assess, load_rules
from bot.escalation import evaluate
from tests.test_actions import handoffs, make_tracker, run, texts, user

from rasa_sdk.executor import CollectingDispatcher


def test_the_labels_and_the_summary_phrases_come_from_the_registry():
    assert labels.REASONS == {key: r.label for key, r in reasons.REASONS.items()}
    assert labels.REASONS_BECAUSE == {key: r.because for key, r in reasons.REASONS.items()}
    assert labels.all_labels()["reasons"] == labels.REASONS
    assert labels.PRIORITIES == dict(reasons.PRIORITY_LABELS)


def test_the_desk_accepts_exactly_the_registered_reasons_with_their_priorities():
    assert handoff.REASONS == reasons.KEYS
    assert handoff.DEFAULT_PRIORITY == {key: r.priority for key, r in reasons.REASONS.items()}
    assert set(handoff.PRIORITIES) == set(PRIORITY_RANK) == set(reasons.PRIORITIES)
    assert sorted(PRIORITY_RANK, key=PRIORITY_RANK.get) == ["urgent", "high", "normal"]
    with pytest.raises(ValueError, match="unknown handoff reason"):
        handoff.build_context(conversation_id="c", reason="bored", transcript=[], topics=[], facts={}, bot_actions=[])
    for key, reason in reasons.REASONS.items():
        built = handoff.build_context(conversation_id="c", reason=key, transcript=[], topics=[], facts={},
                                      bot_actions=[], customer_texts=["hallo"])
        assert built["priority"] == reason.priority
        assert reason.because in built["summary"]


def test_the_message_check_takes_priorities_and_precedence_from_the_registry():
    rules = load_rules()
    assert rules.precedence == list(reasons.JUDGED)
    assert rules.priorities == {key: reasons.get(key).priority for key in reasons.JUDGED}
    raw = yaml.safe_load((ROOT / "escalation.yml").read_text(encoding="utf-8"))
    assert "priorities" not in raw and "precedence" not in raw  # defined once, in bot/reasons.py
    assert set(raw["thresholds"]) == set(reasons.JUDGED) == set(raw["signals"])
    assert evaluate.HANDED_OVER == set(reasons.KEYS)
    # legal_threat outranks frustration in the registry, so a furious threat is a legal threat, urgent
    result = assess([Turn("Dit is BELACHELIJK, ik stap naar de rechter!!!")])
    assert (result.reason, result.priority) == ("legal_threat", "urgent")


def test_escalation_rules_for_a_reason_the_registry_does_not_know_are_refused():
    raw = yaml.safe_load((ROOT / "escalation.yml").read_text(encoding="utf-8"))
    raw["thresholds"]["boredom"] = 0.5
    with pytest.raises(ValueError, match="boredom"):
        Rules(raw)
    raw = yaml.safe_load((ROOT / "escalation.yml").read_text(encoding="utf-8"))
    del raw["thresholds"]["frustration"]
    with pytest.raises(ValueError, match="frustration"):
        Rules(raw)


@pytest.mark.parametrize("key", [k for k in reasons.KEYS if k != "abuse"])
def test_the_customer_hears_the_registered_opening_of_each_reason(key):
    tracker = make_tracker([user("ik wil dit graag geregeld hebben", "inform")])
    dispatcher = CollectingDispatcher()
    hand_off(dispatcher, tracker, key, apologise=False)
    assert texts(dispatcher.messages).strip() == reasons.get(key).opening
    assert handoffs(dispatcher.messages)[0]["reason"] == key


async def test_a_sensitive_handoff_opens_with_the_sentence_of_its_signal():
    judgement = {"action": "handoff", "reason": "sensitive", "priority": "high",
                 "signals": [{"name": "bereavement", "reason": "sensitive", "evidence": "mijn vader is overleden"}]}
    tracker = make_tracker([user("mijn vader is overleden", "inform")], {"escalation": json.dumps(judgement)})
    messages, _ = await run(ActionEscalate(), tracker)
    assert texts(messages).strip() == reasons.get("sensitive").openings_by_signal["bereavement"]
    assert handoffs(messages)[0]["priority"] == "high"


async def test_a_second_insult_ends_with_the_registered_abuse_sentence():
    judgement = {"action": "end", "reason": "abuse", "priority": "high",
                 "signals": [{"name": "direct_insult", "reason": "abuse", "evidence": "sukkel"}]}
    tracker = make_tracker([user("sukkel", "inform")], {"escalation": json.dumps(judgement)})
    messages, _ = await run(ActionEscalate(), tracker)
    assert texts(messages).strip() == reasons.get("abuse").opening


def test_no_other_file_lists_reasons_by_hand():
    """A set, list or table of several reason keys outside the registry is a copy that a new reason misses."""
    listed = []
    for path in (p for d in ("bot", "actions") for p in (ROOT / d).rglob("*.py") if p != ROOT / "bot" / "reasons.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            items = node.elts if isinstance(node, (ast.Set, ast.List, ast.Tuple)) else \
                node.keys if isinstance(node, ast.Dict) else []
            keys = [i.value for i in items if isinstance(i, ast.Constant) and i.value in reasons.KEYS]
            if len(keys) > 2:  # two may be signals that share a reason's name ("not_understood", "bot_unavailable")
                listed.append(f"{path.relative_to(ROOT)}:{node.lineno}: {keys}")
    assert listed == []


SOURCES = [p for d in ("bot", "actions") for p in (ROOT / d).rglob("*") if p.suffix in (".py", ".js", ".html")
           and p != ROOT / "bot" / "reasons.py"]
KEY = "|".join(map(re.escape, reasons.KEYS))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_other_file_defines_a_reasons_label_priority_or_sentence(path: Path):
    text = path.read_text(encoding="utf-8")
    # a priority table keyed by reason
    assert not re.search(rf"""["']({KEY})["']\s*:\s*["'](urgent|high|normal)["']""", text), "a reason's priority"
    for reason in reasons.REASONS.values():
        for words in (reason.label, reason.because, reason.opening[:40]):
            assert words not in text, f"{words!r} is defined in bot/reasons.py"
