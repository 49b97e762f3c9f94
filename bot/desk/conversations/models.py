from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Text

from bot.desk.conversations.states import Awaiting, State
from bot.desk.db import Base, EnumText, only_changed_by, utcnow


class Conversation(Base):
    __tablename__ = "conversations"

    id = Column(String(32), primary_key=True)
    token_hash = Column(String(64), nullable=False)
    # Who owns it (see states.py); which agent: the agent_id of its assigned handoff.
    state = Column(EnumText(State), nullable=False, default=State.BOT)
    awaiting = Column(String(24), nullable=False, default=Awaiting.NOTHING.value)  # what the desk asked
    closed_reason = Column(String(32), nullable=True)  # "abuse": the bot ended it; it stays closed
    # Button payloads the last bot or desk message offered: only these may reach Rasa or the desk.
    offered_payloads = Column(JSON, nullable=False, default=list)
    # The highest message sequence number handed out; clients resume from the last one they saw.
    last_seq = Column(Integer, nullable=False, default=0)
    # A logged-in customer, as the shop's signed token says (bot/identity.py); None for guests.
    customer_id = Column(String(64), nullable=True)
    customer_email = Column(String(254), nullable=True)
    customer_name = Column(String(120), nullable=True)
    legal_hold = Column(Boolean, nullable=False, default=False)  # kept beyond the retention period
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow, index=True)


only_changed_by("conversations.service.transition", Conversation.state)


class Message(Base):
    __tablename__ = "messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(32), ForeignKey("conversations.id"), nullable=False)
    seq = Column(Integer, nullable=False)  # 1, 2, 3 ... within the conversation, without gaps
    sender = Column(String(16), nullable=False)  # customer | bot | agent | system | note (agents only)
    text = Column(Text, nullable=False)
    buttons = Column(JSON, nullable=True)
    agent_name = Column(String(64), nullable=True)
    # The widget's own id for a customer message: a retry after a lost answer is stored once.
    client_key = Column(String(64), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # What the NLU made of a customer message (for the editors' inbox and the topic reports).
    intent = Column(String(80), nullable=True)
    confidence = Column(Float, nullable=True)
    response_key = Column(String(80), nullable=True)
    response_confidence = Column(Float, nullable=True)

    __table_args__ = (
        Index("ix_messages_conversation_seq", "conversation_id", "seq", unique=True),
        Index("ix_messages_client_key", "conversation_id", "client_key", unique=True),
    )

    def to_json(self) -> dict:
        data = {"id": self.id, "seq": self.seq, "sender": self.sender, "text": self.text,
                "at": self.created_at.isoformat() + "Z"}
        if self.buttons:
            data["buttons"] = self.buttons
        if self.agent_name:
            data["agent_name"] = self.agent_name
        if self.client_key:
            data["client_key"] = self.client_key
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
