"""Lazily built clients shared by the actions (no I/O at import)."""
from __future__ import annotations

from functools import lru_cache

from bot.webshop import Webshop, webshop_from_settings


@lru_cache(maxsize=1)
def webshop() -> Webshop:
    return webshop_from_settings()
