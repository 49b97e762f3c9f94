"""How the answer gate's thresholds (bot/answer_gate.py) were chosen: every message of the development
coverage set goes through the trained model once; then the gate is replayed with each combination of
thresholds on the classifiers' own figures (which the gate keeps in the parse output), and the figures of
`bot nlu coverage` are printed for each. Tune on the development set only, never on a blind set.

    .venv/bin/python -m bench.answer_gate_thresholds [tests/data/coverage_dev.yml] [--model models/balie.tar.gz]
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

from bot import answer_gate
from bot.config import ROOT
from bot.nlu import coverage

FALLBACK_THRESHOLD, AMBIGUITY = 0.45, 0.05  # the FallbackClassifier in config.yml


def replay(parse: dict[str, Any], thresholds: answer_gate.Thresholds) -> dict[str, Any]:
    """The parse result as the gate would have left it with these thresholds."""
    gate = parse.get("answer_gate") or {}
    if gate.get("chosen") or gate.get("why") == "nonsense":
        return parse
    intents = [r for r in parse.get("intent_ranking") or [] if r.get("name") != answer_gate.FALLBACK]
    if not intents:
        return parse
    top = intents[0]
    second = float(intents[1]["confidence"]) if len(intents) > 1 else 0.0
    ranking = answer_gate.answer_ranking(parse)
    unsure = float(top["confidence"]) < FALLBACK_THRESHOLD or float(top["confidence"]) - second < AMBIGUITY
    if unsure:
        offer = answer_gate.options(ranking) if top["name"] == answer_gate.RETRIEVAL_INTENT else ()
        return {**parse, "intent": {"name": answer_gate.FALLBACK}, "faq_options": list(offer)}
    judgement = answer_gate.judge(top["name"], float(top["confidence"]), ranking, thresholds, parse.get("text") or "")
    if judgement.sure:
        return {**parse, "intent": {"name": top["name"], "confidence": top["confidence"]}}
    return {**parse, "intent": {"name": answer_gate.FALLBACK}, "faq_options": list(judgement.options)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "tests" / "data" / "coverage_dev.yml"))
    parser.add_argument("--model", default=str(ROOT / "models" / "balie.tar.gz"))
    args = parser.parse_args()
    cases = coverage.load(Path(args.file))
    model = coverage.Parser(Path(args.model))
    parses = {c.text: model.parse(c.text) for c in cases}
    escalations = {c.text: coverage.escalation_action(c.text) for c in cases}
    print("intent answer margin flow small_talk own_case | wrong% uncovered-wrong covered-wrong | covered-right% "
          "| honest%")
    rows = []
    for intent, answer, margin, flow, small_talk, own_case in itertools.product(
            (0.45, 0.5, 0.6, 0.7, 0.8), (0.3, 0.4, 0.5, 0.55, 0.6, 0.7), (0.0, 0.1, 0.2, 0.25, 0.3, 0.4),
            (0.45, 0.6, 0.7, 0.8, 0.9, 0.95), (0.0, 0.5, 0.6, 0.7), (False, True)):
        t = answer_gate.Thresholds(intent, answer, margin, flow, small_talk, own_case)
        report = coverage.Report()
        for case in cases:
            outcome = coverage.outcome_of(replay(parses[case.text], t), escalations[case.text])
            report.results.append(coverage.Result(case, outcome, coverage.verdict(case, outcome)))
        covered = report.part("covered")
        rows.append((report.share("wrong"), -report.count("right", "covered"), t, report))
    rows.sort(key=lambda r: (round(r[0], 4), r[1]))
    for wrong, _, t, report in rows[:40]:
        covered = len(report.part("covered"))
        print(f"{t.intent:.2f} {t.answer:.2f} {t.margin:.2f} {t.flow:.2f} {t.small_talk:.2f} {t.own_case!s:5} | "
              f"{100 * wrong:5.1f} "
              f"{report.count('wrong', 'uncovered'):3d} {report.count('wrong', 'covered'):3d} | "
              f"{100 * report.count('right', 'covered') / covered:5.1f} | {100 * report.share('honest'):5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
