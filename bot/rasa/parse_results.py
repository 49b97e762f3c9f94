"""Hands the NLU result of a customer message from EscalationPolicy to the desk channel, inside the Rasa
process. The policy sees the parsed message on every turn anyway; passing it on saves the channel from
reading the whole tracker back from the tracker store (≈ 15 ms per turn, see docs/benchmarks.md)."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

_LIMIT = 10_000  # senders whose result was not picked up (another channel, a crash) are forgotten
_results: "OrderedDict[str, dict[str, Any]]" = OrderedDict()


def remember(sender_id: str, parse_data: dict[str, Any]) -> None:
    _results[sender_id] = parse_data
    _results.move_to_end(sender_id)
    while len(_results) > _LIMIT:
        _results.popitem(last=False)


def take(sender_id: str) -> dict[str, Any] | None:
    return _results.pop(sender_id, None)
