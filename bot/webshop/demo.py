"""The demo shop of DESIGN.md, with dates relative to the day of seeding."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.identity import Customer
from bot.webshop.base import Order, OrderItem

# The logged-in customer of the demo page's switch: two of the demo orders are hers (the rest are guest orders).
DEMO_CUSTOMER = Customer(id="K-1001", email="eva.de.vries@example.nl", name="Eva de Vries")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def demo_orders(today: date | None = None) -> list[Order]:
    today = today or date.today()
    tomorrow = today + timedelta(days=1)
    return [
        Order(
            number="WS-100001", postcode="1234 AB", status="shipped",
            ordered_at=_at(today - timedelta(days=2), 14, 12),
            carrier="PostNL", tracking_code="3SBAL1000012345",
            tracking_url="https://jouw.postnl.nl/track-and-trace/3SBAL1000012345-NL-1234AB",
            expected_from=_at(tomorrow, 10), expected_until=_at(tomorrow, 12),
            promised_date=tomorrow,
            items=(OrderItem("Regenjas Noorderlicht, maat M", 1, 8995),),
        ),
        Order(
            number="WS-100002", postcode="1234 AB", status="delivered",
            ordered_at=_at(today - timedelta(days=8), 9, 40),
            carrier="PostNL", tracking_code="3SBAL1000023456",
            tracking_url="https://jouw.postnl.nl/track-and-trace/3SBAL1000023456-NL-1234AB",
            promised_date=today - timedelta(days=5),
            delivered_at=_at(today - timedelta(days=5), 11, 24),
            items=(OrderItem("Wandelschoenen Veluwe, maat 42", 1, 12950),),
            customer_id=DEMO_CUSTOMER.id,
        ),
        Order(
            number="WS-100003", postcode="5678 CD", status="delivered",
            ordered_at=_at(today - timedelta(days=48), 20, 5),
            carrier="DHL", tracking_code="JVGL0567800003",
            tracking_url="https://www.dhl.com/nl-nl/home/tracking.html?tracking-id=JVGL0567800003",
            promised_date=today - timedelta(days=45),
            delivered_at=_at(today - timedelta(days=45), 15, 2),
            items=(OrderItem("Koffiezetapparaat Ochtendgloren", 1, 7900),),
        ),
        Order(
            number="WS-100004", postcode="9999 ZZ", status="delayed",
            ordered_at=_at(today - timedelta(days=4), 8, 55),
            carrier="DHL", tracking_code="JVGL0999900004",
            tracking_url="https://www.dhl.com/nl-nl/home/tracking.html?tracking-id=JVGL0999900004",
            expected_from=_at(today + timedelta(days=3), 13), expected_until=_at(today + timedelta(days=3), 17),
            promised_date=today - timedelta(days=1),
            items=(OrderItem("Tent Waddenzee 3-persoons", 1, 19900),),
            customer_id=DEMO_CUSTOMER.id,
        ),
        Order(
            number="WS-100005", postcode="3011 AA", status="processing",
            ordered_at=_at(today, 7, 30),
            expected_from=_at(today + timedelta(days=2), 9), expected_until=_at(today + timedelta(days=2), 18),
            promised_date=today + timedelta(days=2),
            items=(OrderItem("Fietstas Stadspark", 2, 3450),),
        ),
    ]
