"""The sockets of this replica: customers per conversation, agents with the conversation they watch."""
from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, Iterable

from fastapi import WebSocket

from bot.desk.push.messages import HEARTBEAT, RESYNC

Envelope = dict[str, Any]


class Hub:
    def __init__(self) -> None:
        self._customers: dict[str, set[WebSocket]] = defaultdict(set)
        self._agents: dict[WebSocket, str | None] = {}  # socket -> conversation id it watches
        self._sessions: dict[WebSocket, str] = {}  # agent socket -> digest of the sign-in it was opened with
        self._agent_ids: dict[WebSocket, int] = {}  # agent socket -> whose console it is (presence)

    # --- sockets -------------------------------------------------------------------------------------
    def add_customer(self, conversation_id: str, socket: WebSocket) -> None:
        self._customers[conversation_id].add(socket)

    def remove_customer(self, conversation_id: str, socket: WebSocket) -> None:
        self._customers[conversation_id].discard(socket)
        if not self._customers[conversation_id]:
            self._customers.pop(conversation_id, None)

    def add_agent(self, socket: WebSocket, session: str = "", agent_id: int | None = None) -> None:
        self._agents[socket] = None
        self._sessions[socket] = session
        if agent_id is not None:
            self._agent_ids[socket] = agent_id

    def watch(self, socket: WebSocket, conversation_id: str | None) -> None:
        if socket in self._agents:
            self._agents[socket] = conversation_id

    def remove_agent(self, socket: WebSocket) -> None:
        self._agents.pop(socket, None)
        self._sessions.pop(socket, None)
        self._agent_ids.pop(socket, None)

    def agent_sessions(self) -> set[str]:
        return set(self._sessions.values())

    def connected_agents(self) -> set[int]:
        """Agents with a console connected to this replica now."""
        return set(self._agent_ids.values())

    async def end_sessions(self, sessions: Iterable[str]) -> None:
        """Signed out, disabled or expired: the console hears nothing more on those sockets."""
        ended = set(sessions)
        for socket in [s for s, session in self._sessions.items() if session in ended]:
            self.remove_agent(socket)
            try:
                await socket.close(code=4401)
            except Exception:  # noqa: BLE001 - already gone
                pass

    def customer_conversations(self) -> list[str]:
        return list(self._customers)

    def watched_conversations(self) -> list[str]:
        return [c for c in self._agents.values() if c]

    @property
    def socket_count(self) -> int:
        return sum(len(s) for s in self._customers.values()) + len(self._agents)

    # --- delivery ------------------------------------------------------------------------------------
    async def deliver(self, envelope: Envelope) -> None:
        if envelope["to"] == "signed_out":
            await self.end_sessions(envelope["sessions"])
            return
        payload = envelope["payload"]
        if envelope["to"] == "customer":
            await self._send(list(self._customers.get(envelope["conversation_id"], ())), payload)
        else:
            await self._send(list(self._agents), payload)

    async def deliver_all(self, envelopes: Iterable[Envelope]) -> None:
        for envelope in envelopes:
            await self.deliver(envelope)

    async def heartbeat(self, customers: dict[str, dict[str, Any]], queue_stamp: Any) -> None:
        """The newest sequence number and state per conversation: a client that is behind catches up."""
        for conversation_id, sockets in list(self._customers.items()):
            latest = customers.get(conversation_id)
            if latest:
                await self._send(list(sockets), {"type": HEARTBEAT, **latest})
        for socket, watched in list(self._agents.items()):
            beat: dict[str, Any] = {"type": HEARTBEAT, "queue_stamp": queue_stamp}
            if watched and watched in customers:
                beat["conversation_id"] = watched
                beat["last_seq"] = customers[watched]["last_seq"]
            await self._send([socket], beat)

    async def resync_all(self) -> None:
        """After the relay lost pushes (Redis was away): every client fetches what it missed."""
        await self._send([s for group in self._customers.values() for s in group] + list(self._agents),
                         {"type": RESYNC})

    async def _send(self, sockets: list[WebSocket], payload: dict[str, Any]) -> None:
        if not sockets:
            return
        text = json.dumps(payload)
        results = await asyncio.gather(*(s.send_text(text) for s in sockets), return_exceptions=True)
        for socket, result in zip(sockets, results):
            if isinstance(result, Exception):
                self.remove_agent(socket)
                for group in self._customers.values():
                    group.discard(socket)
