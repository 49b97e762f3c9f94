"""The editors' inbox: customer messages the bot did not understand or answered with low confidence,
grouped so that near-duplicates appear once, personal data masked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.desk.conversations.models import Message
from bot.desk.db import utcnow
from bot.desk.editing.models import InboxDecision
from bot.nlu.check import normalise
from bot.privacy import mask

LOW_CONFIDENCE = 0.6
NOT_UNDERSTOOD = ("nlu_fallback", "out_of_scope")
NEAR = 0.85  # keys at least this similar are one group


def group_key(text: str) -> str:
    """Masked, normalised and with numbers folded: "Waar is WS-100001??" and "waar is ws 100002" meet."""
    return re.sub(r"\d+", "#", normalise(mask(text)))[:300]


@dataclass
class Group:
    key: str
    text: str  # the most recent wording, masked
    count: int = 0
    last_seen: datetime | None = None
    guesses: dict[str, int] = field(default_factory=dict)  # what the bot thought, how often
    keys: set[str] = field(default_factory=set)  # every exact key merged in here

    def to_json(self) -> dict:
        guess = max(self.guesses, key=self.guesses.get) if self.guesses else None
        return {"key": self.key, "text": self.text, "count": self.count, "guess": guess,
                "last_seen": self.last_seen.isoformat() + "Z" if self.last_seen else None}


def _misunderstood(session: Session, since: datetime, until: datetime) -> list[Message]:
    query = select(Message).where(
        Message.sender == "customer", Message.intent.is_not(None), Message.created_at >= since,
        Message.created_at < until,
        or_(Message.intent.in_(NOT_UNDERSTOOD), Message.confidence < LOW_CONFIDENCE,
            (Message.intent == "faq") & (Message.response_confidence < LOW_CONFIDENCE)),
    ).order_by(Message.id.desc())
    return list(session.scalars(query))


def groups(session: Session, *, days: int = 30, limit: int = 100, until: datetime | None = None,
           include_decided: bool = False) -> list[Group]:
    """Groups of misunderstood messages, most frequent first. The inbox leaves out what an editor already
    decided on; the reports count everything."""
    until = until or utcnow() + timedelta(seconds=1)
    since = until - timedelta(days=days)
    decided: dict[str, datetime] = {}
    if not include_decided:
        for key, at in session.execute(select(InboxDecision.group_key, InboxDecision.created_at)):
            decided[key] = max(at, decided.get(key, at))
    exact: dict[str, Group] = {}
    for message in _misunderstood(session, since, until):
        key = group_key(message.text)
        if not key or (key in decided and message.created_at <= decided[key]):
            continue
        group = exact.setdefault(key, Group(key=key, text=mask(message.text), last_seen=message.created_at, keys={key}))
        group.count += 1
        guess = message.response_key or message.intent
        group.guesses[guess] = group.guesses.get(guess, 0) + 1
    merged: list[Group] = []
    for group in sorted(exact.values(), key=lambda g: -g.count):
        home = next((m for m in merged if SequenceMatcher(None, m.key, group.key).ratio() >= NEAR), None)
        if home is None:
            merged.append(group)
            continue
        home.count += group.count
        home.keys |= group.keys
        for guess, n in group.guesses.items():
            home.guesses[guess] = home.guesses.get(guess, 0) + n
        if group.last_seen and (home.last_seen is None or group.last_seen > home.last_seen):
            home.last_seen = group.last_seen
    return sorted(merged, key=lambda g: (-g.count, g.key))[:limit]


def decide(session: Session, *, group: Group, decision: str, editor: str, target: str | None = None,
           example: str | None = None) -> None:
    """Records the decision for every exact key in the group, so none of them shows up again."""
    for key in group.keys:
        session.add(InboxDecision(group_key=key, decision=decision, target=target, example=example, editor=editor))


def find(session: Session, key: str) -> Group | None:
    return next((g for g in groups(session, limit=10_000) if g.key == key), None)
