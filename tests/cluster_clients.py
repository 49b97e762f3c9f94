"""Customers who behave like the widget, for tests and benchmarks against a running desk (one stack or the
loopback cluster): every message carries a client key and is sent again after a lost answer, the
WebSocket reconnects, and the client fetches what it missed by sequence number (gap, heartbeat, resync,
reconnect). Each customer keeps what it sent and every message it saw, for the checks afterwards."""
from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from dataclasses import dataclass, field

import httpx
import websockets

RETRY_STATUS = (502, 503, 504)


@dataclass
class Sent:
    client_key: str
    text: str
    seconds: float | None = None  # from the first try to the answer; None while unanswered
    attempts: int = 0
    status: int | None = None
    replies: list[dict] = field(default_factory=list)
    state: str | None = None


class WidgetCustomer:
    def __init__(self, base_url: str, client: httpx.AsyncClient, *, retry_seconds: float = 60.0) -> None:
        self.base, self.client, self.retry_seconds = base_url, client, retry_seconds
        self.id = self.token = ""
        self.sent: list[Sent] = []
        self.seen: dict[int, dict] = {}  # seq -> message, from any source
        self.by_push: set[int] = set()
        self.fetches = 0
        self.reconnects = 0
        self.errors: list[str] = []  # a message or a start that failed for good
        # Every answer the customer's browser would have seen fail (502/503/504, a dropped connection) on the
        # way to an answer, including those the widget then retried successfully: the load balancer should
        # have retried them itself.
        self.failures: list[str] = []
        self._socket_task: asyncio.Task | None = None
        self._stop = asyncio.Event()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def _post(self, path: str, **kwargs) -> httpx.Response:
        """Sends again after a dropped connection or a 502/503/504 (a replica went away), as the widget does."""
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.3
        while True:
            try:
                response = await self.client.post(self.base + path, **kwargs)
                if response.status_code not in RETRY_STATUS:
                    return response
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                problem = exc.__class__.__name__
            self.failures.append(f"{problem} for {path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path}: no answer within {self.retry_seconds:.0f} s ({problem})")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)

    async def start(self, *, socket: bool = True) -> None:
        created = (await self._post("/api/conversations")).json()
        self.id, self.token = created["conversation_id"], created["token"]
        if socket:
            self._socket_task = asyncio.create_task(self._listen())

    async def say(self, text: str) -> Sent:
        record = Sent(client_key=secrets.token_hex(12), text=text)
        self.sent.append(record)
        started = time.perf_counter()
        deadline = time.monotonic() + self.retry_seconds
        while True:
            record.attempts += 1
            try:
                response = await self.client.post(
                    f"{self.base}/api/conversations/{self.id}/messages",
                    headers={**self.headers, "Idempotency-Key": record.client_key},  # as the widget sends it
                    json={"text": text, "client_key": record.client_key})
                if response.status_code not in RETRY_STATUS:
                    break
                self.failures.append(f"HTTP {response.status_code} for {text!r}")
            except httpx.HTTPError as exc:
                self.failures.append(f"{exc.__class__.__name__} for {text!r}")
            if time.monotonic() > deadline:
                self.errors.append(f"no answer to {text!r}")
                return record
            await asyncio.sleep(min(0.3 * 2 ** record.attempts, 3.0))
        record.status = response.status_code
        if response.status_code != 200:
            self.errors.append(f"{response.status_code} for {text!r}: {response.text[:200]}")
            return record
        data = response.json()
        record.seconds, record.replies, record.state = time.perf_counter() - started, data["replies"], data["state"]
        self.seen.setdefault(data["seq"], {"seq": data["seq"], "sender": "customer", "text": text})
        for reply in data["replies"]:
            self.seen.setdefault(reply["seq"], reply)
        return record

    async def catch_up(self) -> None:
        try:
            response = await self.client.get(f"{self.base}/api/conversations/{self.id}/messages",
                                              params={"after": self.contiguous()}, headers=self.headers)
        except httpx.HTTPError:
            return
        if response.status_code == 200:
            self.fetches += 1
            for message in response.json()["messages"]:
                self.seen.setdefault(message["seq"], message)

    def contiguous(self) -> int:
        n = 0
        while n + 1 in self.seen:
            n += 1
        return n

    async def _listen(self) -> None:
        url = self.base.replace("http", "ws", 1) + f"/api/conversations/{self.id}/ws?token={self.token}"
        while not self._stop.is_set():
            try:
                async with websockets.connect(url, open_timeout=5, close_timeout=1) as socket:
                    await self.catch_up()  # anything stored while the socket was away
                    async for raw in socket:
                        data = json.loads(raw)
                        if data.get("type") == "message":
                            seq = data["message"]["seq"]
                            self.by_push.add(seq)
                            self.seen.setdefault(seq, data["message"])
                            if seq > self.contiguous() + 1:
                                await self.catch_up()
                        elif data.get("type") == "heartbeat" and data.get("last_seq", 0) > self.contiguous():
                            await self.catch_up()
                        elif data.get("type") == "resync":
                            await self.catch_up()
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                pass
            if self._stop.is_set():
                break
            self.reconnects += 1
            await asyncio.sleep(0.5 + random.random())

    async def stop(self) -> None:
        self._stop.set()
        if self._socket_task:
            self._socket_task.cancel()
            try:
                await self._socket_task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
