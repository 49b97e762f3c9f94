"""The Webshop interface and the typed records it returns."""
from __future__ import annotations

import abc
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

RETURN_TERM_DAYS = 30


class ShopUnavailable(RuntimeError):
    """The shop could not be reached or answered nonsense; the bot hands over."""


@dataclass(frozen=True)
class OrderItem:
    name: str
    quantity: int
    price_cents: int


@dataclass(frozen=True)
class Order:
    number: str
    postcode: str
    status: str  # processing | shipped | delayed | delivered
    ordered_at: datetime
    carrier: str | None = None
    tracking_code: str | None = None
    tracking_url: str | None = None
    expected_from: datetime | None = None
    expected_until: datetime | None = None
    promised_date: date | None = None
    delivered_at: datetime | None = None
    items: tuple[OrderItem, ...] = field(default_factory=tuple)
    customer_id: str | None = None  # the shop's account that placed it; None for a guest order

    def return_deadline(self) -> date | None:
        if self.delivered_at is None:
            return None
        return (self.delivered_at + timedelta(days=RETURN_TERM_DAYS)).date()

    def is_returnable(self, today: date) -> bool:
        deadline = self.return_deadline()
        return deadline is not None and today <= deadline

    def to_json(self) -> dict:
        data = asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, (datetime, date)):
                data[key] = value.isoformat()
        return data


@dataclass(frozen=True)
class ReturnRegistration:
    order_number: str
    return_code: str
    registered_at: datetime
    created: bool  # False when the order already had a return: the same code comes back


class Webshop(abc.ABC):
    """What the assistant needs from a shop. Lookups need number *and* postcode."""

    @abc.abstractmethod
    def find_order(self, number: str, postcode: str) -> Order | None:
        """The order when number and postcode match, else None (never says which one is wrong)."""

    @abc.abstractmethod
    def register_return(self, number: str, postcode: str) -> ReturnRegistration:
        """Register a return for a verified, returnable order; idempotent per order."""

    @abc.abstractmethod
    def orders_for_customer(self, customer_id: str) -> list[Order]:
        """The orders of a logged-in customer (the shop vouched for who they are), newest first."""
