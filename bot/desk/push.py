"""In-process WebSocket fan-out to customers (per conversation) and agents."""
from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

from fastapi import WebSocket


class PushHub:
    def __init__(self) -> None:
        self._customers: dict[str, set[WebSocket]] = defaultdict(set)
        self._agents: set[WebSocket] = set()

    def add_customer(self, conversation_id: str, socket: WebSocket) -> None:
        self._customers[conversation_id].add(socket)

    def remove_customer(self, conversation_id: str, socket: WebSocket) -> None:
        self._customers[conversation_id].discard(socket)
        if not self._customers[conversation_id]:
            self._customers.pop(conversation_id, None)

    def add_agent(self, socket: WebSocket) -> None:
        self._agents.add(socket)

    def remove_agent(self, socket: WebSocket) -> None:
        self._agents.discard(socket)

    async def to_customer(self, conversation_id: str, payload: dict[str, Any]) -> None:
        await self._send(list(self._customers.get(conversation_id, ())), payload)

    async def to_agents(self, payload: dict[str, Any]) -> None:
        await self._send(list(self._agents), payload)

    async def _send(self, sockets: list[WebSocket], payload: dict[str, Any]) -> None:
        if not sockets:
            return
        text = json.dumps(payload)
        results = await asyncio.gather(*(s.send_text(text) for s in sockets), return_exceptions=True)
        for socket, result in zip(sockets, results):
            if isinstance(result, Exception):
                self._agents.discard(socket)
                for group in self._customers.values():
                    group.discard(socket)
