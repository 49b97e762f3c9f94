"""Callback appointments: drafts while the customer chooses, booking a window, the agents' list."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.contact import display_phone
from bot.desk.agents.models import Agent
from bot.desk.callbacks.models import OUTCOMES, Callback
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import HandoffStatus, Step
from bot.desk.db import utcnow
from bot.desk.errors import NotFound
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Work
from bot.hours import BusinessHours, Window, to_utc_naive, window_label


class CallbackError(ValueError):
    pass


def aware(naive_utc: datetime) -> datetime:
    return naive_utc.replace(tzinfo=timezone.utc)


def draft(session: Session, *, conversation_id: str) -> Callback | None:
    query = select(Callback).where(Callback.conversation_id == conversation_id, Callback.status == "draft")
    return session.scalars(query.order_by(Callback.id.desc())).first()


def start_draft(session: Session, *, handoff: Handoff, channel: str) -> Callback:
    cancel_drafts(session, conversation_id=handoff.conversation_id)
    callback = Callback(conversation_id=handoff.conversation_id, handoff_id=handoff.id, channel=channel, status="draft")
    session.add(callback)
    session.flush()
    return callback


def cancel_drafts(session: Session, *, conversation_id: str) -> int:
    drafts = session.scalars(select(Callback).where(Callback.conversation_id == conversation_id,
                                                   Callback.status == "draft")).all()
    for callback in drafts:
        callback.status = "cancelled"
    return len(drafts)


def taken(session: Session, hours: BusinessHours) -> dict[datetime, int]:
    """Booked callbacks per window start (aware, local), so full windows are not offered."""
    rows = session.execute(select(Callback.slot_start, func.count()).where(
        Callback.status == "scheduled", Callback.slot_start >= utcnow()).group_by(Callback.slot_start)).all()
    return {hours.local(aware(start)): count for start, count in rows}


def free_windows(session: Session, hours: BusinessHours, now: datetime) -> list[Window]:
    return hours.callback_windows(now, taken(session, hours))


def book(work: Work, *, callback: Callback, window: Window) -> Callback:
    """The draft becomes an appointment; the handoff leaves the queue and waits for its window."""
    session = work.session
    if callback.status != "draft" or not callback.contact:
        raise CallbackError("callback is not ready to book")
    handoff = session.get(Handoff, callback.handoff_id)
    if handoff.status != HandoffStatus.QUEUED:
        raise CallbackError("handoff is no longer waiting")
    callback.slot_start, callback.slot_end = to_utc_naive(window.start), to_utc_naive(window.end)
    callback.status, callback.booked_at = "scheduled", utcnow()
    conversation = session.get(Conversation, callback.conversation_id)
    conversations.transition(work, conversation=conversation, step=Step.BOOK_CALLBACK, handoff=handoff, actor="customer",
                             data={"callback_id": callback.id, "channel": callback.channel,
                                   "slot_start": callback.slot_start.isoformat() + "Z"})
    return callback


def open_list(session: Session) -> list[Callback]:
    """Scheduled callbacks, the earliest due first."""
    query = select(Callback).where(Callback.status == "scheduled").order_by(Callback.slot_start, Callback.id)
    return list(session.scalars(query))


def recent_done(session: Session, limit: int = 20) -> list[Callback]:
    query = select(Callback).where(Callback.status == "done").order_by(Callback.completed_at.desc()).limit(limit)
    return list(session.scalars(query))


def is_overdue(callback: Callback, now: datetime | None = None) -> bool:
    now_naive = to_utc_naive(now) if now else utcnow()
    return callback.status == "scheduled" and callback.slot_end is not None and callback.slot_end < now_naive


def record_outcome(work: Work, *, callback: Callback, agent: Agent, outcome: str, note: str) -> Callback:
    """The agent called or mailed back: the callback is done and its handoff resolved, by this agent."""
    if outcome not in OUTCOMES:
        raise CallbackError("unknown outcome")
    if callback.status != "scheduled":
        raise CallbackError("callback is not open")
    session = work.session
    callback.status, callback.outcome, callback.outcome_note = "done", outcome, note or None
    callback.agent_id, callback.completed_at = agent.id, utcnow()
    conversation = session.get(Conversation, callback.conversation_id)
    conversations.transition(work, conversation=conversation, step=Step.CALLBACK_DONE,
                             handoff=session.get(Handoff, callback.handoff_id), agent=agent,
                             actor=f"agent:{agent.username}",
                             data={"callback_id": callback.id, "outcome": outcome,
                                   "on_time": callback.completed_at <= callback.slot_end})
    return callback


# --- what agents read -----------------------------------------------------------------------------------
def summary(session: Session, hours: BusinessHours, callback: Callback) -> dict[str, Any]:
    handoff = session.get(Handoff, callback.handoff_id)
    window = Window(hours.local(aware(callback.slot_start)), hours.local(aware(callback.slot_end)))
    agent = session.get(Agent, callback.agent_id) if callback.agent_id else None
    return {
        "id": callback.id, "conversation_id": callback.conversation_id, "handoff_id": callback.handoff_id,
        "channel": callback.channel,
        "contact": display_phone(callback.contact) if callback.channel == "phone" else callback.contact,
        "slot_start": callback.slot_start.isoformat() + "Z", "slot_end": callback.slot_end.isoformat() + "Z",
        "due": window_label(window), "overdue": is_overdue(callback),
        "status": callback.status, "outcome": callback.outcome, "outcome_label": OUTCOMES.get(callback.outcome or ""),
        "outcome_note": callback.outcome_note, "agent": agent.first_name if agent else None,
        "reason": handoff.reason, "priority": handoff.priority, "summary": handoff.context.get("summary", ""),
    }


def booked(session: Session, callback_id: int) -> Callback:
    """A callback that was booked (drafts and cancelled ones are nobody's business)."""
    callback = session.get(Callback, callback_id)
    if callback is None or callback.status not in ("scheduled", "done"):
        raise NotFound("Dit terugbelverzoek bestaat niet.")
    return callback


def lists(session: Session, *, hours: BusinessHours) -> dict[str, Any]:
    return {"open": [summary(session, hours, c) for c in open_list(session)],
            "done": [summary(session, hours, c) for c in recent_done(session)], "outcomes": OUTCOMES}


def detail(session: Session, *, hours: BusinessHours, callback_id: int) -> dict[str, Any]:
    """The callback with the handoff's context card and the transcript."""
    callback = booked(session, callback_id)
    handoff = session.get(Handoff, callback.handoff_id)
    messages = [m.to_json() for m in conversations.list_messages(session, conversation_id=callback.conversation_id,
                                                                 include_notes=True)]
    return {**summary(session, hours, callback), "context": handoff.context, "messages": messages}
