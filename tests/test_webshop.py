"""Both shops: the SQL demo shop and the HTTP shop against a real local HTTP server."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.webshop import ShopUnavailable, normalise_order_number, normalise_postcode
from bot.webshop.demo import demo_orders
from bot.webshop.http import HttpWebshop
from bot.webshop.sql import SqlWebshop
from tests.conftest import free_port
from tests.shop_server import ShopServer


@pytest.mark.parametrize("raw, expected", [
    ("WS-100001", "WS-100001"), ("ws100001", "WS-100001"), ("WS 100001", "WS-100001"), (" ws-123456 ", "WS-123456"),
    ("WS-1234", None), ("100001", None), ("WS-1000011", None), ("'; DROP TABLE shop_orders; --", None), (None, None),
])
def test_order_numbers_are_normalised(raw, expected):
    assert normalise_order_number(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("1234AB", "1234 AB"), ("1234 ab", "1234 AB"), ("9999zz", "9999 ZZ"), ("0123 AB", None), ("12345", None),
    ("1234 A", None), ("<script>", None),
])
def test_postcodes_are_normalised(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.fixture
def shop(database_url) -> SqlWebshop:
    shop = SqlWebshop(database_url)
    shop.create_tables()
    shop.upsert_orders(demo_orders())
    yield shop
    shop.engine.dispose()


def test_an_order_is_found_only_when_number_and_postcode_match(shop):
    assert shop.find_order("WS-100001", "1234 AB").carrier == "PostNL"
    assert shop.find_order("WS-100001", "5678 CD") is None
    assert shop.find_order("WS-999999", "1234 AB") is None


def test_demo_dates_are_relative_to_today(shop):
    today = date.today()
    parcel = shop.find_order("WS-100001", "1234 AB")
    assert parcel.expected_from.date() == today + timedelta(days=1)
    assert (parcel.expected_from.hour, parcel.expected_until.hour) == (10, 12)
    assert shop.find_order("WS-100002", "1234 AB").is_returnable(today)
    assert not shop.find_order("WS-100003", "5678 CD").is_returnable(today)
    assert shop.find_order("WS-100004", "9999 ZZ").status == "delayed"
    assert shop.find_order("WS-100005", "3011 AA").status == "processing"


def test_a_return_is_registered_once_and_the_same_code_comes_back(shop):
    first = shop.register_return("WS-100002", "1234 AB")
    again = shop.register_return("WS-100002", "1234 AB")
    assert first.created and not again.created
    assert first.return_code == again.return_code and first.return_code.startswith("R-")


def test_a_return_outside_the_term_or_with_a_wrong_postcode_is_refused(shop):
    with pytest.raises(ValueError):
        shop.register_return("WS-100003", "5678 CD")
    with pytest.raises(LookupError):
        shop.register_return("WS-100002", "9999 ZZ")


def test_http_shop_reads_and_registers_through_the_json_contract(shop):
    with ShopServer(shop) as server:
        http = HttpWebshop(server.url)
        order = http.find_order("WS-100001", "1234 AB")
        assert order == shop.find_order("WS-100001", "1234 AB")
        assert http.find_order("WS-100001", "0000 XX") is None
        registration = http.register_return("WS-100002", "1234 AB")
        assert registration.created and http.register_return("WS-100002", "1234 AB").return_code == registration.return_code
        with pytest.raises(ValueError):
            http.register_return("WS-100003", "5678 CD")


def test_a_logged_in_customers_orders_come_newest_first_from_both_shops(shop):
    mine = shop.orders_for_customer("K-1001")
    assert [o.number for o in mine] == ["WS-100004", "WS-100002"]  # the demo customer Eva de Vries
    assert shop.orders_for_customer("K-0000") == []
    with ShopServer(shop) as server:
        http = HttpWebshop(server.url)
        assert http.orders_for_customer("K-1001") == mine
        assert http.orders_for_customer("K-0000") == []
        assert http.orders_for_customer("../orders/WS-100001") == []  # an id is one path segment, quoted


def test_http_shop_retries_a_busy_shop_with_backoff(shop):
    with ShopServer(shop) as server:
        server.fail_next = 2
        order = HttpWebshop(server.url, retries=2, backoff=0.01).find_order("WS-100001", "1234 AB")
        assert order is not None and server.requests == 3


def test_http_shop_that_stays_down_or_is_unreachable_raises_shop_unavailable(shop):
    with ShopServer(shop) as server:
        server.fail_next = 10
        with pytest.raises(ShopUnavailable):
            HttpWebshop(server.url, retries=1, backoff=0.01).find_order("WS-100001", "1234 AB")
    with pytest.raises(ShopUnavailable):
        HttpWebshop(f"http://127.0.0.1:{free_port()}", retries=0).find_order("WS-100001", "1234 AB")
