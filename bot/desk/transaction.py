"""Runs a unit of work: one database transaction in a worker thread (database calls never block the event
loop), what follows from its events in the same transaction, the commit, and only then the pushes."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from bot.desk.deps import db
from bot.desk.handoffs import announce, routing
from bot.desk.push import envelopes
from bot.desk.push.hub import Envelope
from bot.desk.work import Afterwards, Work

T = TypeVar("T")


def settle(work: Work) -> list[Envelope]:
    """What the recorded events cause, each decided in one place: routing first (it may take more steps), then
    what customers hear about who helps them, then the pushes (read here, published after the commit)."""
    routing.react(work)
    announce.react(work)
    return envelopes.of(work)


def transact(app: FastAPI, fn: Callable[..., T], *args: Any, routing: bool = False, **kwargs: Any) -> tuple[T, list[Envelope]]:
    """Runs `fn(work, ...)` in one transaction; returns its result and the pushes to publish after commit.
    `routing=True` takes the routing lock first (for work that may assign, claim or free a seat)."""
    with db(app) as session:
        work = Work(session, settings=app.state.settings, hours=app.state.hours.current)
        if routing:
            work.lock_routing()
        result = fn(work, *args, **kwargs)
        pushes = settle(work)
        if isinstance(result, Afterwards):
            result = result.read()
    return result, pushes


async def perform(app: FastAPI, fn: Callable[..., T], *args: Any, routing: bool = False, **kwargs: Any) -> T:
    """`transact` off the event loop, then the pushes, to every publisher: the relay (the widget's and the
    console's sockets, on every replica), and whatever else carries a channel's messages to its customers."""
    result, pushes = await run_in_threadpool(transact, app, fn, *args, routing=routing, **kwargs)
    for publisher in app.state.publishers:
        await publisher.publish(pushes)
    return result
