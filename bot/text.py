"""Small text helpers shared by the Dutch wording and the escalation check."""
from __future__ import annotations


def clause_around(text: str, start: int, end: int, stops: str = ".!?\n") -> str:
    """The part of `text` around the span start..end, cut at the nearest stop characters."""
    left = max(text.rfind(c, 0, start) for c in stops)
    right_candidates = [i for i in (text.find(c, end) for c in stops) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left + 1:right].strip()
