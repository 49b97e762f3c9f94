"""`make eval-escalation`: on the labelled Dutch set (tests/data/escalation_eval.yml)

- precision, recall and F1 per reason, the confusion between reasons and the false-handoff rate
  (calm, escalate and disputes: what bot/escalation decides, also "acknowledge" after a refusal);
- deadlines named in any turn, judged against a known order (deadline section);
- messages the bot cannot understand at all (nonsense section, bot/understanding.py);
- the agent's summary for every case that is handed over: it holds the order number the customer gave
  and the deadline they named, and claims nothing the transcript does not show.

Three parts, reported separately (issue 18, "measure honestly"):
- dev: tests/data/escalation_eval.yml, the part the rules are tuned on;
- frozen: tests/data/escalation_frozen.yml, written by rules of its own and never tuned on; CI floors hold here
  (tests/test_escalation_frozen.py), next to the goals;
- blind: tests/data/blind/escalation_blind.yml when it exists, written by someone who never saw the rules.
The messages the frozen and blind parts miss are listed only with --list-misses: reading them invites tuning.

    python -m bot.escalation.evaluate                 all parts (make eval-escalation)
    python -m bot.escalation.evaluate --part frozen   one part
    python -m bot.escalation.evaluate --file x.yml    any file in the same format
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import yaml

from bot import reasons
from bot.config import ROOT
from bot.delivery import arrives_in_time, needed_by
from bot.escalation import Assessment, Turn, assess, turns_from_json
from bot.summary import SummaryInput, sentences, typed_order_numbers
from bot.webshop.identifiers import ORDER_NUMBER

DATASET = ROOT / "tests" / "data" / "escalation_eval.yml"  # the development part
FROZEN = ROOT / "tests" / "data" / "escalation_frozen.yml"
BLIND = ROOT / "tests" / "data" / "blind" / "escalation_blind.yml"
PARTS = {"dev": DATASET, "frozen": FROZEN, "blind": BLIND}
# The goals, and the floors CI holds on the frozen part: today's measured values (2026-12-05, rules of
# main at b449ab4). Raise a floor when the frozen figure rises; never lower it to make a change pass.
GOALS = {"recall": 0.97, "false_handoffs": 0.01}
# Measured 2026-12-05 on main at b449ab4: recall 40/75, false handoffs 9/88, deadlines 13/19; after the
# issue-18 judgement merge: recall 41/75, false handoffs 5/88, deadlines 18/19, nonsense 3/10, 0/10 set aside;
# with the learned judgement (bot/escalation/learned.py): recall 45/75, false handoffs 5/88.
# The frozen part grew to 352 items on 2026-12-05 (a second batch written by its own rules, apart from the detector,
# so that it stays above 30 % of the whole set next to the grown dev part): on the larger part, at f161d9a, recall
# 77/140, false handoffs 7/153, deadlines 29/32, nonsense 5/15, 0/12 set aside. The floors are those values.
FROZEN_FLOORS = {"recall": 0.549, "false_handoffs": 0.046, "deadlines": 0.90, "nonsense_recall": 0.33,
                 "nonsense_false": 0.0}
# The bot's whole judgement (the check plus the NLU's own handovers, bot/escalation/with_nlu.py) on the held-out
# sets, and wrong confident answers on the blind coverage set: measured 2026-12-05 at f161d9a
# (tests/test_held_out_with_nlu.py). frozen 87/140, 14/153; blind 82/152, 13/156; blind coverage 16/175.
HELD_OUT_FLOORS = {"frozen": {"recall": 0.62, "false_handoffs": 0.092},
                   "blind": {"recall": 0.539, "false_handoffs": 0.084},
                   "coverage_blind": {"wrong": 0.092}}
HANDED_OVER = set(reasons.KEYS)  # every reason of the registry is a handover


@dataclass(frozen=True)
class Item:
    turns: list
    expect: str  # a reason, "calm", "acknowledge", or for deadlines: deadline_at_risk | on_time | ask_order | none
    trap: str | None = None
    priority: str | None = None
    order: str | None = None
    section: str = "escalate"


def load_items(path: Path = DATASET, sections: tuple[str, ...] = ("calm", "escalate", "disputes")) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for section in sections:
        default = "calm" if section == "calm" else None
        for raw in data.get(section) or []:
            turns = turns_from_json(raw["conversation"] if "conversation" in raw else [raw["text"]])
            items.append(Item(turns, raw.get("expect", default), raw.get("trap"), raw.get("priority"),
                              raw.get("order"), section))
    return items


def predicted(result: Assessment) -> str:
    # A warning (first insult) is the abuse decision too: the bot acts on it.
    if result.action == "acknowledge":
        return "acknowledge"
    return result.reason if result.action != "none" else "calm"


@dataclass
class Report:
    per_reason: dict[str, tuple[float, float, float, int]]
    confusion: Counter
    calm_total: int
    false_handoffs: list[str]
    must_total: int
    missed: list[str]
    wrong_priority: list[str]

    @property
    def recall_must(self) -> float:
        return 1 - len(self.missed) / self.must_total if self.must_total else 1.0

    @property
    def false_handoff_rate(self) -> float:
        return len(self.false_handoffs) / self.calm_total if self.calm_total else 0.0


def evaluate(items: list[Item], judge: Callable[[list], str] | None = None) -> Report:
    """`judge`: decides an item's turns instead of the escalation check alone (bot/escalation/with_nlu.py)."""
    pairs = []
    confusion: Counter = Counter()
    false_handoffs, missed, wrong_priority = [], [], []
    for item in items:
        result = assess(item.turns) if judge is None else Assessment()
        got = predicted(result) if judge is None else judge(item.turns)
        pairs.append((item.expect, got))
        confusion[(item.expect, got)] += 1
        text = item.turns[-1].text
        if item.expect in ("calm", "acknowledge") and got in HANDED_OVER:
            false_handoffs.append(f"{text}  -> {got}: {result.explanation()}")
        if item.expect in HANDED_OVER and got not in HANDED_OVER:
            missed.append(f"{text}  (expected {item.expect}, got {got})")
        if judge is None and item.priority and got == item.expect and result.priority != item.priority:
            wrong_priority.append(f"{text}  (priority {result.priority}, expected {item.priority})")
    reasons = sorted({e for e, _ in pairs} | {g for _, g in pairs})
    per_reason = {}
    for reason in reasons:
        tp = sum(1 for e, g in pairs if e == reason and g == reason)
        fp = sum(1 for e, g in pairs if e != reason and g == reason)
        fn = sum(1 for e, g in pairs if e == reason and g != reason)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_reason[reason] = (precision, recall, f1, tp + fn)
    calm_total = sum(1 for item in items if item.expect in ("calm", "acknowledge"))
    must_total = sum(1 for item in items if item.expect in HANDED_OVER)
    return Report(per_reason, confusion, calm_total, false_handoffs, must_total, missed, wrong_priority)


