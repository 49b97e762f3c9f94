"""Agents: hashed passwords (scrypt), login sessions that expire."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent, AgentSession
from bot.desk.db import utcnow

ROLES = ("agent", "editor", "admin")  # editor: inbox, answers, retraining; admin: everything
STATUSES = ("online", "away", "offline")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def create_agent(session: Session, *, username: str, first_name: str, password: str, role: str = "agent",
                 is_demo: bool = False) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    agent = Agent(username=username.strip().lower(), first_name=first_name.strip(), role=role,
                  password_hash=hash_password(password), is_demo=is_demo, active=True)
    session.add(agent)
    session.flush()
    return agent


def login(session: Session, *, username: str, password: str, demo_mode: bool, hours: int) -> tuple[Agent, str] | None:
    agent = session.scalars(select(Agent).where(Agent.username == username.strip().lower())).first()
    if agent is None or not agent.active or (agent.is_demo and not demo_mode):
        hash_password(password)  # same cost either way: no timing hint about which usernames exist
        return None
    if not verify_password(password, agent.password_hash):
        return None
    token = secrets.token_urlsafe(32)
    session.add(AgentSession(token_hash=session_digest(token), agent_id=agent.id,
                             expires_at=utcnow() + timedelta(hours=hours)))
    return agent, token


def session_digest(token: str) -> str:
    """How a sign-in is stored and named (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def agent_for_token(session: Session, *, token: str | None, demo_mode: bool) -> Agent | None:
    if not token or len(token) > 128:
        return None
    row = session.get(AgentSession, session_digest(token))
    if row is None or row.expires_at < utcnow():
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active or (agent.is_demo and not demo_mode):
        return None
    return agent


def logout(session: Session, *, token: str) -> str:
    """Ends this sign-in; returns its digest (its sockets are closed too)."""
    digest = session_digest(token)
    session.execute(delete(AgentSession).where(AgentSession.token_hash == digest))
    return digest


def live_sessions(session: Session, *, digests: set[str], demo_mode: bool) -> set[str]:
    """Which of these sign-ins still hold: not signed out, not expired, the agent not disabled."""
    if not digests:
        return set()
    rows = session.execute(select(AgentSession.token_hash, Agent.is_demo)
                           .join(Agent, Agent.id == AgentSession.agent_id)
                           .where(AgentSession.token_hash.in_(sorted(digests)), AgentSession.expires_at >= utcnow(),
                                  Agent.active.is_(True)))
    return {digest for digest, is_demo in rows if demo_mode or not is_demo}


def disable(session: Session, *, username: str) -> Agent | None:
    """The account can no longer sign in, and every sign-in it has ends now."""
    agent = session.scalars(select(Agent).where(Agent.username == username.strip().lower())).first()
    if agent is None:
        return None
    agent.active = False
    session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
    return agent
