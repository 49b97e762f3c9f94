"""The waiting line as customers see it: place, expected wait, whether anyone is there to help.

Figures that change slowly (the median handling time, who is online) are read once per transaction;
the median itself is cached per process for a short while, because every handoff and every queue
update needs it and it moves over days, not seconds.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk import wording
from bot.desk.agents.models import Agent
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import OPEN_STATUSES, HandoffStatus, State
from bot.desk.db import utcnow
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Work

DEFAULT_HANDLING_MINUTES = 5  # used until there is enough history
HANDLING_CACHE_SECONDS = 30.0
_handling_cache: dict[str, tuple[float, tuple[float, int]]] = {}
_cache_lock = threading.Lock()
_computing: dict[str, threading.Lock] = {}


def open_handoff(session: Session, *, conversation_id: str) -> Handoff | None:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
    return session.scalars(query.order_by(Handoff.id.desc())).first()


def waiting(session: Session) -> list[Handoff]:
    """Everyone in line: priority first, then waiting time."""
    query = select(Handoff).where(Handoff.status == HandoffStatus.QUEUED).order_by(Handoff.priority_rank, Handoff.created_at, Handoff.id)
    return list(session.scalars(query))


def position(session: Session, *, handoff: Handoff) -> int | None:
    """1-based place in the queue, or None when no longer waiting."""
    if handoff.status != HandoffStatus.QUEUED:
        return None
    ahead = session.scalar(
        select(func.count()).select_from(Handoff).where(
            Handoff.status == HandoffStatus.QUEUED,
            (Handoff.priority_rank < handoff.priority_rank)
            | ((Handoff.priority_rank == handoff.priority_rank) & (Handoff.created_at < handoff.created_at))
            | ((Handoff.priority_rank == handoff.priority_rank) & (Handoff.created_at == handoff.created_at) & (Handoff.id < handoff.id)),
        )
    )
    return int(ahead) + 1


def _compute_handling(session: Session) -> tuple[float, int]:
    since = utcnow() - timedelta(days=7)
    rows = session.execute(
        select(Handoff.claimed_at, Handoff.closed_at).where(
            Handoff.closed_at.is_not(None), Handoff.claimed_at.is_not(None), Handoff.closed_at >= since)
    ).all()
    durations = [(closed - claimed).total_seconds() / 60 for claimed, closed in rows]
    if len(durations) < 5:
        return float(DEFAULT_HANDLING_MINUTES), len(durations)
    return max(1.0, median(durations)), len(durations)


def handling_minutes(session: Session) -> tuple[float, int]:
    """Median handling time of the last week's closed handoffs, and how many it is based on."""
    key = str(session.get_bind().url)
    with _cache_lock:
        computing = _computing.setdefault(key, threading.Lock())
    # One thread computes; others asking at the same moment (a turn, the periodic check) wait for it.
    with computing:
        with _cache_lock:
            cached = _handling_cache.get(key)
        if cached and time.monotonic() - cached[0] < HANDLING_CACHE_SECONDS:
            return cached[1]
        value = _compute_handling(session)
        with _cache_lock:
            _handling_cache[key] = (time.monotonic(), value)
        return value


def forget_cached_figures() -> None:
    """Tests change history under the cache's feet."""
    with _cache_lock:
        _handling_cache.clear()


def online_agents(session: Session, *, demo_mode: bool) -> list[Agent]:
    return [a for a in session.scalars(select(Agent).where(Agent.status == "online", Agent.active.is_(True)))
            if demo_mode or not a.is_demo]


def figures(work: Work) -> dict[str, Any]:
    """Wait per place, whether the estimate is rough, and whether anyone is online: once per transaction."""
    if "queue" not in work.memo:
        minutes, based_on = handling_minutes(work.session)
        online = len(online_agents(work.session, demo_mode=work.settings.demo_mode))
        work.memo["queue"] = {"per_place": minutes / max(1, online), "rough": based_on < 5, "online": online}
    return work.memo["queue"]


def estimated_wait(position_in_line: int | None, per_place: float) -> int | None:
    if not position_in_line:
        return None
    return max(1, round(position_in_line * per_place))


def info(work: Work, handoff: Handoff) -> dict[str, Any]:
    """What a waiting customer is told: place in line, and a wait only when someone can help."""
    place = position(work.session, handoff=handoff)
    if place is None:
        return {}
    seen = figures(work)
    if not seen["online"]:
        return {"queue_position": place, "agents_available": False}  # nobody to count on: no made-up estimate
    return {"queue_position": place, "estimated_wait_minutes": estimated_wait(place, seen["per_place"]),
            "estimate_is_rough": seen["rough"], "agents_available": True}


def owner_name(session: Session, *, conversation_id: str) -> str | None:
    """The first name of the agent who has the conversation now (the agent of its assigned handoff)."""
    return session.scalar(select(Agent.first_name).join(Handoff, Handoff.agent_id == Agent.id).where(
        Handoff.conversation_id == conversation_id, Handoff.status == HandoffStatus.ASSIGNED))


def describe(state: State, info: dict[str, Any]) -> dict[str, Any]:
    return {"state": state.value, **info, "status_text": wording.status_line(state, info),
            "subtitle": wording.subtitle(state)}


def customer_state(work: Work, conversation: Conversation) -> dict[str, Any]:
    """What the widget shows about who has the conversation: state, place in line, the status line."""
    shown: dict[str, Any] = {}
    if conversation.state == State.QUEUED:
        handoff = open_handoff(work.session, conversation_id=conversation.id)
        if handoff is not None and handoff.status == HandoffStatus.QUEUED:
            shown = info(work, handoff)
    elif conversation.state == State.AGENT:
        shown = {"agent_name": owner_name(work.session, conversation_id=conversation.id)}
    return describe(State(conversation.state), shown)