# --- deadlines ------------------------------------------------------------------------------------------
def _orders(now: datetime) -> dict:
    from bot.webshop.demo import demo_orders

    return {order.number: order for order in demo_orders(today=now.date())}


def deadline_outcome(item: Item, now: datetime, orders: dict) -> tuple[str, object]:
    """What the bot does with the latest named deadline: as actions/orders.py decides it."""
    texts = [t.text for t in item.turns if t.sender == "customer"]
    deadline = next((d for d in (needed_by(t, now) for t in reversed(texts)) if d), None)
    if deadline is None:
        return "none", None
    order = orders.get(item.order) if item.order else None
    if order is None:
        return "ask_order", deadline
    on_time = order.status == "delivered" or arrives_in_time(order.expected_until, deadline)
    return ("on_time" if on_time else "deadline_at_risk"), deadline


@dataclass
class DeadlineReport:
    total: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    confusion: Counter = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


def evaluate_deadlines(items: list[Item], now: datetime | None = None) -> DeadlineReport:
    now = now or datetime.now()
    orders = _orders(now)
    report = DeadlineReport()
    for item in items:
        got, _ = deadline_outcome(item, now, orders)
        report.total += 1
        report.confusion[(item.expect, got)] += 1
        if got == item.expect:
            report.right += 1
        else:
            report.wrong.append(f"{' / '.join(t.text for t in item.turns)}  (expected {item.expect}, got {got})")
    return report


# --- nonsense -------------------------------------------------------------------------------------------
@dataclass
class NonsenseReport:
    caught: int = 0
    nonsense: int = 0
    flagged_understood: list[str] = field(default_factory=list)
    understood: int = 0
    missed: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.caught / self.nonsense if self.nonsense else 1.0

    @property
    def false_rate(self) -> float:
        return len(self.flagged_understood) / self.understood if self.understood else 0.0


