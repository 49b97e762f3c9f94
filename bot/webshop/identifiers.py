"""Order numbers (WS-123456) and Dutch postcodes (1234 AB), normalised for lookups."""
from __future__ import annotations

import re

_ORDER_RE = re.compile(r"^\s*ws\s*[- ]?\s*(\d{6})\s*$", re.IGNORECASE)
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
