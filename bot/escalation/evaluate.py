"""`make eval-escalation`: precision, recall and F1 per reason on the labelled Dutch set, the
confusion between reasons, and the false-handoff rate on calm items."""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import ROOT
from bot.escalation import Assessment, assess, turns_from_json

DATASET = ROOT / "tests" / "data" / "escalation_eval.yml"


@dataclass(frozen=True)
class Item:
    turns: list
    expect: str  # a reason, or "calm"
    trap: str | None
    priority: str | None


def load_items(path: Path = DATASET) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for section, default in (("calm", "calm"), ("escalate", None)):
        for raw in data[section]:
            turns = turns_from_json(raw["conversation"] if "conversation" in raw else [raw["text"]])
            items.append(Item(turns, raw.get("expect", default), raw.get("trap"), raw.get("priority")))
    return items


def predicted(result: Assessment) -> str:
    # A warning (first insult) is the abuse decision too: the bot acts on it.
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


def evaluate(items: list[Item]) -> Report:
    pairs = []
    confusion: Counter = Counter()
    false_handoffs, missed, wrong_priority = [], [], []
    for item in items:
        result = assess(item.turns)
        got = predicted(result)
        pairs.append((item.expect, got))
        confusion[(item.expect, got)] += 1
        text = item.turns[-1].text
        if item.expect == "calm" and got != "calm":
            false_handoffs.append(f"{text}  -> {got}: {result.explanation()}")
        if item.expect != "calm" and got == "calm":
            missed.append(f"{text}  (expected {item.expect})")
        if item.priority and got == item.expect and result.priority != item.priority:
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
    calm_total = sum(1 for item in items if item.expect == "calm")
    return Report(per_reason, confusion, calm_total, false_handoffs, len(items) - calm_total, missed, wrong_priority)


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


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DATASET
    items = load_items(path)
    print(f"{len(items)} labelled items from {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n")
    print(render(evaluate(items)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
