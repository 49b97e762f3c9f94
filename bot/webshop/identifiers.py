"""Order numbers (WS-123456) and Dutch postcodes (1234 AB): how they look in a customer's text, and their
normal form for lookups. The one definition every process uses (actions, desk, escalation, privacy)."""
from __future__ import annotations

import re

_ORDER = r"ws *[- ]? *(\d{6})"  # "WS-123456", "ws 123456", "ws123456"
ORDER_NUMBER = re.compile(rf"\b{_ORDER}\b", re.IGNORECASE)  # in a text; group 1: the digits
# A Dutch postcode in a text: four digits (not starting with 0) and two letters, never SA, SD or SS.
POSTCODE = re.compile(r"\b[1-9]\d{3} ?(?!sa|sd|ss)[a-z]{2}\b", re.IGNORECASE)
_ORDER_RE = re.compile(rf"^\s*{_ORDER}\s*$", re.IGNORECASE)
_POSTCODE_RE = re.compile(r"^\s*([1-9]\d{3})\s*([a-z]{2})\s*$", re.IGNORECASE)


def normalise_order_number(value: object) -> str | None:
    """'ws 123456', 'WS123456', 'ws-123456' -> 'WS-123456'; anything else -> None."""
    if not isinstance(value, str):
        return None
    match = _ORDER_RE.match(value)
    return f"WS-{match.group(1)}" if match else None


def normalise_postcode(value: object) -> str | None:
    """'1234ab', '1234 AB' -> '1234 AB'; anything else -> None."""
    if not isinstance(value, str):
        return None
    match = _POSTCODE_RE.match(value)
    return f"{match.group(1)} {match.group(2).upper()}" if match else None
