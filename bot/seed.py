"""Prepares a database: desk schema (Alembic), demo shop orders and the demo agent."""
from __future__ import annotations

from sqlalchemy import select

from bot.desk.agents import service as agents
from bot.desk.agents.models import Agent
from bot.desk.db import make_engine, make_sessionmaker
from bot.desk.migrate import upgrade
from bot.webshop.demo import demo_orders
from bot.webshop.sql import SqlWebshop

DEMO_AGENT = {"username": "demo", "first_name": "Sanne", "password": "balie-demo"}


def seed_demo(database_url: str, shop_database_url: str | None = None) -> None:
    """Idempotent: re-seeding moves the demo orders' dates to today and keeps real agents."""
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
    engine.dispose()
