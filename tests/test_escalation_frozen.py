"""CI floors on the frozen part of the labelled escalation set (tests/data/escalation_frozen.yml): written by
rules of its own and never tuned on (issue 18). The floors are the values measured when the part was frozen
(bot/escalation/evaluate.py FROZEN_FLOORS); the goals stand next to them and the gap is printed."""
from __future__ import annotations

import subprocess
import sys

import yaml

from bot.config import ROOT
from bot.escalation.evaluate import (DATASET, FROZEN, FROZEN_FLOORS, GOALS, evaluate, evaluate_deadlines,
                                     evaluate_nonsense, load_items, main, measure)


def _texts(path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = set()
    for items in data.values():
        for item in items or []:
            turns = item.get("conversation") or [item["text"]]
            texts.add(" / ".join(t if isinstance(t, str) else t["text"] for t in turns).lower())
    return texts


def test_the_frozen_part_is_large_enough_and_shares_nothing_with_the_development_part():
    frozen, dev = _texts(FROZEN), _texts(DATASET)
    assert len(frozen) >= 200
    assert len(frozen) / (len(frozen) + len(dev)) >= 0.30
    assert not frozen & dev
    assert "NEVER TUNED ON" in FROZEN.read_text(encoding="utf-8").splitlines()[0]


def test_the_frozen_part_holds_the_floors(capsys):
    report = evaluate(load_items(FROZEN))
    with capsys.disabled():
        print(f"\nfrozen: recall {report.recall_must:.3f} (floor {FROZEN_FLOORS['recall']}, goal {GOALS['recall']}, "
              f"gap {max(0, GOALS['recall'] - report.recall_must):.3f}); false handoffs {report.false_handoff_rate:.1%} "
              f"(floor {FROZEN_FLOORS['false_handoffs']:.1%}, goal {GOALS['false_handoffs']:.0%}, gap "
              f"{max(0, report.false_handoff_rate - GOALS['false_handoffs']):.1%})")
    assert report.recall_must >= FROZEN_FLOORS["recall"]
    assert report.false_handoff_rate <= FROZEN_FLOORS["false_handoffs"]
    assert report.must_total >= 60 and report.calm_total >= 80


def test_the_frozen_part_holds_the_floors_for_deadlines_and_nonsense():
    deadlines = evaluate_deadlines(load_items(FROZEN, sections=("deadline",)))
    assert deadlines.accuracy >= FROZEN_FLOORS["deadlines"]
    nonsense = evaluate_nonsense(FROZEN)
    assert nonsense.recall >= FROZEN_FLOORS["nonsense_recall"]
    assert nonsense.false_rate <= FROZEN_FLOORS["nonsense_false"]


def test_the_report_shows_dev_and_frozen_apart_and_keeps_the_frozen_messages_to_itself(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| dev ") or
            line.startswith("| frozen ")}
    assert set(rows) >= {"dev", "frozen"}
    frozen = measure("frozen", FROZEN)
    assert f"{frozen.report.recall_must:.3f}" in rows["frozen"]
    assert f"gap to goal {max(0.0, GOALS['recall'] - frozen.report.recall_must):.3f}" in out
    assert "## frozen" in out and "Confusion" in out.split("## frozen")[1]
    missed_text = frozen.report.missed[0].split("  (expected")[0] if frozen.report.missed else None
    if missed_text:  # the frozen misses are not printed unless asked for
        assert missed_text not in out
        assert main(["--part", "frozen", "--list-misses"]) == 0
        assert missed_text in capsys.readouterr().out


def test_a_blind_set_in_the_same_format_is_read(tmp_path, capsys):
    blind = tmp_path / "escalation_blind.yml"
    blind.write_text(yaml.safe_dump({
        "calm": [{"text": "Wat kost verzenden naar Gent?"}],
        "escalate": [{"text": "Ik ga naar de rechter", "expect": "legal_threat", "priority": "urgent"}],
        "disputes": [], "deadline": [{"conversation": ["hoeveel dagen duurt bezorgen?"], "expect": "none"}],
        "nonsense": [{"text": "asdf qwer", "expect": "not_understood"}]}, allow_unicode=True), encoding="utf-8")
    assert main(["--file", str(blind)]) == 0
    out = capsys.readouterr().out
    assert "| file | 4 | 1.000 (1/1) | 0.0% (0/1) |" in out


def test_the_command_line_has_help_and_refuses_a_missing_file():
    run = lambda *a: subprocess.run([sys.executable, "-m", "bot.escalation.evaluate", *a],  # noqa: E731
                                    capture_output=True, text=True, cwd=ROOT)
    helped = run("--help")
    assert helped.returncode == 0 and "--part" in helped.stdout
    missing = run("--file", "/nonexistent.yml")
    assert missing.returncode == 2 and "no such file" in missing.stderr
