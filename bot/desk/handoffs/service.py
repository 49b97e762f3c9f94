"""Handoffs: the queue (priority, then waiting time), claiming, hand-back and resolving."""
from __future__ import annotations

from datetime import timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.db import utcnow
from bot.desk.handoffs.models import PRIORITY_RANK, Handoff
from bot.handoff import PRIORITIES, REASONS

OPEN_STATUSES = ("queued", "assigned")
DEFAULT_HANDLING_MINUTES = 5  # used until there is enough history


class InvalidContext(ValueError):
    pass


def validate_context(context: Any) -> dict[str, Any]:
    if not isinstance(context, dict):
        raise InvalidContext("context must be an object")
    if context.get("reason") not in REASONS:
        raise InvalidContext("unknown reason")
    if context.get("priority", "normal") not in PRIORITIES:
        raise InvalidContext("unknown priority")
    for key, kind in (("signals", list), ("topics", list), ("facts", dict), ("bot_actions", list),
                      ("transcript", list), ("summary", str)):
        if not isinstance(context.get(key, kind()), kind):
            raise InvalidContext(f"{key} has the wrong type")
    return context


def open_handoff(session: Session, *, conversation_id: str) -> Handoff | None:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
    return session.scalars(query.order_by(Handoff.id.desc())).first()


def create_or_get(session: Session, *, conversation: Conversation, context: dict[str, Any], actor: str) -> tuple[Handoff, bool]:
    """Idempotent: while the conversation has an open handoff, a retry returns that one."""
    existing = open_handoff(session, conversation_id=conversation.id)
    if existing is not None:
        return existing, False
    priority = context.get("priority") or "normal"
    handoff = Handoff(conversation_id=conversation.id, reason=context["reason"], priority=priority,
                      priority_rank=PRIORITY_RANK[priority], status="queued", context=context)
    session.add(handoff)
    session.flush()
    conversations.transition(session, conversation=conversation, to_state="queued", actor=actor,
                             data={"handoff_id": handoff.id, "reason": handoff.reason})
    return handoff, True


def close_for_abuse(session: Session, *, conversation: Conversation, context: dict[str, Any]) -> Handoff:
    """The bot ended the conversation after a second insult: closed for the customer, kept for review."""
    handoff, _ = create_or_get(session, conversation=conversation, context=context, actor="bot")
    handoff.status = "review"
    handoff.closed_at = utcnow()
    conversation.closed_reason = "abuse"
    conversations.transition(session, conversation=conversation, to_state="closed", actor="bot",
                             data={"handoff_id": handoff.id, "reason": "abuse"})
    return handoff


def for_review(session: Session) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == "review").order_by(Handoff.created_at.desc()).limit(50)
    return list(session.scalars(query))


def queue(session: Session) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == "queued").order_by(Handoff.priority_rank, Handoff.created_at, Handoff.id)
    return list(session.scalars(query))


def assigned_to(session: Session, *, agent: Agent) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == "assigned", Handoff.agent_id == agent.id).order_by(Handoff.claimed_at)
    return list(session.scalars(query))


def position(session: Session, *, handoff: Handoff) -> int | None:
    """1-based place in the queue, or None when no longer waiting."""
    if handoff.status != "queued":
        return None
    ahead = session.scalar(
        select(func.count()).select_from(Handoff).where(
            Handoff.status == "queued",
            (Handoff.priority_rank < handoff.priority_rank)
            | ((Handoff.priority_rank == handoff.priority_rank) & (Handoff.created_at < handoff.created_at))
            | ((Handoff.priority_rank == handoff.priority_rank) & (Handoff.created_at == handoff.created_at) & (Handoff.id < handoff.id)),
        )
    )
    return int(ahead) + 1


def handling_minutes(session: Session) -> tuple[float, int]:
    """Median handling time of the last week's closed handoffs, and how many it is based on."""
    since = utcnow() - timedelta(days=7)
    rows = session.execute(
        select(Handoff.claimed_at, Handoff.closed_at).where(
            Handoff.closed_at.is_not(None), Handoff.claimed_at.is_not(None), Handoff.closed_at >= since)
    ).all()
    durations = [(closed - claimed).total_seconds() / 60 for claimed, closed in rows]
    if len(durations) < 5:
        return float(DEFAULT_HANDLING_MINUTES), len(durations)
    return max(1.0, median(durations)), len(durations)


def minutes_per_place(session: Session) -> float:
    """Recent median handling time, shared by the agents online: the wait per place in line."""
    minutes, _ = handling_minutes(session)
    online = session.scalar(select(func.count()).select_from(Agent).where(Agent.status == "online", Agent.active.is_(True)))
    return minutes / max(1, online or 0)


def estimated_wait_minutes(session: Session, *, queue_position: int | None, per_place: float | None = None) -> int | None:
    """Place in line times the wait per place (computed here unless the caller already has it)."""
    if not queue_position:
        return None
    per_place = minutes_per_place(session) if per_place is None else per_place
    return max(1, round(queue_position * per_place))


