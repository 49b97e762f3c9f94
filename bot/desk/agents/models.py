from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String

from bot.desk.db import Base, utcnow


class Agent(Base):
    __tablename__ = "agents"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    first_name = Column(String(64), nullable=False)
    password_hash = Column(String(256), nullable=False)
    role = Column(String(16), nullable=False, default="agent")  # agent | admin
    active = Column(Boolean, nullable=False, default=True)
    is_demo = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False, default="offline")  # online | away | offline
    max_chats = Column(Integer, nullable=True)  # None: the team default (MAX_CHATS_PER_AGENT)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class AgentSession(Base):
    __tablename__ = "agent_sessions"

    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False)
    expires_at = Column(DateTime, nullable=False)
