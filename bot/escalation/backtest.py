"""The backtest: replay stored conversations through today's judgement and list what would change.

Anyone who changes escalation.yml, a threshold or the NLU data wants to know, before deploying, what that
does to real conversations. This module replays the customer messages of past conversations through the
current escalation check (bot.escalation.assess) and the current NLU, in the order the bot judges them
(the escalation policy first, then the rules that hand over by intent, then two misunderstood messages in a
row), and compares the first handover of the replay with what happened.

Plain Python without database or Rasa imports: the desk service (bot/desk/backtest) reads the conversations,
`bot escalation backtest` and the editors' page show the result. The NLU is a parameter (`Parser`), so the same
replay runs with the trained model in-process, a running Rasa, or the intents stored at the time.

What is not replayed: decisions that need the shop (a deadline judged against an order, a failed lookup) and
technical ones (the bot was down). A conversation handed over for such a reason keeps its outcome unless the
replay hands it over earlier for a reason of its own; it is counted as "not replayable" in the summary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Callable, Iterable, Optional

import yaml

from bot import reasons
from bot.escalation import Rules, Turn, assess, left_to_the_intent, load_rules
from bot.labels import REASONS

# What the replay can decide: the escalation check's reasons and the NLU's own handovers.
DETECTOR_REASONS = set(reasons.JUDGED)
REPLAYED = DETECTOR_REASONS | {"customer_request"}
# As the rules and actions/handoff.py: these intents go to a person by rule (complaints as "complexity").
BY_RULE = {"request_human": "customer_request", "complain": "complexity", "product_issue": "complexity"}
MISUNDERSTOOD_IN_A_ROW = 2  # actions/fallback.py
STAYED = "bot"  # the outcome of a conversation that stayed with the bot

Parser = Callable[[str], Awaitable[tuple[Optional[str], Optional[float]]]]


@dataclass(frozen=True)
class PastMessage:
    seq: int
    sender: str  # customer | bot | agent | system | note
    text: str
    at: datetime
    intent: str | None = None  # what the NLU said at the time
    confidence: float | None = None


@dataclass
class PastConversation:
    id: str
    started: datetime
    messages: list[PastMessage]
    outcome: str = STAYED  # the first handover's reason, "abuse" when the bot ended it, or "bot"
    outcome_at: datetime | None = None  # when it was handed over


@dataclass(frozen=True)
class Outcome:
    reason: str  # a handoff reason or STAYED
    seq: int | None = None  # the customer message that decided it
    evidence: str = ""  # the explanation of the escalation check, or the message itself

    @property
    def handed_over(self) -> bool:
        return self.reason != STAYED


@dataclass(frozen=True)
class Change:
    conversation_id: str
    started: datetime
    before: str
    after: str
    seq: int | None
    message: str  # the customer message that decides the new outcome (or the last one replayed)
    evidence: str

    @property
    def kind(self) -> str:
        if self.before == STAYED:
            return "now_handed_over"
        if self.after == STAYED:
            return "now_stays"
        return "other_reason"

    def to_json(self) -> dict:
        return {"conversation_id": self.conversation_id, "started": self.started.isoformat() + "Z",
                "before": self.before, "before_label": label(self.before), "after": self.after,
                "after_label": label(self.after), "kind": self.kind, "kind_label": KINDS[self.kind], "seq": self.seq,
                "message": self.message, "evidence": self.evidence}


KINDS = {"now_handed_over": "Nu overgedragen", "now_stays": "Blijft nu bij de bot",
         "other_reason": "Andere reden"}


def label(reason: str) -> str:
    if reason == STAYED:
        return "Bleef bij de bot"
    return REASONS.get(reason, reason)


@dataclass
class Result:
    conversations: int = 0
    replayed_messages: int = 0
    unchanged: int = 0
    not_replayable: int = 0  # handed over for a reason the replay cannot judge (a deadline, the bot down)
    changes: list[Change] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KINDS}
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    def summary(self) -> str:
        counts = self.counts()
        changed, stays = len(self.changes), counts["now_stays"]
        return (f"{self.conversations} {'gesprek' if self.conversations == 1 else 'gesprekken'} opnieuw beoordeeld "
                f"({self.replayed_messages} klantberichten): "
                f"{changed} {'zou' if changed == 1 else 'zouden'} nu anders lopen ({counts['now_handed_over']} nu "
                f"overgedragen, {stays} {'blijft' if stays == 1 else 'blijven'} nu bij de bot, "
                f"{counts['other_reason']} met een andere reden); "
                f"{self.unchanged} gelijk, waarvan {self.not_replayable} overgedragen om een reden die de "
                f"terugblik niet kan naspelen (zoals een deadline bij een bestelling).")

    def to_json(self) -> dict:
        return {"conversations": self.conversations, "replayed_messages": self.replayed_messages,
                "unchanged": self.unchanged, "not_replayable": self.not_replayable, "counts": self.counts(),
                "changes": [c.to_json() for c in self.changes], "summary": self.summary()}


# ---------------------------------------------------------------- bot turns by their response name

def responses_by_text(domain_file: Path) -> dict[str, str]:
    """The desk stores what the bot said, not the response's name; the check needs the name (a dispute is read
    against the bot's no). Texts of domain.yml's responses, whitespace-normalised, to their name."""
    data = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    names: dict[str, str] = {}
    for name, variants in (data.get("responses") or {}).items():
        for variant in variants or []:
            if isinstance(variant, dict) and variant.get("text"):
                names.setdefault(" ".join(variant["text"].split()), name)
    return names


# ---------------------------------------------------------------- the replay

def _bot_phase(conversation: PastConversation) -> list[PastMessage]:
    """The messages up to the handover that happened: after it a person answered, so there is nothing to replay."""
    if conversation.outcome_at is None:
        return [m for m in conversation.messages if m.sender in ("customer", "bot")]
    return [m for m in conversation.messages if m.sender in ("customer", "bot") and m.at <= conversation.outcome_at]


async def replay(conversation: PastConversation, parse: Parser, *, rules: Rules | None = None,
                 responses: dict[str, str] | None = None) -> tuple[Outcome, int]:
    """The outcome today's judgement gives the conversation, and how many customer messages it read."""
    rules = rules or load_rules()
    responses = responses or {}
    turns: list[Turn] = []
    warnings = 0
    fallbacks_in_a_row = 0
    read = 0
    for message in _bot_phase(conversation):
        if message.sender == "bot":
            response = responses.get(" ".join(message.text.split()))
            warnings += response == "utter_abuse_warning"
            turns.append(Turn(text=message.text, sender="bot", response=response))
            continue
        intent, confidence = await parse(message.text)
        read += 1
        turns.append(Turn(text=message.text, intent=intent, confidence=confidence))
        result = assess(turns, previous_warnings=warnings, rules=rules)
        if result.action == "warn":
            warnings += 1
        elif result.action == "end":
            return Outcome("abuse", message.seq, result.explanation()), read
        fallbacks_in_a_row = fallbacks_in_a_row + 1 if intent == "nlu_fallback" else 0
        reason, evidence = handed_over_by(result, intent, fallbacks_in_a_row)
        if reason is not None:
            return Outcome(reason, message.seq, evidence), read
    return Outcome(STAYED), read


