from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String

from bot import reasons
from bot.desk.conversations.states import HandoffStatus
from bot.desk.db import Base, EnumText, only_changed_by, utcnow

PRIORITY_RANK = dict(reasons.PRIORITY_RANK)  # from the one registry of reasons (bot/reasons.py)


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False)
    reason = Column(String(32), nullable=False)
    priority = Column(String(16), nullable=False)
    priority_rank = Column(Integer, nullable=False)
    status = Column(EnumText(HandoffStatus), nullable=False)  # changed by conversations.transition only
    context = Column(JSON, nullable=False)
    # While assigned: the agent who owns the conversation. Afterwards: who handled it (reports, "nee, nog niet").
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    claimed_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    callback_offered_at = Column(DateTime, nullable=True)  # offered once, at handoff or after waiting too long

    __table_args__ = (Index("ix_handoffs_queue", "status", "priority_rank", "created_at"),)


only_changed_by("conversations.service.transition", Handoff.status, Handoff.agent_id)
