"""Runs a unit of work and what follows from it, on one session in a worker thread (database calls never block
the event loop):

1. the unit of work (`fn`), one transaction, committed as it is: a customer handed to the team is in the queue
   whatever happens next;
2. when its events call for it, the follow-up: a transaction of its own under the routing lock, reading every
   row again, in which routing (handoffs/routing.py) and then what customers hear about who helps them
   (handoffs/announce.py) react to the events. When it fails, nothing of the unit of work is lost: the next
   event that routes, or the periodic check (periodic.py), serves whoever still waits;
3. the pushes of both (push/envelopes.py) and the result, read after that, published once it is all committed.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

from fastapi import FastAPI
from sqlalchemy import inspect
from sqlalchemy.orm import InstanceState
from starlette.concurrency import run_in_threadpool

from bot.desk.deps import db
from bot.desk.events import Event
from bot.desk.handoffs import announce, routing
from bot.desk.push import envelopes
from bot.desk.push.hub import Envelope
from bot.desk.work import Afterwards, Work

T = TypeVar("T")
logger = logging.getLogger(__name__)


def due(events: list[Event]) -> bool:
    """Whether these events call for a follow-up."""
    return routing.needed(events) or announce.needed(events)


def react(work: Work) -> None:
    """The follow-up's work: routing first (it may take more steps), then what customers hear about who helps."""
    work.lock_routing()
    routing.react(work)
    announce.react(work)


def transact(app: FastAPI, fn: Callable[..., T], *args: Any, routing: bool = False, **kwargs: Any) -> tuple[T, list[Envelope]]:
    """Runs `fn(work, ...)` and its follow-up; returns its result and the pushes to publish.
    `routing=True` takes the routing lock first (for work that may assign, claim or free a seat)."""
    with db(app) as session:
        work = Work(session, settings=app.state.settings, hours=app.state.hours.current)
        if routing:
            work.lock_routing()
        result = fn(work, *args, **kwargs)
        if due(work.events):
            session.commit()
            before = work.follow_up()
            try:
                react(work)
                session.commit()
            except Exception:  # noqa: BLE001 - the unit of work stands; whoever waits is served later
                logger.exception("the follow-up of a unit of work failed; its own changes are kept")
                session.rollback()
                del work.events[before:]
                work.follow_up()
        pushes = envelopes.of(work)
        if isinstance(result, Afterwards):
            result = result.read()
        elif _expired_row(result):  # a row the follow-up expired is read again before the session closes
            session.refresh(result)
    return result, pushes


def _expired_row(result: Any) -> bool:
    state = inspect(result, raiseerr=False) if result is not None else None
    return isinstance(state, InstanceState) and state.session is not None and bool(state.expired_attributes)


async def perform(app: FastAPI, fn: Callable[..., T], *args: Any, routing: bool = False, **kwargs: Any) -> T:
    """`transact` off the event loop, then the pushes, to every publisher: the relay (the widget's and the
    console's sockets, on every replica), and whatever else carries a channel's messages to its customers."""
    result, pushes = await run_in_threadpool(transact, app, fn, *args, routing=routing, **kwargs)
    for publisher in app.state.publishers:
        await publisher.publish(pushes)
    return result
