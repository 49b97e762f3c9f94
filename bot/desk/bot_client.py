"""HTTP to Rasa (desk channel, HTTP API) and the action servers, with one or more Rasa replicas.

All turns of one conversation go to the same Rasa replica while it answers (rendezvous hashing on the
conversation id), and to the next one in that conversation's order when it does not. The replicas
share the tracker store and the lock store, so any of them can carry on a conversation.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

# httpcore tries `import sniffio` for every lock and event it makes, several per request. sniffio is not
# installed (anyio 4 does without it), and an import that fails searches sys.path again each time: ~40 µs
# each, 0.4 ms a turn in a profile of the desk. Remembered as absent, the import fails at once, as it would.
if importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

from bot import signing
from bot.nlu_result import nlu_of
from bot.text import as_plain_text, without_guard

logger = logging.getLogger(__name__)

DOWN_SECONDS = 5.0  # a replica that did not answer is skipped this long, then tried again
# Only failures where Rasa cannot have processed the turn move it to another replica; a read timeout
# might mean the turn is still running there, and running it twice would confuse the conversation.
FAILOVER_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)
FAILOVER_STATUS = (502, 503, 504)


class BotUnavailable(RuntimeError):
    pass


@dataclass
class BotTurn:
    replies: list[dict[str, Any]]
    nlu: dict[str, Any] | None  # intent, confidence, response_key?, response_confidence?
    handoff: dict[str, Any] | None = None  # the handoff the bot signalled, with its context
    replica: str = ""


def replica_order(urls: list[str], key: str) -> list[str]:
    """Each conversation's own order of replicas: stable while the set of replicas stays the same."""
    return sorted(urls, key=lambda url: hashlib.sha256(f"{url}|{key}".encode()).digest(), reverse=True)