def evaluate_nonsense(path: Path = DATASET, data_dir: Path | None = None) -> NonsenseReport:
    from bot.understanding import judge, vocabulary_of

    vocabulary = vocabulary_of(data_dir or ROOT / "data", ROOT / "domain.yml")
    report = NonsenseReport()
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")).get("nonsense") or []:
        text = raw["text"]
        why = judge(text, vocabulary)
        if why and assess([Turn(text)]).action != "none":
            why = None  # as the NLU component: what the escalation check acts on is always heard
        if raw["expect"] == "not_understood":
            report.nonsense += 1
            if why:
                report.caught += 1
                report.kinds[why] += 1
            else:
                report.missed.append(text)
        else:
            report.understood += 1
            if why:
                report.flagged_understood.append(f"{text}  ({why})")
    return report


# --- the agent's summary --------------------------------------------------------------------------------
_QUOTE = re.compile(r"“([^”]+)”")


def summary_problems(item: Item, reason: str, result: Assessment | None, now: datetime, orders: dict) -> list[str]:
    """What the summary would get wrong for this conversation (empty when it is right)."""
    texts = [t.text for t in item.turns if t.sender == "customer"]
    facts: dict = {}
    deadline = next((d for d in (needed_by(t, now) for t in reversed(texts)) if d), None)
    verified = item.order if item.order in orders else None
    if verified:
        facts.update({"order_number": verified, "postcode_verified": True})
    if deadline:
        facts.update({"deadline": deadline.label, "deadline_words": deadline.evidence})
        if deadline.reason:
            facts["deadline_reason"] = deadline.reason
    signals = [{"name": s.name, "evidence": s.evidence} for s in (result.signals if result else [])]
    topics = [t.intent for t in item.turns if t.sender == "customer" and t.intent in ("order_status", "return_request",
                                                                                   "complain", "product_issue")]
    said = sentences(SummaryInput(reason=reason, customer_texts=texts, topics=topics, signals=signals, facts=facts,
                                  bot_actions=[]))
    summary = " ".join(said)
    problems = []
    if not 2 <= len(said) <= 4:
        problems.append(f"{len(said)} sentences")
    for number in typed_order_numbers(texts):
        if number not in summary:
            problems.append(f"order number {number} missing")
    for match in ORDER_NUMBER.finditer(summary):
        if f"WS-{match.group(1)}" not in typed_order_numbers(texts):
            problems.append(f"order number WS-{match.group(1)} was never given")
    if deadline and deadline.label not in summary:
        problems.append(f"deadline {deadline.label!r} missing")
    if not deadline and "Nodig:" in summary:
        problems.append("a deadline that was never named")
    if not verified and "gecontroleerd met" in summary:
        problems.append("claims a checked order")
    if "vond de bot geen bestelling" in summary:
        problems.append("claims a failed lookup")
    for quote in _QUOTE.findall(summary):
        words = quote.rstrip("…")
        if not any(words in " ".join(t.split()) for t in texts):
            problems.append(f"quote not in the transcript: {quote!r}")
    return problems


def check_summaries(path: Path = DATASET, now: datetime | None = None) -> tuple[int, list[str]]:
    """Every hand-over case of the set: (how many were checked, what was wrong)."""
    now = now or datetime.now()
    orders = _orders(now)
    checked, wrong = 0, []
    for item in load_items(path):
        result = assess(item.turns)
        reason = predicted(result)
        if reason not in HANDED_OVER:
            continue
        checked += 1
        wrong += [f"{item.turns[-1].text}: {p}" for p in summary_problems(item, reason, result, now, orders)]
    for item in load_items(path, sections=("deadline",)):
        if item.expect != "deadline_at_risk":
            continue
        checked += 1
        wrong += [f"{item.turns[-1].text}: {p}" for p in summary_problems(item, "deadline_at_risk", None, now, orders)]
    return checked, wrong