def handed_over_by(result, intent: str | None, fallbacks_in_a_row: int) -> tuple[str | None, str]:
    """After the escalation check's warning or ending: the bot's handover for a customer message, in the bot's
    order (the check, unless the intent's own rule makes the same handover; the intent's rule; two misunderstood
    in a row), with its evidence, or (None, "") when the message stays with the bot. The replay and
    bot/escalation/with_nlu.py both decide with it."""
    if result.action == "handoff" and not left_to_the_intent(result, intent, BY_RULE):
        return result.reason, result.explanation()
    if intent in BY_RULE:
        return BY_RULE[intent], f"intent {intent}"
    if fallbacks_in_a_row >= MISUNDERSTOOD_IN_A_ROW:
        return "not_understood", f"{fallbacks_in_a_row}× niet begrepen"
    return None, ""


def compare(conversation: PastConversation, outcome: Outcome) -> Change | None:
    """The change against what happened, or None when the outcome is the same (or cannot be judged)."""
    before = conversation.outcome
    if before == outcome.reason:
        return None
    if before not in REPLAYED and before != STAYED and not outcome.handed_over:
        return None  # handed over for a reason the replay does not know (a deadline): not a change
    customer = [m for m in _bot_phase(conversation) if m.sender == "customer"]
    decisive = next((m for m in customer if m.seq == outcome.seq), customer[-1] if customer else None)
    return Change(conversation.id, conversation.started, before, outcome.reason, outcome.seq,
                  decisive.text if decisive else "", outcome.evidence)


async def backtest(conversations: Iterable[PastConversation], parse: Parser, *, rules: Rules | None = None,
                   responses: dict[str, str] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Result:
    conversations = list(conversations)
    result = Result(conversations=len(conversations))
    for index, conversation in enumerate(conversations, 1):
        outcome, read = await replay(conversation, parse, rules=rules, responses=responses)
        result.replayed_messages += read
        change = compare(conversation, outcome)
        if change is None:
            result.unchanged += 1
            result.not_replayable += conversation.outcome not in REPLAYED and conversation.outcome != STAYED
        else:
            result.changes.append(change)
        if progress:
            progress(index, len(conversations))
    result.changes.sort(key=lambda c: c.started)
    return result


# ---------------------------------------------------------------- printing

def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def render_table(result: Result, tz=None) -> str:
    """A plain-text table for the terminal: one row per conversation that would go differently."""
    header = ("Gestart", "Gesprek", "Wat er gebeurde", "Nu", "Klantbericht")
    rows = []
    for change in result.changes:
        started = change.started if tz is None else change.started.replace(tzinfo=timezone.utc).astimezone(tz)
        rows.append((started.strftime("%d-%m %H:%M"), change.conversation_id[:8], label(change.before),
                     label(change.after), _cut(change.message, 60)))
    if not rows:
        return result.summary()
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out + ["", result.summary()])

