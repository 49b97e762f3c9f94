"""HTTP to Rasa (REST channel, HTTP API) and the action server."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

# Rasa treats text that starts with "/" as an intent command. Customer text never may:
# a zero-width space in front keeps it plain text (Rasa strips whitespace, not this).
PLAIN_TEXT_GUARD = "\u200b"


class BotUnavailable(RuntimeError):
    pass


@dataclass
class BotTurn:
    replies: list[dict[str, Any]]
    nlu: dict[str, Any] | None  # intent, confidence, response_key?, response_confidence?


class BotClient:
    def __init__(self, rasa_url: str, rasa_token: str, action_server_url: str, timeout: float = 20.0) -> None:
        self.rasa_url = rasa_url
        self.rasa_token = rasa_token
        self.action_server_url = action_server_url
        self._client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=100))

    async def close(self) -> None:
        await self._client.aclose()

    async def turn(self, *, sender: str, text: str | None = None, payload: str | None = None) -> BotTurn:
        """One customer turn through the desk channel (bot/rasa_channel.py): the replies and what the NLU
        made of the message. `payload` only for offered buttons."""
        message = payload if payload is not None else _as_plain_text(text or "")
        try:
            response = await self._client.post(
                f"{self.rasa_url}/webhooks/desk/webhook", json={"sender": sender, "message": message})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BotUnavailable(str(exc)) from exc
        replies, nlu = (body.get("messages") or [], body.get("nlu")) if isinstance(body, dict) else (body, None)
        return BotTurn([_reply(item) for item in replies if item.get("text")], nlu if isinstance(nlu, dict) else None)

    async def append_events(self, *, sender: str, events: list[dict[str, Any]]) -> None:
        try:
            response = await self._client.post(
                f"{self.rasa_url}/conversations/{sender}/tracker/events",
                params={"token": self.rasa_token, "include_events": "NONE"}, json=events)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise BotUnavailable(str(exc)) from exc

    async def trigger_intent(self, *, sender: str, intent: str) -> list[dict[str, Any]]:
        try:
            response = await self._client.post(
                f"{self.rasa_url}/conversations/{sender}/trigger_intent",
                params={"token": self.rasa_token, "output_channel": "collector", "include_events": "NONE"},
                json={"name": intent, "entities": {}})
            response.raise_for_status()
            messages = response.json().get("messages") or []
        except (httpx.HTTPError, ValueError) as exc:
            raise BotUnavailable(str(exc)) from exc
        return [_reply(item) for item in messages if item.get("text")]

    async def health(self) -> dict[str, bool]:
        return {"rasa": await self._ok(f"{self.rasa_url}/"), "action_server": await self._ok(f"{self.action_server_url}/health")}

    async def action_server_ok(self) -> bool:
        return await self._ok(f"{self.action_server_url}/health")

    async def _ok(self, url: str) -> bool:
        try:
            response = await self._client.get(url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


def _as_plain_text(text: str) -> str:
    return PLAIN_TEXT_GUARD + text if text.lstrip().startswith("/") else text


def _reply(item: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = {"text": item["text"]}
    buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in item.get("buttons") or [] if b.get("payload")]
    if buttons:
        reply["buttons"] = buttons
    return reply