# --- printing -------------------------------------------------------------------------------------------
def render(report: Report) -> str:
    lines = ["| reason | precision | recall | F1 | items |", "|---|---|---|---|---|"]
    for reason, (p, r, f, n) in report.per_reason.items():
        lines.append(f"| {reason} | {p:.2f} | {r:.2f} | {f:.2f} | {n} |")
    reasons = list(report.per_reason)
    lines += ["", "Confusion (rows: expected, columns: predicted):", "",
              "| expected \\ predicted | " + " | ".join(reasons) + " |", "|---" * (len(reasons) + 1) + "|"]
    for expected in reasons:
        row = [str(report.confusion.get((expected, got), 0) or "·") for got in reasons]
        lines.append(f"| {expected} | " + " | ".join(row) + " |")
    lines += ["", f"Recall on items that must be handed over: {report.recall_must:.3f} "
                  f"({report.must_total - len(report.missed)}/{report.must_total})",
              f"False handoffs on calm items: {report.false_handoff_rate:.1%} "
              f"({len(report.false_handoffs)}/{report.calm_total})"]
    for title, rows in (("Missed", report.missed), ("False handoffs", report.false_handoffs),
                        ("Wrong priority", report.wrong_priority)):
        if rows:
            lines += ["", f"{title}:"] + [f"- {row}" for row in rows]
    return "\n".join(lines)


def render_more(deadlines: DeadlineReport, nonsense: NonsenseReport, summaries: tuple[int, list[str]]) -> str:
    lines = ["", f"Deadlines named in any turn: {deadlines.right}/{deadlines.total} right ({deadlines.accuracy:.1%})"]
    outcomes = sorted({e for e, _ in deadlines.confusion} | {g for _, g in deadlines.confusion})
    lines += ["", "| expected \\ got | " + " | ".join(outcomes) + " |", "|---" * (len(outcomes) + 1) + "|"]
    for expected in outcomes:
        lines.append(f"| {expected} | " + " | ".join(str(deadlines.confusion.get((expected, g), 0) or "·")
                                                      for g in outcomes) + " |")
    lines += [f"- {row}" for row in deadlines.wrong]
    lines += ["", f"Not understood at all: {nonsense.caught}/{nonsense.nonsense} nonsense messages caught "
                  f"({nonsense.recall:.1%}; {dict(nonsense.kinds)}), {len(nonsense.flagged_understood)}/"
                  f"{nonsense.understood} ordinary messages wrongly set aside ({nonsense.false_rate:.1%})"]
    lines += [f"- missed: {t}" for t in nonsense.missed] + [f"- set aside: {t}" for t in nonsense.flagged_understood]
    checked, wrong = summaries
    lines += ["", f"Agent summaries: {checked} hand-over cases checked (order number, deadline, nothing the transcript "
                  f"does not show, 2-4 sentences): {len(wrong)} problem(s)"]
    lines += [f"- {row}" for row in wrong]
    return "\n".join(lines)


@dataclass
class PartFigures:
    name: str
    path: Path
    report: Report
    deadlines: DeadlineReport
    nonsense: NonsenseReport
    summaries: tuple[int, list[str]]

    @property
    def items(self) -> int:
        return (sum(self.report.confusion.values()) + self.deadlines.total + self.nonsense.nonsense
                + self.nonsense.understood)

    def row(self) -> str:
        r, d, n = self.report, self.deadlines, self.nonsense
        return (f"| {self.name} | {self.items} | {r.recall_must:.3f} ({r.must_total - len(r.missed)}/{r.must_total}) | "
                f"{r.false_handoff_rate:.1%} ({len(r.false_handoffs)}/{r.calm_total}) | "
                f"{d.accuracy:.1%} ({d.right}/{d.total}) | {n.recall:.1%} ({n.caught}/{n.nonsense}) | "
                f"{n.false_rate:.1%} ({len(n.flagged_understood)}/{n.understood}) | {len(self.summaries[1])} |")


def with_nlu_reports(chosen: list[tuple[str, Path]], model: Path) -> list[tuple[str, Report]]:
    from bot.escalation import with_nlu

    parse = with_nlu.model_parse(model)
    rows = []
    for name, path in chosen:
        items = load_items(path)
        parsed = with_nlu.parse_all((t.text for i in items for t in i.turns if t.sender == "customer"), parse)
        rows.append((name, evaluate(items, with_nlu.judge_with(parsed))))
    return rows


def measure(name: str, path: Path) -> PartFigures:
    return PartFigures(name, path, evaluate(load_items(path)), evaluate_deadlines(load_items(path, sections=("deadline",))),
                       evaluate_nonsense(path), check_summaries(path))