class BotClient:
    def __init__(self, rasa_urls: list[str] | str, rasa_token: str, action_server_urls: list[str] | str,
                 timeout: float = 30.0) -> None:
        self.rasa_urls = [rasa_urls] if isinstance(rasa_urls, str) else list(rasa_urls)
        self.action_server_urls = [action_server_urls] if isinstance(action_server_urls, str) else list(action_server_urls)
        self.rasa_token = rasa_token
        self._down_until: dict[str, float] = {}
        self._client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=200,
                                                                              max_keepalive_connections=50))

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]

    @rasa_url.setter
    def rasa_url(self, url: str) -> None:  # tests point a one-replica desk elsewhere
        self.rasa_urls = [url]

    async def close(self) -> None:
        await self._client.aclose()

    def _candidates(self, sender: str) -> list[str]:
        """The conversation's replicas in order, the ones that recently failed last."""
        now = time.monotonic()
        ordered = replica_order(self.rasa_urls, sender)
        return [u for u in ordered if self._down_until.get(u, 0) <= now] + \
            [u for u in ordered if self._down_until.get(u, 0) > now]

    async def _post_to_replica(self, sender: str, path: str, **kwargs: Any) -> tuple[httpx.Response, str]:
        last: Exception | None = None
        for url in self._candidates(sender):
            try:
                response = await self._client.post(url + path, **kwargs)
            except FAILOVER_ERRORS as exc:
                last = exc
            except httpx.HTTPError as exc:
                raise BotUnavailable(f"{url}: {exc.__class__.__name__}: {exc}") from exc
            else:
                if response.status_code not in FAILOVER_STATUS:
                    self._down_until.pop(url, None)
                    return response, url
                last = RuntimeError(f"answered {response.status_code}")
            self._down_until[url] = time.monotonic() + DOWN_SECONDS
            logger.warning("Rasa replica %s did not answer (%s); trying the next one", url, last)
        raise BotUnavailable(f"no Rasa replica answered: {last}")

    async def turn(self, *, sender: str, text: str | None = None, payload: str | None = None,
                   customer_id: str | None = None) -> BotTurn:
        """One customer turn through the desk channel (bot/rasa/channel.py): the replies, what the NLU made
        of the message, and a handoff when the bot signalled one. `payload` only for offered buttons;
        `customer_id` for a logged-in customer (message metadata, read by actions/account.py)."""
        message = payload if payload is not None else as_plain_text(text or "")
        body: dict = {"sender": sender, "message": message}
        if customer_id:  # vouched for by the desk: the action server checks the signature
            body["metadata"] = {"customer": {"id": customer_id, "signature": signing.sign_customer(
                self.rasa_token, conversation_id=sender, customer_id=customer_id)}}
        content = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **signing.sign_body(self.rasa_token, content)}
        response, replica = await self._post_to_replica(sender, "/webhooks/desk/webhook", content=content,
                                                        headers=headers)
        try:
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BotUnavailable(str(exc)) from exc
        items, nlu = (body.get("messages") or [], body.get("nlu")) if isinstance(body, dict) else (body, None)
        handoff = None
        for item in items:
            custom = item.get("custom")
            if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
                handoff = {**custom["handoff"], "close": bool(custom.get("close"))}
        return BotTurn([_reply(item) for item in items if item.get("text")], nlu if isinstance(nlu, dict) else None,
                       handoff, replica)

    async def earlier_outcome(self, *, sender: str, text: str) -> BotTurn | None:
        """The bot's answer to `text` when Rasa already handled it (the desk that sent it went away before
        storing the answer): taken from the tracker, so the message is not handled twice. None when the
        conversation's latest message is another one."""
        try:
            response, replica = await self._get_from_replica(
                sender, f"/conversations/{sender}/tracker", params={"token": self.rasa_token,
                                                                     "include_events": "AFTER_RESTART"})
            events = response.json().get("events") or [] if response.status_code == 200 else []
        except (BotUnavailable, ValueError):
            return None
        last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
        if last_user is None or without_guard(events[last_user].get("text") or "") != text:
            return None
        replies, handoff = [], None
        for event in events[last_user + 1:]:
            if event.get("event") != "bot":
                continue
            data = event.get("data") or {}
            custom = data.get("custom")
            if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
                handoff = {**custom["handoff"], "close": bool(custom.get("close"))}
            if event.get("text"):
                replies.append(_reply({"text": event["text"], "buttons": data.get("buttons")}))
        return BotTurn(replies, nlu_of(events[last_user].get("parse_data") or {}), handoff, replica)

    async def _get_from_replica(self, sender: str, path: str, **kwargs: Any) -> tuple[httpx.Response, str]:
        for url in self._candidates(sender):
            try:
                return await self._client.get(url + path, **kwargs), url
            except httpx.HTTPError:
                continue
        raise BotUnavailable("no Rasa replica answered")

    async def append_events(self, *, sender: str, events: list[dict[str, Any]]) -> None:
        response, _ = await self._post_to_replica(
            sender, f"/conversations/{sender}/tracker/events",
            params={"token": self.rasa_token, "include_events": "NONE"}, json=events)
        if response.status_code >= 400:
            raise BotUnavailable(f"Rasa answered {response.status_code}")

    async def trigger_intent(self, *, sender: str, intent: str) -> list[dict[str, Any]]:
        response, _ = await self._post_to_replica(
            sender, f"/conversations/{sender}/trigger_intent",
            params={"token": self.rasa_token, "output_channel": "collector", "include_events": "NONE"},
            json={"name": intent, "entities": {}})
        try:
            response.raise_for_status()
            messages = response.json().get("messages") or []
        except (httpx.HTTPError, ValueError) as exc:
            raise BotUnavailable(str(exc)) from exc
        return [_reply(item) for item in messages if item.get("text")]

    async def health(self) -> dict[str, bool]:
        """Rasa and the action server count as up when at least one replica answers."""
        rasa = [await self._ok(f"{url}/") for url in self.rasa_urls]
        return {"rasa": any(rasa), "action_server": await self.action_server_ok()}

    async def action_server_ok(self) -> bool:
        for url in self.action_server_urls:
            if await self._ok(f"{url}/health"):
                return True
        return False

    async def _ok(self, url: str) -> bool:
        try:
            response = await self._client.get(url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


def _reply(item: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = {"text": item["text"]}
    buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in item.get("buttons") or [] if b.get("payload")]
    if buttons:
        reply["buttons"] = buttons
    return reply
