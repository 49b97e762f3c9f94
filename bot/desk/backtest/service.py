"""Reads the conversations of a period as the backtest needs them: the customer's and the bot's messages and
what happened (the first handover's reason and time, or the bot ending an abusive conversation)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.conversations.models import Conversation, Message
from bot.desk.db import utcnow
from bot.desk.handoffs.models import Handoff
from bot.escalation.backtest import STAYED, PastConversation, PastMessage


def past_conversations(session: Session, *, period: timedelta, now: datetime | None = None,
                       limit: int = 5000) -> list[PastConversation]:
    """Conversations started in the period, oldest first (at most `limit`: the newest of them)."""
    start = (now or utcnow()) - period
    rows = session.execute(select(Conversation.id, Conversation.created_at, Conversation.closed_reason)
                           .where(Conversation.created_at >= start)
                           .order_by(Conversation.created_at.desc()).limit(limit)).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    messages: dict[str, list[PastMessage]] = {i: [] for i in ids}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for m in session.scalars(select(Message).where(Message.conversation_id.in_(chunk),
                                                       Message.sender.in_(("customer", "bot")))
                                 .order_by(Message.conversation_id, Message.seq)):
            messages[m.conversation_id].append(PastMessage(m.seq, m.sender, m.text, m.created_at, m.intent,
                                                           m.confidence))
    first: dict[str, Handoff] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for handoff in session.scalars(select(Handoff).where(Handoff.conversation_id.in_(chunk))
                                       .order_by(Handoff.created_at, Handoff.id)):
            first.setdefault(handoff.conversation_id, handoff)
    past = []
    for row in reversed(rows):
        handoff = first.get(row.id)
        if handoff is not None:
            outcome, at = handoff.reason, handoff.created_at
        elif row.closed_reason == "abuse":
            outcome, at = "abuse", None
        else:
            outcome, at = STAYED, None
        past.append(PastConversation(row.id, row.created_at, messages[row.id], outcome, at))
    return past
