"""Rasa input channel for the desk: Rasa's REST channel, plus what the NLU made of the message.

The desk stores the intent, its confidence and the FAQ key with each customer message. That feeds the
editors' inbox of misunderstood messages and the team leads' topic reports, without a second NLU pass.
Configured in credentials.yml as `bot.rasa_channel.DeskInput`; the desk posts to /webhooks/desk/webhook.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import parse_results

logger = logging.getLogger(__name__)


def nlu_of(parse_data: dict[str, Any]) -> dict[str, Any]:
    """The parts of Rasa's parse result that the desk keeps."""
    intent = parse_data.get("intent") or {}
    result: dict[str, Any] = {"intent": intent.get("name"), "confidence": round(float(intent.get("confidence") or 0), 4)}
    selected = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    if intent.get("name") == "faq" and selected.get("intent_response_key"):
        result["response_key"] = selected["intent_response_key"]
        result["response_confidence"] = round(float(selected.get("confidence") or 0), 4)
    return result


class DeskInput(RestInput):
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
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                                 metadata=self.get_metadata(request)))
            except Exception as exc:  # noqa: BLE001 - the action server or the lock store is away
                # Unlike Rasa's REST channel, say so: the desk then tells the customer and queues them for
                # a person, instead of showing half a turn as if it were the answer.
                logger.exception("desk channel: message failed")
                parse_results.take(sender_id)
                return response.json({"error": f"{exc.__class__.__name__}: {exc}"[:300],
                                      "messages": collector.messages}, status=500)
            parsed = parse_results.take(sender_id)  # left by EscalationPolicy during this turn
            nlu = nlu_of(parsed) if parsed else None
            if nlu is None:  # the policy is switched off: read it back from the tracker store
                try:
                    tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
                    if tracker is not None and tracker.latest_message is not None:
                        nlu = nlu_of(tracker.latest_message.parse_data)
                except Exception:  # noqa: BLE001 - the reply matters more than the statistics
                    logger.exception("desk channel: could not read the parse result")
            return response.json({"messages": collector.messages, "nlu": nlu})

        return hook
