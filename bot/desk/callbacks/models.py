from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text

from bot.desk.db import Base, utcnow

OUTCOMES = {  # what the agent records afterwards, with the console's wording
    "solved": "Geholpen, opgelost",
    "follow_up": "Geholpen, vervolg nodig",
    "not_reached": "Niet bereikt",
}


class Callback(Base):
    """A callback appointment (P8). The handoff it belongs to holds the full context."""

    __tablename__ = "callbacks"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=False)
    status = Column(String(16), nullable=False, default="draft")  # draft | scheduled | done | cancelled
    channel = Column(String(8), nullable=False)  # phone | email
    contact = Column(String(254), nullable=True)  # +31612345678 or an e-mail address; None while asking
    slot_start = Column(DateTime, nullable=True)  # naive UTC
    slot_end = Column(DateTime, nullable=True)
    outcome = Column(String(16), nullable=True)
    outcome_note = Column(Text, nullable=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=True)  # who recorded the outcome
    created_at = Column(DateTime, nullable=False, default=utcnow)
    booked_at = Column(DateTime, nullable=True)
    completed_at = Column(DateTime, nullable=True)

    __table_args__ = (Index("ix_callbacks_due", "status", "slot_start"),)
