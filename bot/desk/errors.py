"""What the desk refuses, and why, in the Dutch the person who asked reads. Raised by services and flows; the
web layer maps each kind to its HTTP status in one place (deps.STATUS). The domain never raises HTTP errors."""
from __future__ import annotations

import math
from typing import Any


class Refused(Exception):
    """`detail`: the Dutch sentence, or {"message", "findings"} when a check found problems."""

    def __init__(self, detail: str | dict[str, Any]) -> None:
        super().__init__(detail if isinstance(detail, str) else detail.get("message", ""))
        self.detail = detail


class NotSignedIn(Refused):
    """Unknown conversation or a key that does not fit it."""


class NotFound(Refused):
    pass


class Conflict(Refused):
    """Not now: someone else got there first, it is not yours, or it is already done."""


class Invalid(Refused):
    """The request itself cannot be done: a choice that was not offered, a check that found errors."""


class Unavailable(Refused):
    """Something the desk depends on (Rasa, git) did not do its part; nothing was changed."""


class TooMany(Refused):
    """Too much, too fast (new conversations, messages, sign-in attempts): try again after `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = max(1, math.ceil(retry_after))
