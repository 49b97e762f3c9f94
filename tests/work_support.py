"""Service-level tests: a unit of work on a plain session, without a running desk."""
from __future__ import annotations

from dataclasses import replace

from bot import hours
from bot.config import get_settings
from bot.desk import transaction
from bot.desk.push import envelopes
from bot.desk.work import Work


def work_for(session, **settings) -> Work:
    """A `Work` with the routing lock taken (as the desk does for anything that routes)."""
    work = Work(session, settings=replace(get_settings(), **settings), hours=hours.load)
    work.lock_routing()
    return work


def settle(work: Work) -> list[dict]:
    """What follows a unit of work (routing, the customer's "who helps you") and the pushes of both, in the same
    session without the commit in between that the desk makes (transaction.transact)."""
    transaction.react(work)
    return envelopes.of(work)
