"""Who serves whom (P13): waiting customers go to online agents with room, fairly. The only place that
decides it, and the only place that starts it: `react`, in the follow-up of every unit of work in which
someone joined the queue, a seat came free or an agent's status changed (transaction.py), and when the
periodic check finds someone still waiting while a seat is free."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.desk.agents.models import Agent
from bot.desk.conversations.states import STEPS, HandoffStatus, Step
from bot.desk.db import utcnow
from bot.desk.events import AgentStatusChanged, Event, StillWaiting, Stepped
from bot.desk.handoffs import service as handoffs
from bot.desk.handoffs.models import Handoff
from bot.desk.handoffs.queue import online_agents, waiting
from bot.desk.work import Work


def needed(events: list[Event]) -> bool:
    """Whether these events changed who can be served."""
    return any(isinstance(e, (AgentStatusChanged, StillWaiting)) or (isinstance(e, Stepped) and STEPS[e.step].routes)
               for e in events)


def react(work: Work) -> None:
    """Routes when the unit of work changed who can be served. A customer who says the problem is not
    solved goes back to the agent who helped, when she is online and has room."""
    events = list(work.events)
    if not needed(events):
        return
    for event in events:
        if isinstance(event, Stepped) and event.step == Step.REOPEN and event.previous_agent_id:
            _back_to(work, event.handoff_id, event.previous_agent_id)
    auto_assign(work)


def _back_to(work: Work, handoff_id: int, agent_id: int) -> None:
    agent = work.session.get(Agent, agent_id)
    if agent is not None and agent.status == "online" and agent.active \
            and handoffs.room_left(work.session, agent, default_cap=work.settings.max_chats_per_agent):
        handoffs.claim(work, handoff_id=handoff_id, agent=agent)


def auto_assign(work: Work) -> list[tuple[Handoff, Agent]]:
    """Give waiting handoffs (priority, then waiting time) to online agents with room, least loaded
    first; between equally loaded agents the one who got a chat longest ago (P13: fair routing)."""
    work.lock_routing()
    session, settings = work.session, work.settings
    agents = online_agents(session, demo_mode=settings.demo_mode)
    if not agents:
        return []
    load = handoffs.active_counts(session)
    last = dict(session.execute(select(Handoff.agent_id, func.max(Handoff.claimed_at))
                                .where(Handoff.agent_id.is_not(None)).group_by(Handoff.agent_id)).all())
    assigned: list[tuple[Handoff, Agent]] = []
    for handoff in waiting(session):
        room = [a for a in agents if handoffs.room_left(session, a, default_cap=settings.max_chats_per_agent, load=load)]
        if not room:
            break
        agent = min(room, key=lambda a: (load.get(a.id, 0), last.get(a.id) or utcnow().replace(year=1970), a.id))
        if handoff.status == HandoffStatus.QUEUED and handoffs.claim(work, handoff_id=handoff.id, agent=agent):
            load[agent.id] = load.get(agent.id, 0) + 1
            last[agent.id] = utcnow()
            assigned.append((handoff, agent))
    return assigned
