"""What team leads see (P12): which topics bring customers in, how many the bot settles alone, why
conversations are handed over, waits, satisfaction, callbacks kept, and what the bot did not understand.
One function computes it all from the desk's tables, for the CLI report, the CSV export and the dashboard
alike. Days are counted in the team's time zone (business_hours.yml)."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import labels
from bot.desk.callbacks.models import Callback
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.editing import inbox
from bot.desk.handoffs.models import Handoff
from bot.hours import short_date
from bot.nlu_result import topic_of

SPIKE_RATIO = 0.5  # +50 % or more against the previous period ...
SPIKE_MINIMUM = 5  # ... and at least this many conversations, so that 1 -> 2 is no "spike"


class PeriodError(ValueError):
    pass


def parse_since(text: str) -> timedelta:
    """'7d', '24h', '2w' -> a timedelta."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*([hdw])\s*", text or "")
    if not match or int(match.group(1)) == 0:
        raise PeriodError("Geef een periode als 7d (dagen), 24h (uren) of 2w (weken).")
    amount, unit = int(match.group(1)), match.group(2)
    return {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]


@dataclass
class Report:
    since: str
    start: str
    end: str
    conversations: int = 0
    per_day: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    previous_topics: dict[str, int] = field(default_factory=dict)
    spikes: list[str] = field(default_factory=list)
    contained: int = 0
    containment: float | None = None
    handoffs: int = 0
    handoff_reasons: dict[str, int] = field(default_factory=dict)
    median_wait_minutes: float | None = None
    median_handling_minutes: float | None = None
    solved_yes: int = 0
    solved_no: int = 0
    scores: dict[str, int] = field(default_factory=dict)
    mean_score: float | None = None
    comments: int = 0
    callbacks_due: int = 0
    callbacks_on_time: int = 0
    callbacks_late_or_missed: int = 0
    misunderstood: list[dict] = field(default_factory=list)
    topic_labels: dict[str, str] = field(default_factory=dict)  # topic key -> its Dutch name (no key in it)
    day_labels: dict[str, str] = field(default_factory=dict)  # ISO day -> "ma 27 nov" (bot/hours.py)

    def to_json(self) -> dict:
        return asdict(self)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _topics_by_conversation(session: Session, start: datetime, end: datetime) -> dict[str, set[str]]:
    rows = session.execute(select(Message.conversation_id, Message.intent, Message.response_key).where(
        Message.sender == "customer", Message.intent.is_not(None), Message.created_at >= start,
        Message.created_at < end)).all()
    found: dict[str, set[str]] = defaultdict(set)
    for conversation_id, intent, response_key in rows:
        topic = topic_of(intent, response_key)
        if topic:
            found[conversation_id].add(topic)
    return found


def _minutes(pairs) -> float | None:
    values = [(b - a).total_seconds() / 60 for a, b in pairs if a and b and b >= a]
    return round(median(values), 1) if values else None


def compute(session: Session, *, tz: ZoneInfo, since: str = "7d", now: datetime | None = None) -> Report:
    """`tz`: the team's time zone (BusinessHours.tz), in which a day begins and ends."""
    span = parse_since(since)
    end = _naive(now or datetime.now(timezone.utc))
    start, previous_start = end - span, end - 2 * span
    report = Report(since=since, start=start.isoformat() + "Z", end=end.isoformat() + "Z")

    conversations = session.execute(select(Conversation.id, Conversation.created_at).where(
        Conversation.created_at >= start, Conversation.created_at < end)).all()
    spoke = set(session.scalars(select(Message.conversation_id).where(
        Message.sender == "customer", Message.created_at >= start, Message.created_at < end).distinct()))
    real = [(cid, at) for cid, at in conversations if cid in spoke]  # an opened widget without a word is no contact
    report.conversations = len(real)
    days = Counter(at.replace(tzinfo=timezone.utc).astimezone(tz).date().isoformat() for _, at in real)
    report.per_day = dict(sorted(days.items()))
    report.day_labels = {day: short_date(date.fromisoformat(day)) for day in report.per_day}

    topics_now = Counter(t for topics in _topics_by_conversation(session, start, end).values() for t in topics)
    topics_before = Counter(t for topics in _topics_by_conversation(session, previous_start, start).values() for t in topics)
    report.topics = dict(topics_now.most_common())
    report.topic_labels = {t: labels.topic(t) for t in set(topics_now) | set(topics_before)}
    report.previous_topics = dict(topics_before.most_common())
    label = "vorige week" if span == timedelta(days=7) else "de vorige periode"
    for topic, count in topics_now.most_common():
        before = topics_before.get(topic, 0)
        if count >= SPIKE_MINIMUM and (before == 0 or (count - before) / before >= SPIKE_RATIO):
            change = f"+{round((count - before) / before * 100)} %" if before else "nieuw"
            report.spikes.append(f"{labels.topic(topic)} {change} t.o.v. {label} ({before} → {count} gesprekken)")

    handoffs = session.scalars(select(Handoff).where(Handoff.created_at >= start, Handoff.created_at < end)).all()
    handed = {h.conversation_id for h in handoffs}
    report.handoffs = len(handoffs)
    report.handoff_reasons = dict(Counter(h.reason for h in handoffs).most_common())
    report.contained = sum(1 for cid, _ in real if cid not in handed)
    report.containment = round(report.contained / report.conversations, 3) if report.conversations else None
    report.median_wait_minutes = _minutes((h.created_at, h.claimed_at) for h in handoffs)
    report.median_handling_minutes = _minutes((h.claimed_at, h.closed_at) for h in handoffs)

    events = session.execute(select(ConversationEvent.kind, ConversationEvent.data).where(
        ConversationEvent.kind.in_(("satisfaction", "satisfaction_score", "satisfaction_comment")),
        ConversationEvent.created_at >= start, ConversationEvent.created_at < end)).all()
    scores: Counter = Counter()
    for kind, data in events:
        data = data or {}
        if kind == "satisfaction":
            report.solved_yes += bool(data.get("solved"))
            report.solved_no += not data.get("solved")
        elif kind == "satisfaction_score" and data.get("score"):
            scores[int(data["score"])] += 1
        elif kind == "satisfaction_comment":
            report.comments += 1
    report.scores = {str(n): scores.get(n, 0) for n in range(1, 6)}
    total = sum(scores.values())
    report.mean_score = round(sum(n * c for n, c in scores.items()) / total, 2) if total else None

    due = session.scalars(select(Callback).where(Callback.status.in_(("scheduled", "done")),
                                                 Callback.slot_end >= start, Callback.slot_end < end)).all()
    report.callbacks_due = len(due)
    report.callbacks_on_time = sum(1 for c in due if c.completed_at and c.completed_at <= c.slot_end)
    report.callbacks_late_or_missed = report.callbacks_due - report.callbacks_on_time

    days_back = max(1, round(span.total_seconds() / 86400))
    report.misunderstood = [{"text": g.text, "count": g.count} for g in
                            inbox.groups(session, days=days_back, limit=10, until=end, include_decided=True)]
    return report
