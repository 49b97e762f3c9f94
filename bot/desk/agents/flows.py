"""An agent's presence: online (new chats are routed to her), away (she keeps her chats, gets no new ones),
offline (her open chats go back to the queue)."""
from __future__ import annotations

from bot.desk.agents.models import Agent
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
    if status == "offline":
        handoffs.release(work, agent=agent)
    work.record(AgentStatusChanged(agent.id))  # routing follows
    callback_flows.offer_to_waiters(work)  # the last one left: waiting customers get a callback offer
    return agent
