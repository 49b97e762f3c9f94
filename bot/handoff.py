"""The handoff context an agent receives (DESIGN.md contract), built from conversation events.

Plain Python without Rasa imports: the action server builds it from the tracker, the desk
builds the same shape when the bot itself is unreachable.
"""
from __future__ import annotations

from typing import Any, TypedDict

from bot import reasons
from bot.summary import SummaryInput, summarise

# Derived from the one registry of reasons (bot/reasons.py): the keys and priorities the desk accepts.
REASONS: tuple[str, ...] = reasons.KEYS
PRIORITIES: tuple[str, ...] = reasons.PRIORITIES
DEFAULT_PRIORITY: dict[str, str] = {r.key: r.priority for r in reasons.REASONS.values()}


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
    customer_texts: list[str] | None = None,
) -> HandoffContext:
    """`customer_texts`: what the customer wrote, for the summary's quote (default: from the transcript)."""
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason: {reason}")
    texts = customer_texts if customer_texts is not None else [l["text"] for l in transcript if l["sender"] == "customer"]
    return HandoffContext(
        conversation_id=conversation_id,
        reason=reason,
        priority=priority or DEFAULT_PRIORITY[reason],
        signals=list(signals or []),
        summary=summarise(SummaryInput(reason=reason, customer_texts=texts, topics=topics, signals=list(signals or []),
                                       facts=facts, bot_actions=bot_actions)),
        topics=list(dict.fromkeys(topics)),
        facts=facts,
        bot_actions=list(bot_actions),
        transcript=list(transcript),
    )
