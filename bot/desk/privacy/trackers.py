"""Rasa's tracker store (its SQL `events` table, one row per event, `sender_id` = the desk's conversation
id): searched and erased together with the desk, so that nothing of an erased customer stays behind."""
from __future__ import annotations

import logging
from typing import Iterable

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

logger = logging.getLogger(__name__)
_metadata = MetaData()
EVENTS = Table(  # as rasa.core.tracker_store.SQLTrackerStore.SQLEvent defines it
    "events", _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
MISSING_TABLE = (OperationalError, ProgrammingError)  # Rasa has not written its first event yet


class TrackerStore:
    def __init__(self, url: str | None) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine | None:
        if self.url and self._engine is None:
            self._engine = create_engine(self.url, future=True, pool_pre_ping=True)
        return self._engine

    def mentioning(self, needles: Iterable[str]) -> list[tuple[str, str]]:
        """(conversation, event data) for events that contain any of these texts (case-insensitive)."""
        if self.engine is None:
            return []
        found: list[tuple[str, str]] = []
        try:
            with self.engine.connect() as conn:
                for needle in needles:
                    rows = conn.execute(select(EVENTS.c.sender_id, EVENTS.c.data).where(
                        func.lower(EVENTS.c.data).contains(needle.lower(), autoescape=True)))
                    found.extend((sender, data or "") for sender, data in rows)
        except MISSING_TABLE:
            return []
        return found

    def events_of(self, sender_id: str) -> list[dict]:
        if self.engine is None:
            return []
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
                                    .where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id))
                return [{"event": r.type_name, "timestamp": r.timestamp, "data": r.data} for r in rows]
        except MISSING_TABLE:
            return []

    def erase(self, sender_ids: Iterable[str]) -> int:
        """Deletes every event of these conversations; returns how many."""
        ids = list(sender_ids)
        if self.engine is None or not ids:
            return 0
        erased = 0
        try:
            with self.engine.begin() as conn:
                for start in range(0, len(ids), 500):
                    erased += conn.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(ids[start:start + 500]))).rowcount
        except MISSING_TABLE:
            return 0
        return erased

    def senders_older_than(self, timestamp: float) -> set[str]:
        """Conversations whose newest event is older than `timestamp` (seconds since the epoch)."""
        if self.engine is None:
            return set()
        try:
            with self.engine.connect() as conn:
                return set(conn.scalars(select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
                                        .having(func.max(EVENTS.c.timestamp) < timestamp)))
        except MISSING_TABLE:
            return set()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
