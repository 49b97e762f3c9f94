from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, UniqueConstraint

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
    # Wrong passwords tried on this account since its last sign-in: told to the agent at the next one.
    failed_logins = Column(Integer, nullable=False, default=0, server_default="0")
    last_failed_login_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # Presence (agents/presence.py): when a console of hers was last connected, on any replica; and what the
    # desk did when it was gone too long, shown to her when she is back until she has read it.
    last_seen_at = Column(DateTime, nullable=True)
    presence_notice = Column(JSON, nullable=True)


class AgentSession(Base):
    __tablename__ = "agent_sessions"

    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False)
    expires_at = Column(DateTime, nullable=False)


class LoginCount(Base):
    """Login attempts per source in a fixed 15-minute window (bot/desk/agents/lockout.py): one row per
    account and address, account and known device, address, or account. Counted in the database, so the
    count is one for every desk replica and `bot agents unlock` reaches it."""

    __tablename__ = "login_counts"

    counter_key = Column(String(255), primary_key=True)
    scope = Column(String(16), nullable=False)  # pair | device | address | account
    username = Column(String(64), nullable=True, index=True)  # None for an address's own count
    count = Column(Integer, nullable=False, default=0)
    window_start = Column(DateTime, nullable=False, index=True)


class KnownLogin(Base):
    """Where an agent signed in before: a device (the hash of its cookie) or an address (hashed). The right
    password from there is not held up by what strangers tried elsewhere."""

    __tablename__ = "known_logins"

    id = Column(Integer, primary_key=True, autoincrement=True)
    agent_id = Column(Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(8), nullable=False)  # device | address
    digest = Column(String(64), nullable=False)
    last_seen = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("agent_id", "kind", "digest", name="uq_known_logins"),)
