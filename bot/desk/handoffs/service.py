"""Handoffs: creating one, claiming (exactly one winner), capacity, transfers, hand-back and resolving.

Everything that decides who serves whom runs under the routing lock (`Work.lock_routing`), so the same
rules hold with one desk process or several replicas on one database.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent
from bot.desk.callbacks import service as callbacks
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import HandoffStatus, Step
from bot.desk.handoffs.models import PRIORITY_RANK, Handoff
from bot.desk.errors import NotFound
from bot.desk.handoffs.queue import online_agents, open_handoff, waiting
from bot.desk.work import Work
from bot.handoff import PRIORITIES, REASONS


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


def create_or_get(work: Work, *, conversation: Conversation, context: dict[str, Any], actor: str,
                  bot_down: bool = False) -> tuple[Handoff, bool]:
    """Idempotent: while the conversation has an open handoff, that one is returned. `bot_down`: the desk
    hands off because Rasa or the action server did not answer (the customer hears so)."""
    existing = open_handoff(work.session, conversation_id=conversation.id)
    if existing is not None:
        return existing, False
    priority = context.get("priority") or "normal"
    handoff = Handoff(conversation_id=conversation.id, reason=context["reason"], priority=priority,
                      priority_rank=PRIORITY_RANK[priority], context=context)
    conversations.transition(work, conversation=conversation, step=Step.HAND_OFF, handoff=handoff, actor=actor,
                             data={"reason": handoff.reason, **({"bot_down": True} if bot_down else {})})
    return handoff, True


def close_for_abuse(work: Work, *, conversation: Conversation, context: dict[str, Any]) -> Handoff:
    """The bot ended the conversation after a second insult: closed for the customer, kept for review."""
    priority = context.get("priority") or "high"
    handoff = Handoff(conversation_id=conversation.id, reason="abuse", priority=priority,
                      priority_rank=PRIORITY_RANK[priority], context=context)
    conversations.transition(work, conversation=conversation, step=Step.END, handoff=handoff, actor="bot",
                             data={"reason": "abuse"})
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


def claim(work: Work, *, handoff_id: int, agent: Agent) -> bool:
    """Exactly one agent wins when two claim at once, on any replica: claims run under the routing lock, and the
    step itself only moves a handoff that is still waiting."""
    work.lock_routing()
    handoff = work.session.get(Handoff, handoff_id)
    if handoff is None or handoff.status != HandoffStatus.QUEUED:
        return False
    conversation = work.session.get(Conversation, handoff.conversation_id)
    callbacks.cancel_drafts(work.session, conversation_id=conversation.id)  # a person is here: no callback needed
    conversations.transition(work, conversation=conversation, step=Step.CLAIM, handoff=handoff, agent=agent,
                             actor=f"agent:{agent.username}")
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


def release(work: Work, *, agent: Agent, reason: str = "offline") -> list[Handoff]:
    """An agent goes offline, or her console was gone too long (`reason` "presence", agents/presence.py): her open
    chats go back to the queue, every message kept, at the place in line they had."""
    released = assigned_to(work.session, agent=agent)
    for handoff in released:
        conversation = work.session.get(Conversation, handoff.conversation_id)
        conversations.transition(work, conversation=conversation, step=Step.RELEASE, handoff=handoff,
                                 actor=f"agent:{agent.username}", data={"reopened": True, "reason": reason})
    return released


def transfer(work: Work, *, handoff: Handoff, from_agent: Agent, to_agent: Agent) -> Conversation:
    work.lock_routing()
    conversation = work.session.get(Conversation, handoff.conversation_id)
    conversations.transition(work, conversation=conversation, step=Step.TRANSFER, handoff=handoff, agent=to_agent,
                             actor=f"agent:{from_agent.username}", data={"to": to_agent.username})
    return conversation


def close(work: Work, *, handoff: Handoff, agent: Agent, step: Step) -> Conversation:
    """The agent resolved it (RESOLVE) or gave it back to the bot (HAND_BACK)."""
    conversation = work.session.get(Conversation, handoff.conversation_id)
    outcome = {Step.RESOLVE: "resolved", Step.HAND_BACK: "handed_back"}[step]
    conversations.transition(work, conversation=conversation, step=step, handoff=handoff,
                             actor=f"agent:{agent.username}", data={"outcome": outcome})
    return conversation


def reopen(work: Work, *, handoff: Handoff, actor: str) -> Conversation:
    """Back in the queue: the customer says the problem is not solved (routing tries the same agent first)."""
    conversation = work.session.get(Conversation, handoff.conversation_id)
    conversations.transition(work, conversation=conversation, step=Step.REOPEN, handoff=handoff, actor=actor,
                             data={"reopened": True})
    return conversation


# --- what agents read -----------------------------------------------------------------------------------
def where(session: Session, handoff: Handoff) -> dict[str, Any]:
    """Where the handoff is now and who has it, read from the handoff itself (its agent_id is the owner, kept
    nowhere else): what the card's status line shows, also after a transfer, a release or the end."""
    agent = session.get(Agent, handoff.agent_id) if handoff.agent_id else None
    return {"status": handoff.status.value, "agent": agent.first_name if agent else None, "agent_id": handoff.agent_id}


def summary(session: Session, handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.id, "conversation_id": handoff.conversation_id, "reason": handoff.reason,
        "priority": handoff.priority, "summary": handoff.context.get("summary", ""),
        "waiting_since": handoff.created_at.isoformat() + "Z", **where(session, handoff),
    }


def lists(session: Session, *, agent: Agent) -> dict[str, list[dict[str, Any]]]:
    """The queue, the agent's own chats (what counts against her limit) and the bot's ended conversations."""
    return {"queue": [summary(session, h) for h in waiting(session)],
            "mine": [summary(session, h) for h in assigned_to(session, agent=agent)],
            "review": [summary(session, h) for h in for_review(session)]}


def found(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound("Deze overdracht bestaat niet.")
    return handoff


def detail(session: Session, *, handoff_id: int) -> dict[str, Any]:
    """The context card and the whole transcript, internal notes included."""
    handoff = found(session, handoff_id)
    conversation = session.get(Conversation, handoff.conversation_id)
    messages = [m.to_json() for m in conversations.list_messages(session, conversation_id=handoff.conversation_id,
                                                                 include_notes=True)]
    return {**summary(session, handoff), "context": handoff.context, "state": conversation.state.value,
            "last_seq": conversation.last_seq, "legal_hold": bool(conversation.legal_hold), "messages": messages}


def messages_after(session: Session, *, handoff_id: int, after: int) -> dict[str, Any]:
    """The transcript after the last sequence number the console saw (resume after a reconnect)."""
    handoff = found(session, handoff_id)
    conversation = session.get(Conversation, handoff.conversation_id)
    return {"messages": [m.to_json() for m in conversations.list_messages(
        session, conversation_id=handoff.conversation_id, include_notes=True, after=after)],
        "state": conversation.state.value, "last_seq": conversation.last_seq, **where(session, handoff)}


def colleagues(session: Session, *, demo_mode: bool) -> list[dict[str, Any]]:
    """Colleagues to transfer to, with their status and load (the same count as their limit)."""
    load = active_counts(session)
    rows = session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.first_name))
    return [{"username": a.username, "first_name": a.first_name, "status": a.status, "open_chats": load.get(a.id, 0)}
            for a in rows if demo_mode or not a.is_demo]


def latest_for_conversation(session: Session, *, conversation_id: str) -> Handoff | None:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
    return session.scalars(query).first()
