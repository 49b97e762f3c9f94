"""HTTP to Rasa (desk channel, HTTP API) and the action servers, with one or more Rasa replicas.

All turns of one conversation go to the same Rasa replica while it answers (rendezvous hashing on the
conversation id), and to the next one in that conversation's order when it does not. The replicas
share the tracker store and the lock store, so any of them can carry on a conversation.

HTTP by aiohttp (Rasa's own client library): a turn's request to Rasa cost the desk 0.6 ms of CPU with httpx
and 0.15 ms with aiohttp in a loopback comparison, 1.4 ms a turn in a profile of the desk under load.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot import signing
from bot.nlu_result import nlu_of
from bot.text import as_plain_text, without_guard

logger = logging.getLogger(__name__)

DOWN_SECONDS = 5.0  # a replica that did not answer is skipped this long, then tried again
KEEPALIVE_SECONDS = 5.0  # an idle connection is closed before a server would close it (Sanic's default: 5 s)
CONNECT_SECONDS = 10.0  # a replica that does not take the connection this long counts as down (a wait
# for a free connection of our own pool does not: it is part of the total)
# Only failures where Rasa cannot have processed the turn move it to another replica: no connection (refused,
# reset, closed without an answer, not taken within CONNECT_SECONDS). A timeout while waiting for the answer
# (asyncio.TimeoutError) might mean the turn is still running there, and running it twice would confuse the
# conversation.
FAILOVER_ERRORS = (aiohttp.ClientConnectionError,)
FAILOVER_STATUS = (502, 503, 504)
HTTP_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)  # anything else that went wrong on the way


@dataclass
class Answered:
    """An HTTP answer, read whole."""
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


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
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, CONNECT_SECONDS))
        self._session: aiohttp.ClientSession | None = None  # made in the event loop that uses it

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]

    @rasa_url.setter
    def rasa_url(self, url: str) -> None:  # tests point a one-replica desk elsewhere
        self.rasa_urls = [url]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(self, method: str, url: str, *, timeout: float | None = None, **kwargs: Any) -> Answered:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=KEEPALIVE_SECONDS))
        if timeout is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, CONNECT_SECONDS))
        async with self._session.request(method, url, **kwargs) as response:
            return Answered(response.status, await response.read())

    def _candidates(self, sender: str) -> list[str]:
        """The conversation's replicas in order, the ones that recently failed last."""
        now = time.monotonic()
        ordered = replica_order(self.rasa_urls, sender)
        return [u for u in ordered if self._down_until.get(u, 0) <= now] + \
            [u for u in ordered if self._down_until.get(u, 0) > now]

    async def _post_to_replica(self, sender: str, path: str, **kwargs: Any) -> tuple[Answered, str]:
        last: Exception | None = None
        for url in self._candidates(sender):
            try:
                response = await self._request("POST", url + path, **kwargs)
            except FAILOVER_ERRORS as exc:
                last = exc
            except HTTP_ERRORS as exc:
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
        response, replica = await self._post_to_replica(sender, "/webhooks/desk/webhook", data=content,
                                                        headers=headers)
        body = _json_of(response)
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

    async def _get_from_replica(self, sender: str, path: str, **kwargs: Any) -> tuple[Answered, str]:
        for url in self._candidates(sender):
            try:
                return await self._request("GET", url + path, **kwargs), url
            except HTTP_ERRORS:
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
        body = _json_of(response)
        messages = (body.get("messages") if isinstance(body, dict) else None) or []
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
            response = await self._request("GET", url, timeout=2.0)
        except HTTP_ERRORS:
            return False
        return response.status_code == 200


def _json_of(response: Answered) -> Any:
    """The body of a successful answer; an error status or a body that is not JSON means the bot is unavailable."""
    if response.status_code >= 400:
        raise BotUnavailable(f"Rasa answered {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise BotUnavailable(f"Rasa's answer is not JSON: {exc}") from exc


def _reply(item: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = {"text": item["text"]}
    buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in item.get("buttons") or [] if b.get("payload")]
    if buttons:
        reply["buttons"] = buttons
    return reply
