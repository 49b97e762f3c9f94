"""Rate limits against abuse, with Dutch 429 answers: guessing passwords, opening conversations by the
hundred, flooding one conversation. Counted in Redis when the desk has replicas (one count for all of
them), otherwise in this process."""
from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import defaultdict, deque

from fastapi import HTTPException

logger = logging.getLogger(__name__)


class TooMany(HTTPException):
    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(429, detail=detail, headers={"Retry-After": str(max(1, math.ceil(retry_after)))})


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

    async def count(self, key: str, window: float) -> int:
        if self._redis is not None:
            try:
                now = time.time()
                return int(await self._redis.zcount(f"balie:limit:{key}", now - window, now))
            except Exception:  # noqa: BLE001
                pass
        async with self._lock:
            now = time.monotonic()
            return sum(1 for t in self._local.get(key, ()) if t >= now - window)

    async def clear(self, key: str) -> None:
        if self._redis is not None:
            try:
                await self._redis.delete(f"balie:limit:{key}")
            except Exception:  # noqa: BLE001
                pass
        async with self._lock:
            self._local.pop(key, None)


LOCKOUT_WINDOW = 15 * 60


class Limits:
    def __init__(self, settings, redis_url: str | None = None) -> None:
        self.settings = settings
        self.counter = Counter(redis_url)

    # --- agent login: a growing wait per account, then a lockout; per address too ---------------------
    async def before_login(self, username: str, address: str) -> float:
        """Refuses when locked out; otherwise the seconds this attempt must wait (0 at first)."""
        failures = await self.counter.count(f"login:{username}", LOCKOUT_WINDOW)
        by_address = await self.counter.count(f"login-ip:{address}", LOCKOUT_WINDOW)
        lockout = self.settings.login_lockout_after
        if failures >= lockout or by_address >= 3 * lockout:
            raise TooMany("Te veel mislukte inlogpogingen. Je account is 15 minuten geblokkeerd; probeer het daarna "
                          "opnieuw of vraag een beheerder om hulp.", LOCKOUT_WINDOW)
        extra = failures - self.settings.login_slowdown_after + 1
        return 0.0 if extra <= 0 else min(2.0 ** (extra - 1), 4.0)

    async def login_failed(self, username: str, address: str) -> None:
        await self.counter.add(f"login:{username}", LOCKOUT_WINDOW)
        await self.counter.add(f"login-ip:{address}", LOCKOUT_WINDOW)

    async def login_succeeded(self, username: str) -> None:
        await self.counter.clear(f"login:{username}")

    # --- customers -----------------------------------------------------------------------------------
    async def new_conversation(self, address: str) -> None:
        if await self.counter.add(f"conv:{address}", 60) > self.settings.conversations_per_minute:
            raise TooMany("Er worden vanaf jouw verbinding te veel nieuwe gesprekken gestart. Probeer het over een "
                          "minuut opnieuw.", 60)

    async def message(self, conversation_id: str) -> None:
        if await self.counter.add(f"msg:{conversation_id}", 60) > self.settings.messages_per_minute:
            raise TooMany("Je stuurt heel snel veel berichten achter elkaar. Wacht even en probeer het dan opnieuw.", 30)
