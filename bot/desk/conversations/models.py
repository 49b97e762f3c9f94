from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Index, Integer, String, Text

from bot.desk.db import Base, utcnow

STATES = ("bot", "queued", "agent", "closed")


class Conversation(Base):
    __tablename__ = "conversations"

    id = Column(String(32), primary_key=True)
    token_hash = Column(String(64), nullable=False)
    state = Column(String(16), nullable=False, default="bot")
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=True)
    closed_reason = Column(String(32), nullable=True)  # "abuse": the bot ended it; it stays closed
    # Button payloads the last bot turn offered: only these may reach Rasa as intents.
    offered_payloads = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Message(Base):
    __tablename__ = "messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False)
    sender = Column(String(16), nullable=False)  # customer | bot | agent | system | note (agents only)
    text = Column(Text, nullable=False)
    buttons = Column(JSON, nullable=True)
    agent_name = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # What the NLU made of a customer message (for the editors' inbox and the topic reports).
    intent = Column(String(80), nullable=True)
    confidence = Column(Float, nullable=True)
    response_key = Column(String(80), nullable=True)
    response_confidence = Column(Float, nullable=True)

    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    def to_json(self) -> dict:
        data = {"id": self.id, "sender": self.sender, "text": self.text, "at": self.created_at.isoformat() + "Z"}
        if self.buttons:
            data["buttons"] = self.buttons
        if self.agent_name:
            data["agent_name"] = self.agent_name
        return data


class ConversationEvent(Base):
    """Audit trail: every state transition and notable step, who did it and when."""

    __tablename__ = "events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    from_state = Column(String(16), nullable=True)
    to_state = Column(String(16), nullable=True)
    actor = Column(String(64), nullable=False)
    data = Column(JSON, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
