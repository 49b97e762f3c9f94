"""The embedded demo shop: orders and returns in SQL tables (SQLite or PostgreSQL)."""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, Text, create_engine, insert, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.webshop.base import Order, OrderItem, ReturnRegistration, ShopUnavailable, Webshop

metadata = MetaData()

orders = Table(
    "shop_orders",
    metadata,
    Column("number", String(16), primary_key=True),
    Column("postcode", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("ordered_at", DateTime, nullable=False),
    Column("carrier", String(32)),
    Column("tracking_code", String(64)),
    Column("tracking_url", String(256)),
    Column("expected_from", DateTime),
    Column("expected_until", DateTime),
    Column("promised_date", Date),
    Column("delivered_at", DateTime),
    Column("items_json", Text, nullable=False, default="[]"),
    Column("customer_id", String(64), index=True),
)

returns = Table(
    "shop_returns",
    metadata,
    Column("order_number", String(16), primary_key=True),
    Column("return_code", String(16), nullable=False, unique=True),
    Column("registered_at", DateTime, nullable=False),
)


def _row_to_order(row) -> Order:
    items = tuple(OrderItem(**item) for item in json.loads(row.items_json or "[]"))
    return Order(
        number=row.number,
        postcode=row.postcode,
        status=row.status,
        ordered_at=row.ordered_at,
        carrier=row.carrier,
        tracking_code=row.tracking_code,
        tracking_url=row.tracking_url,
        expected_from=row.expected_from,
        expected_until=row.expected_until,
        promised_date=row.promised_date,
        delivered_at=row.delivered_at,
        items=items,
        customer_id=row.customer_id,
    )


class SqlWebshop(Webshop):
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self._url = url
        self._engine = engine

    @property
    def engine(self) -> Engine:
        # Built lazily: importing the actions must not open a database.
        if self._engine is None:
            self._engine = create_engine(self._url, future=True, pool_pre_ping=True)
        return self._engine

    def create_tables(self) -> None:
        metadata.create_all(self.engine)
        # A demo shop made before logged-in customers existed lacks the column: add it in place.
        columns = {c["name"] for c in inspect(self.engine).get_columns("shop_orders")}
        if "customer_id" not in columns:
            with self.engine.begin() as conn:
                conn.execute(text("ALTER TABLE shop_orders ADD COLUMN customer_id VARCHAR(64)"))

    def find_order(self, number: str, postcode: str) -> Order | None:
        query = select(orders).where(orders.c.number == number, orders.c.postcode == postcode)
        try:
            with self.engine.connect() as conn:
                row = conn.execute(query).first()
        except OperationalError as exc:
            raise ShopUnavailable(str(exc)) from exc
        return _row_to_order(row) if row else None

    def orders_for_customer(self, customer_id: str) -> list[Order]:
        query = select(orders).where(orders.c.customer_id == customer_id).order_by(orders.c.ordered_at.desc())
        try:
            with self.engine.connect() as conn:
                return [_row_to_order(row) for row in conn.execute(query)]
        except OperationalError as exc:
            raise ShopUnavailable(str(exc)) from exc

    def register_return(self, number: str, postcode: str) -> ReturnRegistration:
        order = self.find_order(number, postcode)
        if order is None:
            raise LookupError("order not found")
        if not order.is_returnable(date.today()):
            raise ValueError("return term has passed")
        try:
            with self.engine.begin() as conn:
                existing = conn.execute(select(returns).where(returns.c.order_number == number)).first()
                if existing:
                    return ReturnRegistration(number, existing.return_code, existing.registered_at, created=False)
                code = "R-" + secrets.token_hex(3).upper()
                now = datetime.now().replace(microsecond=0)
                conn.execute(insert(returns).values(order_number=number, return_code=code, registered_at=now))
                return ReturnRegistration(number, code, now, created=True)
        except IntegrityError:
            # A concurrent retry registered it first: answer with that registration.
            with self.engine.connect() as conn:
                existing = conn.execute(select(returns).where(returns.c.order_number == number)).one()
            return ReturnRegistration(number, existing.return_code, existing.registered_at, created=False)
        except OperationalError as exc:
            raise ShopUnavailable(str(exc)) from exc

    def upsert_orders(self, records: list[Order]) -> None:
        """Replace the given orders and their returns (used by the demo seed)."""
        with self.engine.begin() as conn:
            numbers = [o.number for o in records]
            conn.execute(returns.delete().where(returns.c.order_number.in_(numbers)))
            conn.execute(orders.delete().where(orders.c.number.in_(numbers)))
            for order in records:
                conn.execute(
                    insert(orders).values(
                        number=order.number,
                        postcode=order.postcode,
                        status=order.status,
                        ordered_at=order.ordered_at,
                        carrier=order.carrier,
                        tracking_code=order.tracking_code,
                        tracking_url=order.tracking_url,
                        expected_from=order.expected_from,
                        expected_until=order.expected_until,
                        promised_date=order.promised_date,
                        delivered_at=order.delivered_at,
                        items_json=json.dumps([item.__dict__ for item in order.items]),
                        customer_id=order.customer_id,
                    )
                )
