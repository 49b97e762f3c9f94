"""Coordination between desk replicas through the database they share (SQLite or PostgreSQL).

- `DeskLock` rows: a transaction that routes (assigns, claims, transfers, releases) first updates the
  'routing' row. That row lock (PostgreSQL) or write lock (SQLite) makes routing decisions one at a
  time across every replica, so capacity and "exactly one winner" hold. Always take it first in a
  transaction, before touching a conversation, so that two transactions never wait on each other.
- `Lease` rows: periodic work (callback offers, overdue callbacks) runs on the replica that holds the
  lease; another one takes over when it lapses.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Column, DateTime, String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.desk.db import Base, utcnow

ROUTING = "routing"


class DeskLock(Base):
    __tablename__ = "desk_locks"

    name = Column(String(32), primary_key=True)
    taken_at = Column(DateTime, nullable=True)


class Lease(Base):
    __tablename__ = "desk_leases"

    name = Column(String(32), primary_key=True)
    holder = Column(String(80), nullable=False)
    expires_at = Column(DateTime, nullable=False)


def take_lock(session: Session, name: str = ROUTING) -> None:
    """Held until the transaction ends."""
    result = session.execute(update(DeskLock).where(DeskLock.name == name).values(taken_at=utcnow())
                             .execution_options(synchronize_session=False))
    if result.rowcount == 0:  # a database made before the row existed
        session.execute(insert(DeskLock).values(name=name, taken_at=utcnow()))


def hold_lease(session: Session, *, name: str, holder: str, seconds: float) -> bool:
    """True when `holder` has the lease now (renewed, or taken over because it lapsed)."""
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    result = session.execute(
        update(Lease).where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < now))
        .values(holder=holder, expires_at=until).execution_options(synchronize_session=False))
    if result.rowcount == 1:
        return True
    try:
        with session.begin_nested():
            session.execute(insert(Lease).values(name=name, holder=holder, expires_at=until))
        return True
    except IntegrityError:  # somebody else holds it
        return False
