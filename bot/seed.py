"""Prepares a database: desk schema (Alembic), demo shop orders and the demo agent."""
from __future__ import annotations

from sqlalchemy import select

from bot.desk.agents import service as agents
from bot.desk.agents.models import Agent
from bot.desk.db import make_engine, make_sessionmaker
from bot.demo_history import seed_history
from bot.desk.migrate import upgrade
from bot.webshop.demo import demo_orders
from bot.webshop.sql import SqlWebshop

DEMO_AGENT = {"username": "demo", "first_name": "Sanne", "password": "balie-demo"}


def seed_demo(database_url: str, shop_database_url: str | None = None, *, history: bool = False) -> int:
    """Idempotent: re-seeding moves the demo orders' dates to today and keeps real agents. With `history`,
    an empty desk gets two weeks of demo conversations for the dashboard; returns how many were added."""
    upgrade(database_url)
    shop = SqlWebshop(shop_database_url or database_url)
    shop.create_tables()
    shop.upsert_orders(demo_orders())
    shop.engine.dispose()
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        existing = session.scalars(select(Agent).where(Agent.username == DEMO_AGENT["username"])).first()
        if existing is None:
            agents.create_agent(session, role="admin", is_demo=True, **DEMO_AGENT)
        session.commit()
        added = seed_history(session) if history else 0
        session.commit()
    engine.dispose()
    return added
