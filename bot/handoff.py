"""The handoff context an agent receives (DESIGN.md contract), built from conversation events.

Plain Python without Rasa imports: the action server builds it from the tracker, the desk
builds the same shape when the bot itself is unreachable.
"""
from __future__ import annotations

from typing import Any, Literal, TypedDict

from bot import labels

Reason = Literal[
    "customer_request", "frustration", "abuse", "complexity", "not_understood",
    "repeated_question", "legal_threat", "sensitive", "deadline_at_risk", "bot_unavailable",
]
REASONS: tuple[str, ...] = Reason.__args__  # type: ignore[attr-defined]
Priority = Literal["normal", "high", "urgent"]
PRIORITIES: tuple[str, ...] = Priority.__args__  # type: ignore[attr-defined]

DEFAULT_PRIORITY: dict[str, str] = {
    "legal_threat": "urgent",
    "abuse": "high",
    "frustration": "high",
    "sensitive": "high",
    "deadline_at_risk": "high",
}

TOPIC_GOALS = {
    "order_status": "wil weten waar bestelling {order} blijft",
    "return_request": "wil bestelling {order} retourneren",
    "request_human": "wil een medewerker spreken",
    "complain": "heeft een klacht",
    "product_issue": "heeft een probleem met een product",
}


class Signal(TypedDict):
    name: str
    evidence: str


class TranscriptLine(TypedDict):
    sender: str  # customer | bot | agent | system
    text: str
    at: str


class HandoffContext(TypedDict):
    conversation_id: str
    reason: str
    priority: str
    signals: list[Signal]
    summary: str
    topics: list[str]
    facts: dict[str, Any]
    bot_actions: list[str]
    transcript: list[TranscriptLine]


def summarise(reason: str, topics: list[str], facts: dict[str, Any], bot_actions: list[str]) -> str:
    """One to three Dutch sentences: the goal, the key facts, what the bot did and why it hands over."""
    order = facts.get("order_number") or "(onbekend)"
    goals = [TOPIC_GOALS[t].format(order=order) for t in topics if t in TOPIC_GOALS]
    if not goals:
        goals = [f"stelde vragen over {', '.join(topics)}" if topics else "heeft nog geen duidelijke vraag gesteld"]
    first = "Klant " + " en ".join(dict.fromkeys(goals)) + "."
    sentences = [first]
    details = []
    if facts.get("deadline"):
        details.append(f"deadline: {facts['deadline']}")
    status = facts.get("order_status") or {}
    if status.get("summary"):
        details.append(status["summary"])
    if facts.get("order_number") and not facts.get("postcode_verified"):
        details.append("bestelling niet geverifieerd: bestelnummer en postcode horen niet bij elkaar")
    if details:
        joined = "; ".join(details)
        sentences.append(joined[0].upper() + joined[1:] + ".")
    done = f" De bot heeft al: {bot_actions[-1][0].lower() + bot_actions[-1][1:]}." if bot_actions else ""
    sentences.append(f"Overgedragen omdat de klant {labels.REASONS_BECAUSE.get(reason, reason)}.{done}")
    return " ".join(sentences[:3])


def build_context(
    *,
    conversation_id: str,
    reason: str,
    transcript: list[TranscriptLine],
    topics: list[str],
    facts: dict[str, Any],
    bot_actions: list[str],
    signals: list[Signal] | None = None,
    priority: str | None = None,
) -> HandoffContext:
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason: {reason}")
    return HandoffContext(
        conversation_id=conversation_id,
        reason=reason,
        priority=priority or DEFAULT_PRIORITY.get(reason, "normal"),
        signals=list(signals or []),
        summary=summarise(reason, topics, facts, bot_actions),
        topics=list(dict.fromkeys(topics)),
        facts=facts,
        bot_actions=list(bot_actions),
        transcript=list(transcript),
    )
