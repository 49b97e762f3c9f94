"""Database engine and sessions. SQLAlchemy 1.4 written in 2.0 style; SQLite or PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum

from sqlalchemy import String, create_engine, event, inspect
from sqlalchemy.pool import QueuePool
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeMeta, registry, sessionmaker
from sqlalchemy.types import TypeDecorator

mapper_registry = registry()


class Base(metaclass=DeclarativeMeta):
    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata


class EnumText(TypeDecorator):
    """A str-Enum kept as its plain value (a VARCHAR, as before): rows read back as enum members, and a value
    that is not one of them is refused before it reaches the database."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[Enum], length: int = 16) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)


class DirectChange(RuntimeError):
    """A guarded column of a stored row was set outside the function that owns it."""


def only_changed_by(owner: str, *attributes) -> None:
    """Stored rows refuse a plain assignment to these columns: `owner` writes them with a checked UPDATE (and
    new, unsaved rows may be filled in freely)."""
    def refuse(target, value, oldvalue, initiator):
        if inspect(target).has_identity:
            raise DirectChange(f"{type(target).__name__}.{initiator.key} changes only in {owner}")
        return value

    for attribute in attributes:
        event.listen(attribute, "set", refuse, retval=True)


def utcnow() -> datetime:
    # Naive UTC everywhere: SQLite keeps no time zones, PostgreSQL columns are "without time zone".
    return datetime.now(timezone.utc).replace(tzinfo=None)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # SQLAlchemy 1.4 opens a new SQLite connection per session by default; a pool keeps them (the
        # pragmas below run once per connection, not once per request).
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15},
                               poolclass=QueuePool, pool_size=8, max_overflow=32)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the writer
            # WAL with NORMAL: a crashed process loses nothing that was committed; only a power cut can lose
            # the last commits (production runs on PostgreSQL). Saves an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)
