"""Handoffs: creating one, claiming (exactly one winner), capacity, transfers, hand-back and resolving.

Everything that decides who serves whom runs under the routing lock (`Work.lock_routing`), so the same
rules hold with one desk process or several replicas on one database.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import HandoffStatus, Step
from bot.desk.db import utcnow
from bot.desk.handoffs.models import PRIORITY_RANK, Handoff
from bot.desk.handoffs.queue import online_agents, open_handoff, waiting
from bot.handoff import PRIORITIES, REASONS

if TYPE_CHECKING:
    from bot.desk.work import Work


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


def create_or_get(work: "Work", *, conversation: Conversation, context: dict[str, Any], actor: str) -> tuple[Handoff, bool]:
    """Idempotent: while the conversation has an open handoff, that one is returned."""
    existing = open_handoff(work.session, conversation_id=conversation.id)
    if existing is not None:
        return existing, False
    priority = context.get("priority") or "normal"
    handoff = Handoff(conversation_id=conversation.id, reason=context["reason"], priority=priority,
                      priority_rank=PRIORITY_RANK[priority], context=context)
    conversations.transition(work, conversation=conversation, step=Step.HAND_OFF, handoff=handoff, actor=actor,
                             data={"reason": handoff.reason})
    work.tell_agents({"type": "new_handoff", "handoff_id": handoff.id, "reason": handoff.reason,
                      "priority": handoff.priority})
    return handoff, True


def close_for_abuse(work: "Work", *, conversation: Conversation, context: dict[str, Any]) -> Handoff:
    """The bot ended the conversation after a second insult: closed for the customer, kept for review."""
    priority = context.get("priority") or "high"
    handoff = Handoff(conversation_id=conversation.id, reason="abuse", priority=priority,
                      priority_rank=PRIORITY_RANK[priority], context=context)
    conversations.transition(work, conversation=conversation, step=Step.END, handoff=handoff, actor="bot",
                             data={"reason": "abuse"})
    work.tell_agents({"type": "queue_changed"})  # the review list
    return handoff


def for_review(session: Session) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == HandoffStatus.REVIEW).order_by(Handoff.created_at.desc()).limit(50)
    return list(session.scalars(query))


# What an agent has: her list and the count against her limit read exactly the same rows.
OWNED = Handoff.status == HandoffStatus.ASSIGNED


def assigned_to(session: Session, *, agent: Agent) -> list[Handoff]:
    return list(session.scalars(select(Handoff).where(OWNED, Handoff.agent_id == agent.id).order_by(Handoff.claimed_at)))


def active_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(Handoff.agent_id, func.count()).where(OWNED).group_by(Handoff.agent_id)).all()
    return {agent_id: count for agent_id, count in rows}


def claim(work: "Work", *, handoff_id: int, agent: Agent) -> bool:
    """Exactly one agent wins when two claim at once, on any replica: claims run under the routing lock, and the
    step itself only moves a handoff that is still waiting."""
    work.lock_routing()
    handoff = work.session.get(Handoff, handoff_id)
    if handoff is None or handoff.status != HandoffStatus.QUEUED:
        return False
    conversation = work.session.get(Conversation, handoff.conversation_id)
    from bot.desk.callbacks import service as callbacks  # callbacks build on handoffs

    callbacks.cancel_drafts(work.session, conversation_id=conversation.id)  # a person is here: no callback needed
    conversations.transition(work, conversation=conversation, step=Step.CLAIM, handoff=handoff, agent=agent,
                             actor=f"agent:{agent.username}")
    work.tell_agents({"type": "assigned", "handoff_id": handoff_id, "agent_id": agent.id,
                      "conversation_id": conversation.id})
    return True


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


def auto_assign(work: "Work") -> list[tuple[Handoff, Agent]]:
    """Give waiting handoffs (priority, then waiting time) to online agents with room, least loaded
    first; between equally loaded agents the one who got a chat longest ago (P13: fair routing)."""
    work.lock_routing()
    session, settings = work.session, work.settings
    agents = online_agents(session, demo_mode=settings.demo_mode)
    if not agents:
        return []
    load = active_counts(session)
    last = dict(session.execute(select(Handoff.agent_id, func.max(Handoff.claimed_at))
                                .where(Handoff.agent_id.is_not(None)).group_by(Handoff.agent_id)).all())
    assigned: list[tuple[Handoff, Agent]] = []
    for handoff in waiting(session):
        room = [a for a in agents if room_left(session, a, default_cap=settings.max_chats_per_agent, load=load)]
        if not room:
            break
        agent = min(room, key=lambda a: (load.get(a.id, 0), last.get(a.id) or utcnow().replace(year=1970), a.id))
        if claim(work, handoff_id=handoff.id, agent=agent):
            load[agent.id] = load.get(agent.id, 0) + 1
            last[agent.id] = utcnow()
            assigned.append((handoff, agent))
    return assigned


def release(work: "Work", *, agent: Agent) -> list[Handoff]:
    """An agent goes offline: their open chats go back to the queue, every message kept."""
    released = assigned_to(work.session, agent=agent)
    for handoff in released:
        conversation = work.session.get(Conversation, handoff.conversation_id)
        conversations.transition(work, conversation=conversation, step=Step.RELEASE, handoff=handoff,
                                 actor=f"agent:{agent.username}", data={"reopened": True})
    return released


def transfer(work: "Work", *, handoff: Handoff, from_agent: Agent, to_agent: Agent) -> Conversation:
    work.lock_routing()
    conversation = work.session.get(Conversation, handoff.conversation_id)
    conversations.transition(work, conversation=conversation, step=Step.TRANSFER, handoff=handoff, agent=to_agent,
                             actor=f"agent:{from_agent.username}", data={"to": to_agent.username})
    work.tell_agents({"type": "assigned", "handoff_id": handoff.id, "agent_id": to_agent.id,
                      "conversation_id": conversation.id})
    work.tell_agents({"type": "queue_changed"})
    return conversation


def close(work: "Work", *, handoff: Handoff, agent: Agent, step: Step) -> Conversation:
    """The agent resolved it (RESOLVE) or gave it back to the bot (HAND_BACK)."""
    conversation = work.session.get(Conversation, handoff.conversation_id)
    outcome = {Step.RESOLVE: "resolved", Step.HAND_BACK: "handed_back"}[step]
    conversations.transition(work, conversation=conversation, step=step, handoff=handoff,
                             actor=f"agent:{agent.username}", data={"outcome": outcome})
    work.tell_agents({"type": "queue_changed"})
    return conversation


def reopen(work: "Work", *, handoff: Handoff, actor: str) -> Conversation:
    """Back in the queue: the customer says the problem is not solved."""
    conversation = work.session.get(Conversation, handoff.conversation_id)
    conversations.transition(work, conversation=conversation, step=Step.REOPEN, handoff=handoff, actor=actor,
                             data={"reopened": True})
    return conversation


def latest_for_conversation(session: Session, *, conversation_id: str) -> Handoff | None:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
    return session.scalars(query).first()
