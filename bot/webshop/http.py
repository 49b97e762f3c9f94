"""A shop behind a REST API (JSON contract documented in README, section "Shop API").

GET  {base}/orders/{number}?postcode=1234%20AB -> 200 order | 404
POST {base}/orders/{number}/returns {"postcode"} -> 201 new | 200 existing | 404 | 409 term passed
GET  {base}/customers/{id}/orders -> 200 {"orders": [order, ...]} (newest first) | 404 unknown customer
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bot.webshop.base import Order, OrderItem, ReturnRegistration, ShopUnavailable, Webshop

TIMEOUT_SECONDS = 3.0


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _order_from_json(data: dict) -> Order:
    return Order(
        number=data["number"],
        postcode=data["postcode"],
        status=data["status"],
        ordered_at=datetime.fromisoformat(data["ordered_at"]),
        carrier=data.get("carrier"),
        tracking_code=data.get("tracking_code"),
        tracking_url=data.get("tracking_url"),
        expected_from=_parse_dt(data.get("expected_from")),
        expected_until=_parse_dt(data.get("expected_until")),
        promised_date=date.fromisoformat(data["promised_date"]) if data.get("promised_date") else None,
        delivered_at=_parse_dt(data.get("delivered_at")),
        items=tuple(OrderItem(**item) for item in data.get("items", [])),
        customer_id=data.get("customer_id"),
    )


class HttpWebshop(Webshop):
    def __init__(self, base_url: str, token: str | None = None, retries: int = 2, backoff: float = 0.2) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._retries = retries
        self._backoff = backoff
        self._session: requests.Session | None = None

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            retry = Retry(
                total=self._retries,
                connect=self._retries,
                read=self._retries,
                status=self._retries,
                backoff_factor=self._backoff,
                status_forcelist=(502, 503, 504),
                allowed_methods=frozenset({"GET", "POST"}),  # return registration is idempotent per order
                raise_on_status=False,
            )
            session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            if self._token:
                session.headers["Authorization"] = f"Bearer {self._token}"
            self._session = session
        return self._session

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, self._base + path, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            raise ShopUnavailable(f"shop unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise ShopUnavailable(f"shop answered {response.status_code}")
        return response

    def find_order(self, number: str, postcode: str) -> Order | None:
        response = self._request("GET", f"/orders/{quote(number)}", params={"postcode": postcode})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ShopUnavailable(f"unexpected status {response.status_code}")
        try:
            return _order_from_json(response.json())
        except (ValueError, KeyError, TypeError) as exc:
            raise ShopUnavailable(f"shop sent an unreadable order: {exc}") from exc

    def orders_for_customer(self, customer_id: str) -> list[Order]:
        response = self._request("GET", f"/customers/{quote(customer_id, safe='')}/orders")
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise ShopUnavailable(f"unexpected status {response.status_code}")
        try:
            found = [_order_from_json(item) for item in response.json()["orders"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ShopUnavailable(f"shop sent unreadable orders: {exc}") from exc
        return sorted(found, key=lambda order: order.ordered_at, reverse=True)

    def register_return(self, number: str, postcode: str) -> ReturnRegistration:
        response = self._request("POST", f"/orders/{quote(number)}/returns", json={"postcode": postcode})
        if response.status_code == 404:
            raise LookupError("order not found")
        if response.status_code == 409:
            raise ValueError("return term has passed")
        if response.status_code not in (200, 201):
            raise ShopUnavailable(f"unexpected status {response.status_code}")
        try:
            data = response.json()
            return ReturnRegistration(
                order_number=number,
                return_code=data["return_code"],
                registered_at=datetime.fromisoformat(data["registered_at"]),
                created=response.status_code == 201,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ShopUnavailable(f"shop sent an unreadable return: {exc}") from exc
