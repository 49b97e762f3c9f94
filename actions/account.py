"""A logged-in customer's orders (P11: ask only what is needed). The desk verified the shop's signed
token and sends who the customer is with every message (Rasa message metadata, never a slot), so a
question about "mijn pakket" can be answered from the account without order number and postcode."""
from __future__ import annotations

import logging
from typing import Optional

from rasa_sdk import Tracker

from actions.services import webshop
from bot import config, signing
from bot.delivery import MONTHS
from bot.webshop import Order, ShopUnavailable

logger = logging.getLogger(__name__)


def customer_id(tracker: Tracker) -> Optional[str]:
    """The shop's id of the logged-in customer, when the desk vouched for it in this conversation (its
    signature, bot/signing.py); None for a guest, and for an id that someone else put there."""
    metadata = tracker.latest_message.get("metadata") or {}
    customer = metadata.get("customer") if isinstance(metadata, dict) else None
    found = customer.get("id") if isinstance(customer, dict) else None
    if not isinstance(found, str) or not found:
        return None
    if not signing.customer_signed(config.secret("RASA_TOKEN"), conversation_id=tracker.sender_id,
                                   customer_id=found, signature=customer.get("signature")):
        logger.warning("customer id ignored: not signed by the desk for this conversation")
        return None
    return found


def orders(tracker: Tracker) -> list[Order]:
    """The customer's orders, newest first; empty for a guest or when the shop cannot say."""
    customer = customer_id(tracker)
    if customer is None:
        return []
    try:
        return webshop().orders_for_customer(customer)
    except ShopUnavailable:
        return []  # asked for number and postcode as usual; the lookup then tells whether the shop is down


def likely_order(mine: list[Order], *, for_return: bool) -> Optional[Order]:
    """The order a question is most likely about: for a return the newest delivered one, otherwise the
    newest that has not arrived yet; else simply the newest."""
    wanted = [o for o in mine if (o.status == "delivered") == for_return]
    return (wanted or mine or [None])[0]


def introduce(order: Order, *, other: bool = False) -> str:
    """Says which order the bot took, so a customer who meant another one can say so; `other`: the one she
    asked for as "my other order"."""
    day = order.ordered_at
    what = ", ".join(item.name for item in order.items) or "je bestelling"
    if other:
        return f"Je andere bestelling is die van {day.day} {MONTHS[day.month - 1]}: {what} ({order.number})."
    return (f"Je bent ingelogd, dus ik heb je bestelling van {day.day} {MONTHS[day.month - 1]} erbij gepakt: "
            f"{what} ({order.number}). Gaat het om een andere bestelling? Noem dan gerust het bestelnummer.")
