"""The escalation detector: signals with evidence, decisions, tone-independent rules, the labelled set."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from bot.escalation import RULES_FILE, Rules, Turn, assess
from bot.escalation.evaluate import (DATASET, check_summaries, evaluate, evaluate_deadlines, evaluate_nonsense, load_items,
                                     render)

# On 2026-12-05 the development part grew from 472 to 744 items written apart from the rules (sarcasm, restrained
# anger, repeated questions in new words): recall fell from 1.000 to 0.938 and nonsense caught from 90.5 to 89.8 %
# on the larger set. The floors are that set's measured values (docs/escalation.md): a regression guard, not a goal.
RECALL_FLOOR = 0.93
NONSENSE_FLOOR = 0.89
FALSE_HANDOFF_CEILING = 0.05


def judge(*texts, **kwargs):
    return assess([Turn(t) for t in texts], **kwargs)


@pytest.mark.parametrize("text", [
    "Ik wil GRAAG weten wat verzenden kost", "Top, bedankt!!!", "helaas is mijn pakket er nog niet",
    "Bezorgen jullie met PostNL of DHL?", "Mijn ordernummer is WS-100001, postcode 1234 AB", "NEE DANK JE",
])
def test_the_calm_traps_of_the_issue_stay_with_the_bot(text):
    assert judge(text).action == "none"


def test_a_caps_rant_is_frustration_with_the_shouting_as_evidence():
    result = judge("WAAR BLIJFT MIJN PAKKET, DIT IS BELACHELIJK!!!")
    assert (result.action, result.reason, result.priority) == ("handoff", "frustration", "urgent")
    names = {s.name: s.evidence for s in result.signals}
    assert names["caps_lock"].startswith("WAAR BLIJFT") and "BELACHELIJK" in names["negative_judgement"]


def test_swearing_at_the_situation_is_frustration_but_an_insult_is_abuse():
    assert judge("Kut, mijn pakket is er nog steeds niet").reason == "frustration"
    insult = judge("jij bent een idioot")
    assert (insult.reason, insult.action) == ("abuse", "warn")
    assert judge("jij bent een idioot", previous_warnings=1).action == "end"


@pytest.mark.parametrize("text, reason, priority", [
    ("Mijn advocaat neemt contact met jullie op", "legal_threat", "urgent"),
    ("Mijn hond heeft het vlooienmiddel ingeslikt, wat moet ik doen?", "sensitive", "high"),
    ("Ik wil een schadevergoeding voor al dit gedoe", "complexity", "normal"),
    ("Je begrijpt me niet", "not_understood", "normal"),
])
def test_each_reason_has_its_priority(text, reason, priority):
    result = judge(text)
    assert (result.reason, result.priority) == (reason, priority)
    assert result.explanation().startswith(reason)


def test_a_question_the_bot_already_answered_counts_as_repeated():
    turns = [Turn("Wanneer krijg ik mijn geld terug van de retour?", intent="faq"),
             Turn("Je krijgt je geld binnen 5 werkdagen terug.", sender="bot"),
             Turn("Maar wanneer krijg ik mijn geld terug van de retour?", intent="faq")]
    assert assess(turns).reason == "repeated_question"


def test_anger_lingers_for_one_message():
    assert judge("Dit duurt lang!!!").action == "none"
    assert judge("WAAROM DUURT DIT ZO LANG", "Dit duurt lang!!!").reason == "frustration"


def test_editors_change_the_rules_in_yaml(tmp_path):
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    raw["signals"]["frustration"]["negative_judgement"]["words"].append("sloom")
    rules = Rules(raw)
    assert assess([Turn("Wat een sloom bedrijf")]).action == "none"
    assert assess([Turn("Wat een sloom bedrijf")], rules=rules).reason == "frustration"


def test_the_cli_reads_a_conversation_as_json():
    result = subprocess.run([sys.executable, "-m", "bot.escalation"], input=json.dumps(
        ["Waar is mijn pakket?", "Ik stap naar de rechter als het er morgen niet is"]),
        capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    assert data["escalate"] and data["reason"] == "legal_threat" and data["priority"] == "urgent"
    assert data["signals"][0]["evidence"] == "Ik stap naar de rechter als het er morgen niet is"
    bad = subprocess.run([sys.executable, "-m", "bot.escalation"], input="<geen json>", capture_output=True, text=True)
    assert bad.returncode == 2 and "JSON" in bad.stderr


def test_the_labelled_set_meets_the_floors(capsys):
    items = load_items()
    deadlines = load_items(sections=("deadline",))
    nonsense = yaml.safe_load(DATASET.read_text(encoding="utf-8"))["nonsense"]
    assert len(items) + len(deadlines) + len(nonsense) >= 400
    multi_turn = [i for i in deadlines + [i for i in items if i.section == "disputes"] if len(i.turns) > 1]
    assert len(multi_turn) >= 60 and sum(1 for n in nonsense if n["expect"] == "not_understood") >= 40
    calm = sum(1 for item in items if item.expect == "calm")
    assert calm >= sum(1 for item in items if item.expect != "calm")
    report = evaluate(items)
    with capsys.disabled():
        print(f"\nescalation: recall {report.recall_must:.3f} on {report.must_total} items that must be handed "
              f"over, false handoffs {report.false_handoff_rate:.1%} on {report.calm_total} calm items")
    assert report.recall_must >= RECALL_FLOOR, render(report)
    assert report.false_handoff_rate <= FALSE_HANDOFF_CEILING, render(report)
    for reason in ("frustration", "abuse", "legal_threat", "sensitive", "complexity", "not_understood", "repeated_question"):
        assert report.per_reason[reason][3] >= 5, f"too few items for {reason}"


def test_deadlines_named_in_any_turn_are_judged_right(capsys):
    report = evaluate_deadlines(load_items(sections=("deadline",)))
    with capsys.disabled():
        print(f"\ndeadlines: {report.right}/{report.total} right")
    assert report.accuracy >= 0.95, "\n".join(report.wrong)


def test_messages_the_bot_cannot_understand_are_set_aside_and_ordinary_ones_are_not(capsys):
    report = evaluate_nonsense()
    with capsys.disabled():
        print(f"\nnonsense: {report.caught}/{report.nonsense} caught, {len(report.flagged_understood)}/"
              f"{report.understood} ordinary messages set aside")
    assert report.recall >= NONSENSE_FLOOR, report.missed
    assert report.false_rate <= 0.05, report.flagged_understood


def test_every_summary_of_the_set_holds_order_and_deadline_and_claims_nothing_else(capsys):
    checked, problems = check_summaries()
    with capsys.disabled():
        print(f"\nsummaries: {checked} hand-over cases checked, {len(problems)} problems")
    assert checked >= 150 and problems == []


def test_a_disagreement_after_a_no_is_acknowledged_once_then_handed_over():
    refusal = Turn("De retourtermijn liep tot en met 9 november.", sender="bot", response="utter_return_term_passed")
    first = assess([Turn("retour WS-100003"), refusal, Turn("dat vind ik niet redelijk, ik wil toch mijn geld terug")])
    assert first.action == "acknowledge" and first.signals[0].name == "disputes_refusal"
    acknowledged = Turn("Ik begrijp het.", sender="bot", response="utter_acknowledge_disagreement")
    second = assess([Turn("retour WS-100003"), refusal, Turn("onredelijk"), acknowledged,
                     Turn("ik was op vakantie, daarom kon ik het niet eerder terugsturen")])
    assert (second.action, second.reason) == ("handoff", "complexity")
    assert assess([Turn("retour WS-100003"), refusal, Turn("oké, jammer")]).action == "none"
    assert assess([Turn("Hoe werkt retourneren?"), Turn("30 dagen.", sender="bot", response="utter_faq/return_policy"),
                   Turn("dat vind ik niet redelijk")]).action == "none"  # a general answer refused nobody
