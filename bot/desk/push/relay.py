"""Carries push envelopes to every desk replica: Redis pub/sub, or in-process for a single desk."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Iterable

from bot.desk.push.hub import Envelope, Hub

logger = logging.getLogger(__name__)
CHANNEL = "balie:push"


class LocalRelay:
    """One desk process: deliver straight to this replica's sockets."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        await self.hub.deliver_all(envelopes)

    def healthy(self) -> bool:
        return True


class RedisRelay:
    """Several desk replicas: every replica publishes to one channel and delivers what it receives.

    When Redis is unreachable, envelopes are delivered to this replica's own sockets and the rest is
    caught up by the clients (heartbeat, resume by sequence number) once Redis is back."""

    def __init__(self, hub: Hub, url: str) -> None:
        import redis.asyncio as redis

        self.hub, self.url = hub, url
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self._task: asyncio.Task | None = None
        self._subscribed = False
        self._last_warning = 0.0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                pass
        await self._redis.close()

    def healthy(self) -> bool:
        return self._subscribed

    async def publish(self, envelopes: Iterable[Envelope]) -> None:
        envelopes = list(envelopes)
        if not envelopes:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for envelope in envelopes:
                    pipe.publish(CHANNEL, json.dumps(envelope))
                await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - Redis down: at least this replica's clients hear it now
            self._warn(f"Redis publish failed ({exc.__class__.__name__}); delivering on this replica only")
            await self.hub.deliver_all(envelopes)

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                if not self._subscribed:
                    self._subscribed = True
                    await self.hub.resync_all()  # whatever was published while we were not listening
                backoff = 0.2
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        await self.hub.deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect with backoff
                self._subscribed = False
                self._warn(f"Redis subscription lost ({exc.__class__.__name__}); reconnecting")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                try:
                    await pubsub.close()
                except Exception:  # noqa: BLE001
                    pass

    def _warn(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last_warning > 10:  # once per outage, not once per message
            self._last_warning = now
            logger.warning(text)


def make_relay(hub: Hub, redis_url: str | None):
    return RedisRelay(hub, redis_url) if redis_url else LocalRelay(hub)
