from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String

from bot.desk.db import Base, utcnow

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False)
    reason = Column(String(32), nullable=False)
    priority = Column(String(16), nullable=False)
    priority_rank = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default="queued")  # queued | assigned | resolved | handed_back | review | callback
    context = Column(JSON, nullable=False)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    claimed_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    callback_offered_at = Column(DateTime, nullable=True)  # offered once, at handover or after waiting too long

    __table_args__ = (Index("ix_handoffs_queue", "status", "priority_rank", "created_at"),)
