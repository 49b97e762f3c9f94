"""Callback appointments: drafts while the customer chooses, booking a window, the agents' list."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent
from bot.desk.callbacks.models import OUTCOMES, Callback
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import HandoffStatus, Step
from bot.desk.db import utcnow
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Work
from bot.hours import BusinessHours, Window, to_utc_naive


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
