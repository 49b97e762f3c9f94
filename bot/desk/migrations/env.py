"""Alembic environment: the URL comes from the caller or DATABASE_URL."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.config import get_settings
from bot.desk import models  # noqa: F401 - registers every table on the metadata
from bot.desk.db import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
