"""The loopback cluster under faults: customers chat through nginx while, one at a time, a desk replica,
a Rasa replica, an action server and Redis are killed and brought back, under the busy hour's load. No
request fails on the way (no 502, no dropped connection: nginx retries keyed messages on the other desk),
every message every customer sent is stored exactly once, every customer got an answer or a polite "storing" notice, no
handoff is lost or duplicated, and no connected client missed a message (checked by sequence numbers)."""
from __future__ import annotations

import asyncio
import json
import os
import random
import threading
import time
from collections import Counter

import httpx
import pytest
import requests
import websockets
from sqlalchemy import create_engine, select

from bot.desk.conversations.models import Conversation, Message
from bot.desk.handoffs.models import Handoff
from tests.cluster.conftest import status
from tests.cluster_clients import WidgetCustomer

pytestmark = [pytest.mark.e2e, pytest.mark.cluster]

# The busy hour of `make bench` (bench/load.py): 200 customers at a time, about 3 s between messages; each
# starts a new conversation after a few questions, like a new visitor. FAULT_CUSTOMERS makes it lighter.
CUSTOMERS = int(os.environ.get("FAULT_CUSTOMERS", "200"))
THINK_SECONDS = 3.0
ARRIVALS_SECONDS = 15.0
QUESTIONS = ["Hoi", "Wat kost verzenden?", "Waar is mijn pakket? WS-100001, postcode 1234AB", "Hoe werkt retourneren?",
             "Welke betaalmethodes hebben jullie?", "Hoe lang duurt de levering?", "Wat zijn jullie openingstijden?",
             "Kan ik mijn bestelling nog annuleren?", "Hoe lang heb ik garantie?"]
ASK_FOR_A_PERSON = "Ik wil een medewerker spreken"


