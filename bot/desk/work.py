"""A unit of work: one database transaction and the events that services record in it (events.py).

It only collects. What follows from the events (routing, what customers hear about who helps them, the
pushes) is decided after its commit, in transaction.py, each in one place.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Generic, TypeVar

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.desk.coordination import take_lock
from bot.desk.events import Event
from bot.hours import BusinessHours

T = TypeVar("T")
Run = Callable[..., Awaitable[Any]]  # runs one unit of work, off the event loop (transaction.perform for a desk)


class LockOrderError(RuntimeError):
    pass


class Work:
    def __init__(self, session: Session, *, settings: Settings, hours: Callable[[], BusinessHours]) -> None:
        self.session = session
        self.settings = settings
        self.hours = hours  # the business hours as the file says now
        self.routing_locked = False
        self.touched_conversation = False
        self.memo: dict[str, Any] = {}  # figures read once per transaction (wait per place, staffing, numbering)
        self.events: list[Event] = []
        self.followed_up = False  # a follow-up transaction ran (transaction.py): rows in hand may be stale

    def lock_routing(self) -> None:
        """Routing decisions, one at a time across replicas. Must come before any conversation write."""
        if self.routing_locked:
            return
        if self.touched_conversation:
            raise LockOrderError("take the routing lock before changing a conversation")
        take_lock(self.session)
        self.routing_locked = True

    def record(self, event: Event) -> None:
        self.events.append(event)

    def follow_up(self) -> int:
        """The transaction so far is committed; what follows runs in a new one on the same session, with the
        events so far. The lock and the figures read once belonged to the old transaction, and every loaded row
        is read again (another request may have changed it in between). Returns how many events came before."""
        self.routing_locked = self.touched_conversation = False
        self.followed_up = True
        self.memo.clear()
        self.session.expire_all()
        return len(self.events)


class Afterwards(Generic[T]):
    """A unit of work's result that is read once what its events cause is in (routing, the desk's lines), on
    the same session: a customer's answer shows everything said after their message."""

    def __init__(self, read: Callable[[], T]) -> None:
        self.read = read
