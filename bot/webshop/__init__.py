"""Access to the webshop's orders: the embedded demo shop (SQL) or the shop's REST API."""
from __future__ import annotations

from bot.webshop.base import Order, OrderItem, ReturnRegistration, ShopUnavailable, Webshop
from bot.webshop.identifiers import normalise_order_number, normalise_postcode


def webshop_from_settings() -> Webshop:
    """The shop configured by SHOP_URL (HTTP) or else the SQL demo shop."""
    from bot.config import get_settings

    settings = get_settings()
    return webshop_at(settings.shop_url, settings.shop_database_url)


def webshop_at(shop_url: str | None, shop_database_url: str) -> Webshop:
    """The shop's REST API when it has a URL, else the SQL demo shop in that database."""
    if shop_url:
        from bot.webshop.http import HttpWebshop

        return HttpWebshop(shop_url, token=None)
    from bot.webshop.sql import SqlWebshop

    return SqlWebshop(shop_database_url)


__all__ = [
    "Order",
    "OrderItem",
    "ReturnRegistration",
    "ShopUnavailable",
    "Webshop",
    "normalise_order_number",
    "normalise_postcode",
    "webshop_at",
    "webshop_from_settings",
]
