"""Rate limits on customers, refused in Dutch (errors.TooMany, 429 with Retry-After): opening conversations by the hundred, flooding one
conversation. Counted in Redis when the desk has replicas (one count for all of them), otherwise in this
process. Agents' wrong passwords are counted in the database instead (bot/desk/agents/lockout.py)."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque

from bot.desk.errors import TooMany

logger = logging.getLogger(__name__)


class Counter:
    """Events per key in a sliding window."""

    def __init__(self, redis_url: str | None = None) -> None:
        self._local: dict[str, deque[float]] = defaultdict(deque)
        self._lock = asyncio.Lock()
        self._redis = None
        if redis_url:
            import redis.asyncio as redis

            self._redis = redis.Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=1)

    async def add(self, key: str, window: float) -> int:
        """Counts one more event for `key`; returns how many there are in the window now."""
        if self._redis is not None:
            try:
                now = time.time()
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.zremrangebyscore(f"balie:limit:{key}", 0, now - window)
                    pipe.zadd(f"balie:limit:{key}", {f"{now}:{id(pipe)}": now})
                    pipe.zcard(f"balie:limit:{key}")
                    pipe.expire(f"balie:limit:{key}", int(window) + 1)
                    return int((await pipe.execute())[2])
            except Exception as exc:  # noqa: BLE001 - Redis away: count here rather than not at all
                logger.warning("rate limit falls back to this replica: %s", exc.__class__.__name__)
        async with self._lock:
            now = time.monotonic()
            events = self._local[key]
            while events and events[0] < now - window:
                events.popleft()
            events.append(now)
            return len(events)


class Limits:
    def __init__(self, settings, redis_url: str | None = None) -> None:
        self.settings = settings
        self.counter = Counter(redis_url)

    # --- customers -----------------------------------------------------------------------------------
    async def new_conversation(self, address: str) -> None:
        if await self.counter.add(f"conv:{address}", 60) > self.settings.conversations_per_minute:
            raise TooMany("Er worden vanaf jouw verbinding te veel nieuwe gesprekken gestart. Probeer het over een "
                          "minuut opnieuw.", 60)

    async def message(self, conversation_id: str) -> None:
        if await self.counter.add(f"msg:{conversation_id}", 60) > self.settings.messages_per_minute:
            raise TooMany("Je stuurt heel snel veel berichten achter elkaar. Wacht even en probeer het dan opnieuw.", 30)
