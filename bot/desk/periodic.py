"""Background work of a desk replica.

- Periodic work that must happen once for the whole desk (callback offers to customers who waited too
  long, callbacks that just became overdue, customers still in line while a seat is free, erasing
  conversations past the retention period) runs on the replica that holds the 'periodic' lease.
- The heartbeat runs on every replica for its own sockets: the newest sequence number and state per
  conversation, so a client that missed a push (a replica or Redis went away) catches up.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from bot.desk.agents import flows as agent_flows, presence, service as agents
from bot.desk.callbacks import flows as callback_flows
from bot.desk.callbacks.models import Callback
from bot.desk.conversations.models import Conversation, ConversationEvent
from bot.desk.conversations.states import HandoffStatus
from bot.desk.coordination import hold_lease
from bot.desk.db import utcnow
from bot.desk.deps import db
from bot.desk.privacy import service as privacy
from bot.desk.events import CallbacksDue, StillWaiting
from bot.desk.handoffs import service as handoffs
from bot.desk.handoffs.models import Handoff
from bot.desk.transaction import perform

logger = logging.getLogger(__name__)
LEASE = "periodic"
RETENTION_EVERY = timedelta(hours=1)
# A handoff this new is its own follow-up's to route and to tell about (transaction.py): that runs right after
# its commit, and the periodic work must not slip in between (a callback offer before "je hoeft niets te
# herhalen"). Long enough for a follow-up that waits for the routing lock (SQLite gives up after 15 s).
FRESH = timedelta(seconds=15)


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _newly_overdue(work, since: datetime) -> int:
    """Callbacks whose window ended since the last check: the agents' list turns them red now."""
    now = utcnow()
    count = work.session.scalar(select(func.count()).select_from(Callback).where(
        Callback.status == "scheduled", Callback.slot_end > since, Callback.slot_end <= now))
    if count:
        work.record(CallbacksDue(int(count)))
    return int(count or 0)


def _offer_callbacks(work) -> int:
    return callback_flows.offer_to_waiters(work, joined_before=utcnow() - FRESH)


def _still_waiting(work) -> bool:
    """Customers in line while an agent has room: routed right after their step as a rule, so this only finds
    the ones whose follow-up failed (transaction.py). Routing, which follows the event, serves them."""
    session, settings = work.session, work.settings
    if session.scalar(select(Handoff.id).where(Handoff.status == HandoffStatus.QUEUED,
                                               Handoff.created_at < utcnow() - FRESH).limit(1)) is None:
        return False
    if not handoffs.free_seats(session, default_cap=settings.max_chats_per_agent, demo_mode=settings.demo_mode):
        return False
    work.record(StillWaiting())
    return True


class PeriodicWork:
    def __init__(self, app: FastAPI, every_seconds: float) -> None:
        self.app, self.every = app, every_seconds
        self.holder = replica_name()
        self.last_check = utcnow()
        self.runs = 0  # how often this replica did the work (tests: once across replicas)
        self.next_retention = utcnow()  # at start-up, then hourly (batches until nothing old is left)

    def _lead(self) -> bool:
        with db(self.app) as session:
            return hold_lease(session, name=LEASE, holder=self.holder, seconds=max(3 * self.every, 2.0))

    async def tick(self) -> bool:
        if not await run_in_threadpool(self._lead):
            self.last_check = utcnow()
            return False
        since, self.last_check = self.last_check - timedelta(seconds=1), utcnow()
        await perform(self.app, agent_flows.sweep_absent)  # agents whose console is gone: away, their chats to the queue
        await perform(self.app, _still_waiting)
        await perform(self.app, _offer_callbacks)
        await perform(self.app, _newly_overdue, since)
        if utcnow() >= self.next_retention:
            counts = await run_in_threadpool(self.retention)
            more = counts.get("conversations", 0) >= privacy.RETENTION_BATCH
            self.next_retention = utcnow() + (timedelta(seconds=0) if more else RETENTION_EVERY)
        self.runs += 1
        return True

    def retention(self) -> dict[str, int]:
        """One batch of erasing what is past the retention period (desk and Rasa's tracker store)."""
        settings = self.app.state.settings
        with db(self.app) as session:
            return privacy.apply_retention(session, days=settings.retention_days, trackers=self.app.state.trackers)

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.tick()
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                logger.exception("periodic work failed")


def _latest(app: FastAPI, ids: list[str]) -> tuple[dict[str, dict[str, Any]], Any]:
    latest: dict[str, dict[str, Any]] = {}
    with db(app) as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(select(Conversation.id, Conversation.last_seq, Conversation.state)
                                   .where(Conversation.id.in_(ids[start:start + 500]))).all()
            latest.update({cid: {"last_seq": seq, "state": state} for cid, seq, state in rows})
        stamp = session.scalar(select(func.max(ConversationEvent.id))
                               .where(ConversationEvent.kind.in_(("state", "transfer"))))
    return latest, stamp


def _ended_sessions(app: FastAPI, sessions: set[str]) -> set[str]:
    """Agents' sign-ins on this replica's sockets that no longer hold (signed out on another replica,
    disabled with `bot agents disable`, expired)."""
    with db(app) as session:
        return sessions - agents.live_sessions(session, digests=sessions, demo_mode=app.state.settings.demo_mode)


def _seen(app: FastAPI, agent_ids: set[int]) -> None:
    with db(app) as session:
        presence.seen(session, agent_ids)


async def heartbeat_forever(app: FastAPI, every_seconds: float) -> None:
    hub = app.state.hub
    while True:
        await asyncio.sleep(every_seconds)
        try:
            connected = hub.connected_agents()
            if connected:  # these agents' consoles are here: they are present (read by every replica's sweep)
                await run_in_threadpool(_seen, app, connected)
            if not hub.socket_count:
                continue
            ids = sorted(set(hub.customer_conversations()) | set(hub.watched_conversations()))
            latest, stamp = await run_in_threadpool(_latest, app, ids)
            await hub.end_sessions(await run_in_threadpool(_ended_sessions, app, hub.agent_sessions()))
            await hub.heartbeat(latest, stamp)
        except Exception:  # noqa: BLE001 - next beat
            logger.exception("heartbeat failed")
