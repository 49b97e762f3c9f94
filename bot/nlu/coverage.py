"""`bot nlu coverage`: how the trained bot treats questions no topic answers, questions a topic answers in
unusual words, and strings of words that mean nothing in a shop (issue 18).

A coverage set is a YAML file with three lists (tests/data/coverage_dev.yml; the blind set has the same
form): `uncovered` ({text, style}), `covered` ({text, topic: faq/<key>, style}) and `no_meaning`
({text, style}). Every text goes through the trained model (NLU with the answer gate) and the escalation
check, and lands in one of three outcomes:

- *wrong and confident*: an FAQ answer the question does not ask for (any answer to an uncovered one),
  an order-number question or a return (the order flows), a handover with an apology for a complaint
  nobody made (the complaint intents, or the escalation check), or small talk as if it were a greeting;
- *honest*: "I do not know this one" with or without topics to choose, "I cannot help with that", or a
  colleague when the customer asked for one;
- *right*: the asked topic's answer (covered), or not understood (no meaning).
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

PARTS = ("uncovered", "covered", "no_meaning")
FLOWS = {"order_status": "vraagt om een bestelnummer", "return_request": "start een retour",
         "complain": "verbindt door met excuses", "product_issue": "verbindt door met excuses"}
HONEST = {"nlu_fallback", "out_of_scope"}


class CoverageFileError(ValueError):
    """The coverage file cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Case:
    part: str
    text: str
    topic: str | None = None
    style: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the bot would do with one message."""
    kind: str  # answer | dont_know | cannot_help | colleague | flow | escalation | other
    detail: str | None = None  # the FAQ key, the flow intent, the escalation reason, the intent
    options: tuple[str, ...] = ()


@dataclass
class Result:
    case: Case
    outcome: Outcome
    verdict: str  # wrong | honest | right


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def part(self, name: str) -> list[Result]:
        return [r for r in self.results if r.case.part == name]

    def count(self, verdict: str, part: str | None = None) -> int:
        return sum(1 for r in self.results if r.verdict == verdict and (part is None or r.case.part == part))

    def share(self, verdict: str, parts: Iterable[str] = ("uncovered", "covered")) -> float:
        chosen = [r for r in self.results if r.case.part in parts]
        return sum(1 for r in chosen if r.verdict == verdict) / len(chosen) if chosen else 0.0


def load(path: Path) -> list[Case]:
    """The cases of a coverage file, or CoverageFileError saying what is wrong with it."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CoverageFileError(f"{path}: cannot read it as YAML ({exc})") from exc
    if not isinstance(data, dict) or not any(part in data for part in PARTS):
        raise CoverageFileError(f"{path}: expected the lists {', '.join(PARTS)} at the top level")
    unknown = set(data) - set(PARTS)
    if unknown:
        raise CoverageFileError(f"{path}: unknown top-level keys {', '.join(sorted(unknown))}")
    cases: list[Case] = []
    for part in PARTS:
        for number, item in enumerate(data.get(part) or [], start=1):
            if not isinstance(item, dict) or not str(item.get("text") or "").strip():
                raise CoverageFileError(f"{path}: {part} item {number} has no text")
            topic = item.get("topic")
            if part == "covered" and not (isinstance(topic, str) and topic.startswith("faq/")):
                raise CoverageFileError(f"{path}: covered item {number} needs a topic like faq/delivery_time")
            cases.append(Case(part, str(item["text"]), topic if part == "covered" else None, item.get("style")))
    return cases


def outcome_of(parse: dict[str, Any], escalation: str | None = None) -> Outcome:
    """What the bot does with a message, from its parse result (after the answer gate) and the escalation
    check's action for it ("handoff", "warn", ... or None)."""
    if escalation in ("handoff", "end"):
        return Outcome("escalation", escalation)
    intent = (parse.get("intent") or {}).get("name")
    if intent == "faq":
        selected = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        return Outcome("answer", selected.get("intent_response_key"))
    if intent == "nlu_fallback":
        return Outcome("dont_know", None, tuple(parse.get("faq_options") or ()))
    if intent == "out_of_scope":
        return Outcome("cannot_help")
    if intent == "request_human":
        return Outcome("colleague")
    if intent in FLOWS:
        return Outcome("flow", intent)
    return Outcome("other", intent)


def verdict(case: Case, outcome: Outcome) -> str:
    if outcome.kind in ("dont_know", "cannot_help", "colleague"):
        if case.part == "no_meaning" and outcome.kind != "colleague":
            return "right"
        return "honest"
    if case.part == "covered" and outcome.kind == "answer" and outcome.detail == case.topic:
        return "right"
    return "wrong"


class Parser:
    """The trained model, loaded once (Rasa's Agent; the same NLU graph as the running bot)."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        self.agent = Agent.load(str(model))

    def parse(self, text: str) -> dict[str, Any]:
        return asyncio.run(self.agent.parse_message(text))


def escalation_action(text: str) -> str | None:
    from bot.escalation import Turn, assess

    action = assess([Turn(text)]).action
    return None if action == "none" else action


def evaluate(cases: list[Case], parse) -> Report:
    """`parse`: text -> Rasa parse result (a Parser's `parse`, or anything that gives the same shape)."""
    report = Report()
    for case in cases:
        outcome = outcome_of(parse(case.text), escalation_action(case.text))
        report.results.append(Result(case, outcome, verdict(case, outcome)))
    return report


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


def _describe(outcome: Outcome) -> str:
    if outcome.kind == "answer":
        return f"FAQ-antwoord {outcome.detail}"
    if outcome.kind == "dont_know":
        return "weet het niet" + (f", biedt {' / '.join(outcome.options)}" if outcome.options else "")
    if outcome.kind == "flow":
        return FLOWS.get(outcome.detail or "", outcome.detail or "")
    if outcome.kind == "escalation":
        return f"escalatie ({outcome.detail})"
    return {"cannot_help": "kan niet helpen", "colleague": "collega"}.get(outcome.kind, f"intent {outcome.detail}")


def lines(report: Report, *, show_wrong: bool = True) -> list[str]:
    """The figures as text: per part, and the wrong confident cases one per line."""
    out = []
    questions = report.part("uncovered") + report.part("covered")
    for part in PARTS:
        results = report.part(part)
        if not results:
            continue
        total = len(results)
        with_options = sum(1 for r in results if r.outcome.kind == "dont_know" and r.outcome.options)
        out.append(f"{part}: {total}")
        out.append(f"  wrong confident answers : {_pct(report.count('wrong', part), total)}")
        out.append(f"  honest, don't know      : {_pct(report.count('honest', part), total)}"
                   f" (with topics to choose: {with_options})")
        out.append(f"  right                   : {_pct(report.count('right', part), total)}")
    if questions:
        wrong = sum(1 for r in questions if r.verdict == "wrong")
        out.append(f"questions (uncovered + covered): wrong confident {_pct(wrong, len(questions))}")
    kinds = Counter(r.outcome.kind for r in report.results if r.verdict == "wrong")
    if kinds:
        out.append("wrong by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    if show_wrong:
        for r in report.results:
            if r.verdict == "wrong":
                expected = f" (verwacht {r.case.topic})" if r.case.topic else ""
                out.append(f"  WRONG [{r.case.part}] {r.case.text!r} -> {_describe(r.outcome)}{expected}")
    return out
