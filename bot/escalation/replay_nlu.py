"""The NLU for the backtest (bot/escalation/backtest.py): three ways to read a customer message.

- `model_parser`: the trained model loaded in-process with Rasa's Agent. The default of the command line:
  it needs no running server, reads exactly the model file named (the one about to be deployed), and gives
  the same parse as Rasa's /model/parse because it is the same graph. Loading takes 10-30 s.
- `rasa_parser`: a running Rasa's /model/parse (the desk uses this: its Rasa holds the model just trained and
  loaded, and the desk process stays free of TensorFlow).
- `stored_parser`: what the NLU said at the time, as the desk stored it; for a backtest of rule changes alone.

Every parser remembers its answers per text: customers write the same short messages often.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from bot.escalation.backtest import Parser, PastConversation

Parsed = tuple[Optional[str], Optional[float]]


def _remembering(parse: Parser) -> Parser:
    seen: dict[str, Parsed] = {}

    async def cached(text: str) -> Parsed:
        if text not in seen:
            seen[text] = await parse(text)
        return seen[text]

    return cached


def _intent_of(data: dict) -> Parsed:
    intent = data.get("intent") or {}
    return intent.get("name"), intent.get("confidence")


def stored_parser(conversations: Iterable[PastConversation]) -> Parser:
    known: dict[str, Parsed] = {}
    for conversation in conversations:
        for message in conversation.messages:
            if message.sender == "customer":
                known[message.text] = (message.intent, message.confidence)

    async def parse(text: str) -> Parsed:
        return known.get(text, (None, None))

    return parse


def model_parser(model: Path) -> Parser:
    """Loads the model now (so that a missing or broken model fails before the replay starts). Rasa's own logs
    are kept to warnings: its debug lines would land in the table on stdout."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    if not agent.is_ready():
        raise RuntimeError(f"Rasa could not load the model {model}")

    async def parse(text: str) -> Parsed:
        return _intent_of(await agent.parse_message(text))

    return _remembering(parse)


def rasa_parser(url: str, token: str, client) -> Parser:
    """`client`: an httpx.AsyncClient the caller closes."""

    async def parse(text: str) -> Parsed:
        response = await client.post(f"{url.rstrip('/')}/model/parse", params={"token": token}, json={"text": text})
        response.raise_for_status()
        return _intent_of(response.json())

    return _remembering(parse)