def render_overview(parts: list[PartFigures]) -> str:
    lines = ["| part | items | handover recall | false handoffs (calm) | deadlines right | nonsense caught | "
             "ordinary set aside | summary problems |", "|---" * 8 + "|"]
    lines += [part.row() for part in parts]
    frozen = next((p for p in parts if p.name == "frozen"), None)
    if frozen:
        recall, false = frozen.report.recall_must, frozen.report.false_handoff_rate
        lines += ["", "Frozen part against the goals (CI floors: tests/test_escalation_frozen.py):",
                  f"- handover recall {recall:.3f}: goal >= {GOALS['recall']:.2f}, floor >= {FROZEN_FLOORS['recall']:.3f}"
                  f", gap to goal {max(0.0, GOALS['recall'] - recall):.3f}",
                  f"- false handoffs {false:.1%}: goal <= {GOALS['false_handoffs']:.0%}, floor <= "
                  f"{FROZEN_FLOORS['false_handoffs']:.1%}, gap to goal {max(0.0, false - GOALS['false_handoffs']):.1%}"]
    return "\n".join(lines)


def render_with_nlu(rows: list[tuple[str, Report]], model: Path) -> str:
    """The bot's judgement: the escalation check and the NLU's own handovers (bot/escalation/with_nlu.py)."""
    lines = ["", f"The bot's judgement: the escalation check plus the intents that hand over (a request for a person, "
                 f"a complaint) and two misunderstood messages in a row, every customer turn read by {model.name}:", "",
             "| part | handover recall | false handoffs (calm) |", "|---|---|---|"]
    for name, report in rows:
        lines.append(f"| {name} | {report.recall_must:.3f} ({report.must_total - len(report.missed)}/{report.must_total})"
                     f" | {report.false_handoff_rate:.1%} ({len(report.false_handoffs)}/{report.calm_total}) |")
    return "\n".join(lines)


def render_part(part: PartFigures, list_misses: bool) -> str:
    where = part.path.relative_to(ROOT) if part.path.is_relative_to(ROOT) else part.path
    text = render(part.report) + render_more(part.deadlines, part.nonsense, part.summaries)
    if not list_misses:  # the per-reason figures and the confusion only: no messages to tune on
        text = "\n".join(line for line in text.splitlines() if not line.startswith("- ")
                         and not line.rstrip().endswith(":") or line.startswith("Confusion"))
        text += "\n(the messages themselves: --list-misses; do not tune the rules on them)"
    return f"\n## {part.name}: {where}\n\n{text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.escalation.evaluate",
                                     description="The escalation check on the labelled Dutch sets: dev, frozen and "
                                                 "(when it exists) blind, reported separately.")
    parser.add_argument("--part", choices=("all", *PARTS), default="all", help="which part (default: all there are)")
    parser.add_argument("--file", type=Path, help="evaluate this file instead (the same format)")
    parser.add_argument("--list-misses", action="store_true",
                        help="also list the messages the frozen and blind parts get wrong (the dev part always)")
    parser.add_argument("--with-nlu", nargs="?", const=ROOT / "models" / "balie.tar.gz", type=Path, metavar="MODEL",
                        help="also judge as the bot does, with the NLU's own handovers (default model: "
                             "models/balie.tar.gz)")
    args = parser.parse_args(argv)
    if args.with_nlu and not args.with_nlu.is_file():
        parser.error(f"no trained model at {args.with_nlu}: run `make train` first")
    if args.file:
        if not args.file.is_file():
            parser.error(f"no such file: {args.file}")
        chosen = [("file", args.file)]
    elif args.part == "all":
        chosen = [(name, path) for name, path in PARTS.items() if path.exists()]
    else:
        if not PARTS[args.part].exists():
            parser.error(f"the {args.part} part is not there: {PARTS[args.part]}")
        chosen = [(args.part, PARTS[args.part])]
    try:
        parts = [measure(name, path) for name, path in chosen]
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        print(f"Cannot read the labelled set: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 2
    print(render_overview(parts))
    if args.with_nlu:
        print(render_with_nlu(with_nlu_reports(chosen, args.with_nlu), args.with_nlu))
    for part in parts:
        print(render_part(part, list_misses=args.list_misses or part.name in ("dev", "file")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
