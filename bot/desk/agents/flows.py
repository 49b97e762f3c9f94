"""An agent's presence: online (new chats are routed to her), away (she keeps her chats, gets no new ones),
offline (her open chats go back to the queue); and away by itself when no console of hers is connected
(agents/presence.py)."""
from __future__ import annotations

from bot.desk.agents import presence
from bot.desk.agents.models import Agent
from bot.desk.db import utcnow
from bot.desk.agents.service import STATUSES
from bot.desk.callbacks import flows as callback_flows
from bot.desk.errors import Invalid
from bot.desk.events import AgentStatusChanged
from bot.desk.handoffs import service as handoffs
from bot.desk.work import Work


def set_status(work: Work, agent_id: int, status: str) -> Agent:
    if status not in STATUSES:
        raise Invalid("Kies online, afwezig (away) of offline.")
    agent = work.session.get(Agent, agent_id)
    agent.status = status
    presence.touch(work.session, agent)  # she set it herself: she is there now
    if status == "offline":
        handoffs.release(work, agent=agent)
    work.record(AgentStatusChanged(agent.id))  # routing follows
    callback_flows.offer_to_waiters(work)  # the last one left: waiting customers get a callback offer
    return agent


def sweep_absent(work: Work) -> list[int]:
    """Agents without a console for `away_after_seconds` go away (an online one) and their chats go back to the
    queue at the place they had. Runs once for the whole desk (the periodic lease), under the routing lock, so the
    release and the routing that follows are one decision."""
    work.lock_routing()
    away_after = work.settings.away_after_seconds
    left = presence.gone(work.session, away_after_seconds=away_after)
    for agent in left:
        was = agent.status
        released = handoffs.release(work, agent=agent, reason=presence.AUTO_AWAY)
        if agent.status == "online":
            agent.status = "away"
        agent.presence_notice = {
            "at": utcnow().isoformat() + "Z", "minutes": max(1, round(away_after / 60)), "was": was,
            "released": len(released) + int((agent.presence_notice or {}).get("released", 0)),
        }
        work.record(AgentStatusChanged(agent.id))
    if left:
        callback_flows.offer_to_waiters(work)  # nobody left online: waiting customers get a callback offer
    return [agent.id for agent in left]