class Chatter(threading.Thread):
    """Customers chatting in their own event loop until told to stop."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.customers: list[WidgetCustomer] = []
        self.stopping = threading.Event()
        self.finishing: list[asyncio.Task] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.failure = exc

    async def _main(self) -> None:
        limits = httpx.Limits(max_connections=CUSTOMERS + 20, max_keepalive_connections=CUSTOMERS + 20)
        async with httpx.AsyncClient(timeout=httpx.Timeout(90.0, connect=3.0), limits=limits) as client:
            await asyncio.gather(*(self._visitor(i, client) for i in range(CUSTOMERS)))

    async def _visitor(self, number: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(number)
        await asyncio.sleep(number * ARRIVALS_SECONDS / CUSTOMERS)  # arrivals spread
        while not self.stopping.is_set():
            customer = WidgetCustomer(self.url, client, retry_seconds=240)
            self.customers.append(customer)
            await customer.start()
            script = rng.sample(QUESTIONS, 4) + ([ASK_FOR_A_PERSON] if rng.random() < 0.3 else [])
            for text in script:
                await customer.say(text)
                await asyncio.sleep(THINK_SECONDS * rng.uniform(0.7, 1.3))
                if self.stopping.is_set():
                    break
            self.finishing.append(asyncio.create_task(self._leave(customer)))
        await asyncio.gather(*self.finishing)

    @staticmethod
    async def _leave(customer: WidgetCustomer) -> None:
        await asyncio.sleep(5)  # two heartbeats: a client that missed a push catches up
        await customer.catch_up()
        await customer.stop()


def pushes_again(desk_url: str) -> bool:
    """The desk says its pushes go through Redis (a busy desk may take a while to answer: asked again)."""
    try:
        return bool(requests.get(desk_url + "/health", timeout=10).json().get("push"))
    except (requests.RequestException, ValueError):
        return False


def test_nothing_is_lost_while_replicas_redis_rasa_and_an_action_server_die(cluster):
    chatter = Chatter(cluster.url)
    chatter.start()
    time.sleep(8)
    faults: list[str] = []

    old = cluster.kill("desk-1")
    faults.append("desk-1")
    cluster.restarted("desk-1", old, cluster.replica_url("desk-1") + "/health/live", 90)
    time.sleep(3)

    old = cluster.kill("rasa-1")
    faults.append("rasa-1")
    time.sleep(5)
    cluster.restarted("rasa-1", old, cluster.replica_url("rasa-1") + "/", 300)
    time.sleep(3)

    old = cluster.kill("actions-1")
    faults.append("actions-1")
    cluster.restarted("actions-1", old, cluster.replica_url("actions-1") + "/health", 90)
    time.sleep(3)

    cluster.redis.kill()
    faults.append("redis")
    time.sleep(6)
    cluster.redis.start()
    cluster.wait(lambda: all(pushes_again(cluster.replica_url(n)) for n in ("desk-1", "desk-2")),
                 "both desks push through Redis again", 90)
    time.sleep(6)

    chatter.stopping.set()
    chatter.join(timeout=300)
    assert not chatter.is_alive(), "the customers did not finish"
    assert chatter.failure is None, repr(chatter.failure)
    customers = chatter.customers
    assert faults == ["desk-1", "rasa-1", "actions-1", "redis"]
    assert [e for c in customers for e in c.errors] == []
    # Zero failed requests: nginx moved what a dying desk had in hand to the other one, so no customer saw a
    # 502 or a dropped connection, not even one the widget would have sent again.
    assert [f for c in customers for f in c.failures] == []

    engine = create_engine(cluster.database_url, future=True)
    with engine.connect() as conn:
        ids = [c.id for c in customers]
        messages = conn.execute(select(Message).where(Message.conversation_id.in_(ids)).order_by(
            Message.conversation_id, Message.seq)).all()
        handoffs = conn.execute(select(Handoff).where(Handoff.conversation_id.in_(ids))).all()
        states = dict(conn.execute(select(Conversation.id, Conversation.state).where(Conversation.id.in_(ids))).all())
    engine.dispose()

    by_conversation: dict[str, list] = {cid: [] for cid in ids}
    for m in messages:
        by_conversation[m.conversation_id].append(m)
    sent_total = 0
    for customer in customers:
        stored = by_conversation[customer.id]
        sent = [s.client_key for s in customer.sent]
        sent_total += len(sent)
        # Every message sent is stored exactly once (a retry with the same key is not stored again).
        keys = Counter(m.client_key for m in stored if m.sender == "customer")
        assert sorted(keys) == sorted(sent) and set(keys.values()) == {1}, customer.id
        # Numbered without gaps, and the client has every one of them (push, or fetched after a gap).
        seqs = [m.seq for m in stored if m.sender != "note"]
        assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
        assert sorted(customer.seen) == seqs, f"{customer.id}: missing {sorted(set(seqs) - set(customer.seen))}"
        # Every message was answered (bot, or the desk's polite notice), or went to a person in line.
        mine = [h for h in handoffs if h.conversation_id == customer.id]
        first_handoff = min((h.created_at for h in mine), default=None)
        for i, m in enumerate(stored):
            if m.sender != "customer" or (first_handoff and m.created_at >= first_handoff):
                continue
            nxt = stored[i + 1] if i + 1 < len(stored) else None
            assert nxt is not None and nxt.sender in ("bot", "system"), f"unanswered: {m.text!r} in {customer.id}"
        # No handoff lost or duplicated: one per announced handover, at most one open.
        announced = sum(1 for m in stored if m.sender == "system" and "herhalen" in m.text)
        assert len(mine) == announced, f"{customer.id}: {len(mine)} handoffs, {announced} announced"
        assert sum(h.status in ("queued", "assigned") for h in mine) <= 1
        if states[customer.id] in ("queued", "agent"):
            assert any(h.status in ("queued", "assigned") for h in mine)
    storing = sum(1 for m in messages if m.sender == "system" and "storing" in m.text)
    pushed = sum(len(c.by_push) for c in customers)
    seen = sum(len(c.seen) for c in customers)
    turns = sorted(s.seconds for c in customers for s in c.sent if s.seconds is not None)
    print(f"\ncluster faults {faults} under {CUSTOMERS} customers: p95 {turns[int(0.95 * (len(turns) - 1))]:.2f} s, "
          f"0 failed requests; {len(customers)} conversations sent {sent_total} messages, all stored once; "
          f"{storing} polite 'storing' notices, {len(handoffs)} handoffs; {pushed} of {seen} messages arrived by push, "
          f"the rest by catching up ({sum(c.fetches for c in customers)} fetches, "
          f"{sum(c.reconnects for c in customers)} reconnects)")
    # The load was real: every customer wrote a few times while the processes died (3 s apart, slower turns
    # on a busy machine), and some started a second conversation.
    assert sent_total >= CUSTOMERS * 3 and len(customers) > CUSTOMERS


async def pushes(socket, until, seconds: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        data = json.loads(await asyncio.wait_for(socket.recv(), deadline - asyncio.get_running_loop().time()))
        if until(data):
            return


async def test_a_customer_on_replica_a_and_an_agent_on_replica_b_talk_live(cluster):
    a, b = cluster.replica_url("desk-1"), cluster.replica_url("desk-2")
    assert status(a + "/health") == 200 and status(b + "/health") == 200
    async with httpx.AsyncClient(timeout=60) as client:
        token = (await client.post(b + "/api/agent/login", json={"username": "demo", "password": "balie-demo"})).json()["token"]
        agent = {"Authorization": f"Bearer {token}"}
        customer = WidgetCustomer(a, client)
        await customer.start(socket=False)
        await client.post(b + "/api/agent/status", json={"status": "online"}, headers=agent)
        try:
            for _ in range(100):  # customers left waiting by the fault test come first
                lists = (await client.get(b + "/api/handoffs", headers=agent)).json()
                if not lists["mine"] and not lists["queue"]:
                    break
                for handoff in lists["mine"]:
                    await client.post(f"{b}/api/handoffs/{handoff['id']}/resolve", headers=agent)
            widget_url = a.replace("http", "ws") + f"/api/conversations/{customer.id}/ws?token={customer.token}"
            console_url = b.replace("http", "ws") + f"/api/agent/ws?token={token}"
            async with websockets.connect(widget_url) as widget, websockets.connect(console_url) as console:
                answer = await customer.say("ik wil een medewerker spreken")
                assert answer.state == "agent" and "helpt je nu verder" in answer.replies[-1]["text"]
                mine = (await client.get(b + "/api/handoffs", headers=agent)).json()["mine"]
                [handoff] = [h for h in mine if h["conversation_id"] == customer.id]
                await client.post(f"{b}/api/handoffs/{handoff['id']}/messages", json={"text": "Hoi, ik ben Sanne!"},
                                  headers=agent)
                await pushes(widget, lambda d: d.get("type") == "message" and d["message"]["text"] == "Hoi, ik ben Sanne!")
                await customer.say("Fijn, dank je")
                await pushes(console, lambda d: d.get("type") == "message" and d["message"]["text"] == "Fijn, dank je")
                await client.post(f"{b}/api/handoffs/{handoff['id']}/resolve", headers=agent)
        finally:
            await client.post(b + "/api/agent/status", json={"status": "offline"}, headers=agent)
