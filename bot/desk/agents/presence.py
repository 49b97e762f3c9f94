"""Presence: an agent is there only while a console of hers is connected.

Every replica stamps `last_seen_at` for the agents whose console has a socket on it (`seen`, each heartbeat),
and a request she makes herself counts too (`touch`). The replica that holds the periodic lease looks for agents
who are online, or still have chats, without any console for `away_after_seconds` (`gone`, and
`agents.flows.sweep_absent`): they go "away", their open chats go back to the queue by the RELEASE step (their
place in line is kept, so they come before everyone who joined later; routing and what the customer hears follow
as for any release), and she finds a notice in her console when she is back (`notice`, until she has read it).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent
from bot.desk.db import utcnow
from bot.desk.conversations.states import HandoffStatus
from bot.desk.handoffs.models import Handoff

TOUCH_EVERY = timedelta(seconds=15)  # a request stamps her presence at most this often (one write, not one per call)
AUTO_AWAY = "presence"  # the release's reason in the audit row and for what the customer hears


def seen(session: Session, agent_ids: Iterable[int]) -> None:
    """These agents have a console connected to this replica now."""
    ids = sorted(set(agent_ids))
    if ids:
        session.execute(update(Agent).where(Agent.id.in_(ids)).values(last_seen_at=utcnow())
                        .execution_options(synchronize_session=False))


def touch(session: Session, agent: Agent) -> None:
    """She did something herself (a request from her console): she is there."""
    now = utcnow()
    if agent.last_seen_at is None or now - agent.last_seen_at >= TOUCH_EVERY:
        agent.last_seen_at = now


def gone(session: Session, *, away_after_seconds: float) -> list[Agent]:
    """Agents who are online, or have chats, and whose console nobody has seen for the set time."""
    cutoff = utcnow() - timedelta(seconds=away_after_seconds)
    owners = select(Handoff.agent_id).where(Handoff.status == HandoffStatus.ASSIGNED)
    query = select(Agent).where(or_(Agent.status == "online", Agent.id.in_(owners)),
                                or_(Agent.last_seen_at.is_(None), Agent.last_seen_at < cutoff))
    return list(session.scalars(query.order_by(Agent.id)))


def notice(agent: Agent) -> dict[str, Any] | None:
    """What she reads in her console when she is back: what the desk did while her console was gone."""
    data = agent.presence_notice
    if not data:
        return None
    released = int(data.get("released", 0))
    minutes = int(data.get("minutes", 2))
    gone_for = "een minuut" if minutes == 1 else f"{minutes} minuten"
    text = f"Je console was langer dan {gone_for} niet verbonden, dus je status staat op afwezig."
    if released == 1:
        text += " Je open gesprek is teruggezet in de wachtrij, met het hele gesprek erbij, zodat een collega verder kon."
    elif released:
        text += (f" Je {released} open gesprekken zijn teruggezet in de wachtrij, met het hele gesprek erbij, "
                 "zodat collega's verder konden.")
    text += " Zet je status op online als je weer nieuwe chats wilt krijgen."
    return {"text": text, "at": data.get("at"), "released": released}


def dismiss(session: Session, agent: Agent) -> None:
    agent.presence_notice = None