def estimate_is_rough(session: Session) -> bool:
    """True while fewer than five handled chats of the last week back the estimate."""
    return handling_minutes(session)[1] < 5


def claim(session: Session, *, handoff_id: int, agent: Agent) -> bool:
    """Atomic: exactly one agent wins when two claim at once."""
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "queued")
        .values(status="assigned", agent_id=agent.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    handoff = session.get(Handoff, handoff_id)
    session.refresh(handoff)
    conversation = session.get(Conversation, handoff.conversation_id)
    conversation.agent_id = agent.id
    conversations.transition(session, conversation=conversation, to_state="agent", actor=f"agent:{agent.username}",
                             data={"handoff_id": handoff_id})
    return True


def active_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(Handoff.agent_id, func.count()).where(Handoff.status == "assigned")
                           .group_by(Handoff.agent_id)).all()
    return {agent_id: count for agent_id, count in rows}


def online_agents(session: Session, *, demo_mode: bool) -> list[Agent]:
    return [a for a in session.scalars(select(Agent).where(Agent.status == "online", Agent.active.is_(True)))
            if demo_mode or not a.is_demo]


def cap_of(agent: Agent, default_cap: int) -> int:
    """An agent's own limit of simultaneous chats, or the team's (MAX_CHATS_PER_AGENT)."""
    return agent.max_chats or default_cap


def room_left(session: Session, agent: Agent, *, default_cap: int, load: dict[int, int] | None = None) -> int:
    """How many more chats this agent may take now (P13); `load` when the caller already counted."""
    load = active_counts(session) if load is None else load
    return max(0, cap_of(agent, default_cap) - load.get(agent.id, 0))


def free_seats(session: Session, *, default_cap: int, demo_mode: bool) -> int:
    """How many more chats the online agents can take right now."""
    load = active_counts(session)
    return sum(room_left(session, a, default_cap=default_cap, load=load) for a in online_agents(session, demo_mode=demo_mode))


def auto_assign(session: Session, *, default_cap: int, demo_mode: bool) -> list[tuple[Handoff, Agent]]:
    """Give waiting handoffs (priority, then waiting time) to online agents with room, least loaded
    first; between equally loaded agents the one who got a chat longest ago (P13: fair routing)."""
    agents = online_agents(session, demo_mode=demo_mode)
    if not agents:
        return []
    load = active_counts(session)
    last = dict(session.execute(select(Handoff.agent_id, func.max(Handoff.claimed_at))
                                .where(Handoff.agent_id.is_not(None)).group_by(Handoff.agent_id)).all())
    assigned: list[tuple[Handoff, Agent]] = []
    for handoff in queue(session):
        room = [a for a in agents if room_left(session, a, default_cap=default_cap, load=load)]
        if not room:
            break
        agent = min(room, key=lambda a: (load.get(a.id, 0), last.get(a.id) or utcnow().replace(year=1970), a.id))
        if claim(session, handoff_id=handoff.id, agent=agent):
            load[agent.id] = load.get(agent.id, 0) + 1
            last[agent.id] = utcnow()
            assigned.append((handoff, agent))
    return assigned


def release(session: Session, *, agent: Agent) -> list[Handoff]:
    """An agent goes offline: their open chats go back to the queue, every message kept."""
    released = assigned_to(session, agent=agent)
    for handoff in released:
        reopen(session, handoff=handoff, actor=f"agent:{agent.username}")
    return released


def transfer(session: Session, *, handoff: Handoff, from_agent: Agent, to_agent: Agent) -> Conversation:
    handoff.agent_id = to_agent.id
    conversation = session.get(Conversation, handoff.conversation_id)
    conversation.agent_id = to_agent.id
    conversations.record_event(session, conversation=conversation, kind="transfer", actor=f"agent:{from_agent.username}",
                               data={"handoff_id": handoff.id, "to": to_agent.username})
    return conversation


def close(session: Session, *, handoff: Handoff, agent: Agent, status: str, to_state: str) -> Conversation:
    handoff.status = status
    handoff.closed_at = utcnow()
    conversation = session.get(Conversation, handoff.conversation_id)
    conversations.transition(session, conversation=conversation, to_state=to_state, actor=f"agent:{agent.username}",
                             data={"handoff_id": handoff.id, "outcome": status})
    return conversation


def reopen(session: Session, *, handoff: Handoff, actor: str) -> Conversation:
    """The customer says the problem is not solved: back in the queue."""
    handoff.status = "queued"
    handoff.agent_id = None
    handoff.claimed_at = None
    handoff.closed_at = None
    conversation = session.get(Conversation, handoff.conversation_id)
    conversation.agent_id = None
    conversations.transition(session, conversation=conversation, to_state="queued", actor=actor,
                             data={"handoff_id": handoff.id, "reopened": True})
    return conversation


def latest_for_conversation(session: Session, *, conversation_id: str) -> Handoff | None:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
    return session.scalars(query).first()
