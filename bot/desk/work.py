"""A unit of work: one database transaction, and what it tells people once it is committed.

Services record what changed (a message stored, a state changed, the queue moved); `perform` runs the
work in a worker thread (database calls never block the event loop), commits, and only then publishes
the pushes, worded once from what the transaction saw. A push that is lost (a replica dies between the
commit and the publish) is caught up by the clients through sequence numbers and the heartbeat.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.desk import wording
from bot.desk.coordination import take_lock
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import HandoffStatus, State
from bot.desk.deps import db
from bot.desk.push.hub import Envelope
from bot.hours import BusinessHours

T = TypeVar("T")
AGENT_VISIBLE = (State.QUEUED.value, State.AGENT.value)


class LockOrderError(RuntimeError):
    pass


class Work:
    def __init__(self, session: Session, *, settings: Settings, hours: Callable[[], BusinessHours]) -> None:
        self.session = session
        self.settings = settings
        self.hours = hours  # the business hours as the file says now
        self.routing_locked = False
        self.touched_conversation = False
        self.route_pending = False  # a transition changed who can be served; routing follows before commit
        self.memo: dict[str, Any] = {}  # figures read once per transaction (wait per place, staffing)
        self._messages: list[tuple[str, dict[str, Any]]] = []
        self._states: dict[str, None] = {}  # ordered set of conversation ids
        self._queue_changed = False
        self._agent_events: list[dict[str, Any]] = []

    # --- what services report -------------------------------------------------------------------------
    def lock_routing(self) -> None:
        """Routing decisions, one at a time across replicas. Must come before any conversation write."""
        if self.routing_locked:
            return
        if self.touched_conversation:
            raise LockOrderError("take the routing lock before changing a conversation")
        take_lock(self.session)
        self.routing_locked = True

    def message_added(self, conversation_id: str, message: dict[str, Any]) -> None:
        self._messages.append((conversation_id, message))

    def state_changed(self, conversation_id: str) -> None:
        self._states[conversation_id] = None

    def queue_changed(self) -> None:
        self._queue_changed = True

    def tell_agents(self, payload: dict[str, Any]) -> None:
        self._agent_events.append(payload)

    # --- what the transaction tells, worded from what it saw --------------------------------------------
    def envelopes(self) -> list[Envelope]:
        from bot.desk.conversations.service import write_back_sequence_numbers
        from bot.desk.handoffs import queue  # the queue builds on this module

        write_back_sequence_numbers(self)
        self.session.flush()
        ids = {cid for cid, _ in self._messages} | set(self._states)
        conversations = {cid: self.session.get(Conversation, cid) for cid in ids}
        out: list[Envelope] = []
        for conversation_id, message in self._messages:
            if message["sender"] != "note":  # internal notes never reach the customer
                out.append({"to": "customer", "conversation_id": conversation_id,
                            "payload": {"type": "message", "message": message}})
            conversation = conversations.get(conversation_id)
            if message["sender"] == "note" or (conversation is not None and conversation.state in AGENT_VISIBLE):
                out.append({"to": "agents", "payload": {"type": "message", "conversation_id": conversation_id,
                                                        "message": message}})
        pushed_states = set()
        for conversation_id in self._states:
            conversation = conversations[conversation_id]
            out.append(customer_state_envelope(self, conversation))
            out.append({"to": "agents", "payload": {"type": "state", "conversation_id": conversation_id,
                                                    "state": conversation.state}})
            pushed_states.add(conversation_id)
        if self._queue_changed:
            for handoff in queue.waiting(self.session):
                if handoff.conversation_id in pushed_states:
                    continue
                info = queue.info(self, handoff)
                out.append({"to": "customer", "conversation_id": handoff.conversation_id,
                            "payload": {"type": "state", "state": State.QUEUED.value, **info,
                                        "status_text": wording.status_line(State.QUEUED.value, info)}})
            out.append({"to": "agents", "payload": {"type": "queue_changed"}})
        out += [{"to": "agents", "payload": payload} for payload in self._agent_events]
        return out


def customer_state(work: Work, conversation: Conversation) -> dict[str, Any]:
    """What the widget shows about who has the conversation: state, place in line, the status line."""
    from bot.desk.handoffs import queue

    info: dict[str, Any] = {}
    if conversation.state == State.QUEUED.value:
        handoff = queue.open_handoff(work.session, conversation_id=conversation.id)
        if handoff is not None and handoff.status == HandoffStatus.QUEUED:
            info = queue.info(work, handoff)
    elif conversation.state == State.AGENT:
        info = {"agent_name": queue.owner_name(work.session, conversation_id=conversation.id)}
    return {"state": conversation.state, **info, "status_text": wording.status_line(conversation.state, info)}


def customer_state_envelope(work: Work, conversation: Conversation) -> Envelope:
    return {"to": "customer", "conversation_id": conversation.id,
            "payload": {"type": "state", **customer_state(work, conversation)}}


def transact(app: FastAPI, fn: Callable[..., T], *args: Any, routing: bool = False, **kwargs: Any) -> tuple[T, list[Envelope]]:
    """Runs `fn(work, ...)` in one transaction; returns its result and the pushes to publish after commit.
    `routing=True` takes the routing lock first (for work that may assign, claim or free a seat)."""
    with db(app) as session:
        work = Work(session, settings=app.state.settings, hours=app.state.hours.current)
        if routing:
            work.lock_routing()
        result = fn(work, *args, **kwargs)
        if work.route_pending:
            from bot.desk import routing  # routing builds on this module

            routing.assign_waiting(work)
        envelopes = work.envelopes()
    return result, envelopes


async def perform(app: FastAPI, fn: Callable[..., T], *args: Any, routing: bool = False, **kwargs: Any) -> T:
    """`transact` off the event loop, then the pushes."""
    result, envelopes = await run_in_threadpool(transact, app, fn, *args, routing=routing, **kwargs)
    await app.state.relay.publish(envelopes)
    return result
