"""The bot's whole judgement on a labelled item, not the escalation check alone.

In the running bot a customer is handed over by the escalation check (bot/escalation, inside Rasa's
EscalationPolicy) *or* by the NLU: a request for a person or a complaint is an intent whose rule hands over,
and two messages in a row that are not understood go to a person too. The detector-alone figures of
`bot.escalation.evaluate` count only the first; an item like "mag ik een mens spreken?" is then a miss,
although the bot hands it over by intent, and a calm question the NLU takes for a complaint is not counted
as the false handoff it is. This module decides each item as the bot does, in the backtest's order
(bot/escalation/backtest.py: the check first, then the intent's rule, then two misunderstood in a row), with
the trained model reading every customer turn (the intents written in the dev items are not used).
"""
from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Optional

from bot.escalation import Turn, assess
from bot.escalation.backtest import Parser, handed_over_by

Parsed = tuple[Optional[str], Optional[float]]
FALLBACK = "nlu_fallback"


def parse_all(texts: Iterable[str], parse: Parser) -> dict[str, Parsed]:
    """Every distinct customer text through the NLU once."""
    async def run() -> dict[str, Parsed]:
        return {text: await parse(text) for text in dict.fromkeys(texts)}

    return asyncio.run(run())


def judge(turns: list[Turn], parsed: dict[str, Parsed]) -> str:
    """What the bot does with the last customer turn: a reason, "acknowledge" or "calm"."""
    read = [replace(t, intent=parsed[t.text][0], confidence=parsed[t.text][1]) if t.sender == "customer" else t
            for t in turns]
    customer = [t for t in read if t.sender == "customer"]
    if not customer:
        return "calm"
    intent = customer[-1].intent
    result = assess(read)
    if result.action in ("warn", "end"):
        return "abuse"
    in_a_row = 0
    for turn in reversed(customer):
        if turn.intent != FALLBACK:
            break
        in_a_row += 1
    reason, _ = handed_over_by(result, intent, in_a_row)
    if reason is not None:
        return reason
    return "acknowledge" if result.action == "acknowledge" else "calm"


def judge_with(parsed: dict[str, Parsed]) -> Callable[[list[Turn]], str]:
    return lambda turns: judge(turns, parsed)


def model_parse(model: Path) -> Parser:
    from bot.escalation.replay_nlu import model_parser

    return model_parser(model)
