"""Small text helpers shared by every process: the plain-text guard, and cutting out a clause."""
from __future__ import annotations

# Rasa treats a message that starts with "/" as an intent command. What a customer types never may be one: the
# desk puts a zero-width space in front (Rasa strips whitespace, not this); whoever reads the text takes it off.
PLAIN_TEXT_GUARD = "\u200b"


def as_plain_text(text: str) -> str:
    """Typed text as Rasa must read it: as text, also when it starts with "/"."""
    return PLAIN_TEXT_GUARD + text if text.lstrip().startswith("/") else text


def without_guard(text: str) -> str:
    """What the customer typed, without the desk's guard."""
    return text.replace(PLAIN_TEXT_GUARD, "")


def clause_around(text: str, start: int, end: int, stops: str = ".!?\n") -> str:
    """The part of `text` around the span start..end, cut at the nearest stop characters."""
    left = max(text.rfind(c, 0, start) for c in stops)
    right_candidates = [i for i in (text.find(c, end) for c in stops) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left + 1:right].strip()
