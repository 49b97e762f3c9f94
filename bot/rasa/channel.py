"""Rasa input channel for the desk: Rasa's REST channel, plus what the NLU made of the message, for
turns the desk signed only (bot/signing.py).

The desk stores the intent, its confidence and the FAQ key with each customer message. That feeds the
editors' inbox of misunderstood messages and the team leads' topic reports. The channel parses the message
itself and hands the parse result to Rasa with the message (`UserMessage.parse_data`, which Rasa's processor
uses instead of parsing again): one NLU pass, and the result stays with its own request.
Configured in credentials.yml as `bot.rasa.channel.DeskInput`; the desk posts to /webhooks/desk/webhook.
"""
from __future__ import annotations

import contextvars
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import config, log_masking, signing
from bot.nlu_result import nlu_of

log_masking.install()  # Rasa's own log lines pass through this process too
logger = logging.getLogger(__name__)

# Rasa catches a failing custom action (action server away), logs it and carries on without the action's
# messages and events: the customer would get half an answer, or none. The errors it logs while this turn
# runs are collected here, so the channel can tell the desk that the turn did not work.
_turn_errors: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("balie_turn_errors", default=None)


class _TurnErrors(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        errors = _turn_errors.get()
        if errors is not None and record.levelno >= logging.ERROR:
            errors.append(record.getMessage()[:200])


_handler = _TurnErrors()
for _name in ("rasa.core.processor", "rasa.core.actions.action"):
    if _handler not in logging.getLogger(_name).handlers:
        logging.getLogger(_name).addHandler(_handler)


class DeskInput(RestInput):
    """Accepts only turns signed by the desk with the secret they share (RASA_TOKEN or RASA_TOKEN_FILE);
    without one it refuses every turn."""

    def __init__(self, secret: str | None = None) -> None:
        super().__init__()
        self.secret = secret if secret is not None else config.secret("RASA_TOKEN")
        if not self.secret:
            logger.error("desk channel: no RASA_TOKEN set, so no turn can be signed by the desk; refusing all")

    @classmethod
    def name(cls) -> str:
        return "desk"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        hook = Blueprint("desk_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not signing.body_signed(self.secret, request.body, request.headers):
                # Only the desk talks to Rasa: a turn it did not sign (someone who reached Rasa's port, a
                # replay) never reaches the assistant, whose actions trust the conversation it names.
                logger.warning("desk channel: refused a turn the desk did not sign")
                return response.json({"error": "not signed by the desk"}, status=401)
            sender_id = await self._extract_sender(request)
            status, body = await self.turn(request.app.ctx.agent, on_new_message, sender_id=sender_id,
                                           text=self._extract_message(request), metadata=self.get_metadata(request))
            return response.json(body, status=status)

        return hook

    async def turn(self, agent: Any, on_new_message: Callable[[UserMessage], Awaitable[None]], *, sender_id: str,
                   text: str, metadata: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        """One customer message: (HTTP status, {"messages", "nlu"} or {"error", "messages"})."""
        collector = CollectingOutputChannel()
        errors: list[str] = []
        token = _turn_errors.set(errors)
        nlu = None
        try:
            parse_data = await agent.parse_message(text)
            nlu = nlu_of(parse_data)
            await on_new_message(UserMessage(text, collector, sender_id, parse_data=parse_data,
                                             input_channel=self.name(), metadata=metadata))
        except Exception as exc:  # noqa: BLE001 - the action server or the lock store is away
            logger.exception("desk channel: message failed")
            errors.append(f"{exc.__class__.__name__}: {exc}"[:300])
        finally:
            _turn_errors.reset(token)
        if errors:
            # Unlike Rasa's REST channel, say so: the desk then tells the customer and queues them for a
            # person, instead of showing half a turn as if it were the answer.
            return 500, {"error": errors[0], "messages": collector.messages}
        return 200, {"messages": collector.messages, "nlu": nlu}
