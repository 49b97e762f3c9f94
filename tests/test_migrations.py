"""An existing desk database keeps everything through the newest migration, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from bot.desk import models  # noqa: F401 - every table on the metadata
from bot.desk.db import Base, make_engine, make_sessionmaker
from bot.desk.handoffs import queue
from bot.desk.migrate import alembic_config


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


def test_the_owner_kept_twice_becomes_the_handoffs_agent_and_comes_back_on_downgrade(empty_url):
    config = alembic_config(empty_url)
    command.upgrade(config, "0008")  # a desk from before: the owner on the conversation and on its handoff
    engine = create_engine(empty_url, future=True)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agents (username, first_name, password_hash, role, active, is_demo, status, "
                          "created_at) VALUES ('sanne', 'Sanne', 'x', 'agent', :t, :f, 'online', '2026-11-01')"),
                     {"t": True, "f": False})
        for cid, state, agent in (("c-agent", "agent", 1), ("c-bot", "bot", None)):
            conn.execute(text("INSERT INTO conversations (id, token_hash, state, agent_id, offered_payloads, created_at, "
                              "updated_at, awaiting, last_seq, legal_hold) VALUES (:id, 'h', :state, :agent, '[]', "
                              "'2026-11-01', '2026-11-01', 'nothing', 0, :f)"),
                         {"id": cid, "state": state, "agent": agent, "f": False})
        conn.execute(text("INSERT INTO handoffs (conversation_id, reason, priority, priority_rank, status, context, "
                          "agent_id, created_at) VALUES ('c-agent', 'frustration', 'high', 1, 'assigned', '{}', 1, "
                          "'2026-11-01')"))
    command.upgrade(config, "head")
    with engine.connect() as conn:  # the tables are what the desk's models say, column for column
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
    desk = make_engine(empty_url)
    with make_sessionmaker(desk)() as session:
        assert queue.owner_name(session, conversation_id="c-agent") == "Sanne"
        assert queue.owner_name(session, conversation_id="c-bot") is None
    desk.dispose()
    command.downgrade(config, "0008")
    with engine.connect() as conn:
        assert dict(conn.execute(text("SELECT id, agent_id FROM conversations")).all()) == {"c-agent": 1, "c-bot": None}
    command.upgrade(config, "head")
    engine.dispose()
