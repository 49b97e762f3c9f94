"""Two desk replicas on one PostgreSQL database and one Redis, each on its own port (real HTTP and
WebSockets, the scripted Rasa stand-in): live chat across replicas, exactly one winner for concurrent
claims, periodic work once, and pushes lost with Redis caught up by sequence numbers."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import replace

import pytest
import requests
import websockets

from tests.desk_server import DeskServer
from tests.desk_support import Customer, add_agents, desk_settings, login, project, rasa  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgres


@pytest.fixture
def replicas(pg_database_url, rasa, project, redis_server):
    add_agents(pg_database_url)
    settings = desk_settings(pg_database_url, rasa, project, redis_url=redis_server.url, heartbeat_seconds=0.5)
    with DeskServer(settings) as a, DeskServer(settings) as b:
        for server in (a, b):
            server.database_url = pg_database_url
        wait_for(lambda: a.app.state.relay.healthy() and b.app.state.relay.healthy(), "both replicas subscribe to Redis")
        yield a, b


def wait_for(condition, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out: {what}")


async def pushes(socket, until, seconds: float = 8.0) -> list[dict]:
    """Everything pushed until `until(push)` holds (heartbeats included)."""
    seen: list[dict] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"no such push; got {[p.get('type') for p in seen]}")
        data = json.loads(await asyncio.wait_for(socket.recv(), remaining))
        seen.append(data)
        if until(data):
            return seen


def text_push(text: str):
    return lambda data: data.get("type") == "message" and data["message"]["text"] == text


async def test_a_customer_on_one_replica_and_an_agent_on_another_talk_live(replicas):
    a, b = replicas
    customer = Customer(a)
    anna = login(b, "anna", "wachtwoord-anna")
    requests.post(b.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    loop = asyncio.get_running_loop()
    customer_ws = a.url.replace("http", "ws") + f"/api/conversations/{customer.id}/ws?token={customer.token}"
    agent_ws = b.url.replace("http", "ws") + "/api/agent/ws?token=" + anna["Authorization"].split()[1]
    async with websockets.connect(customer_ws) as widget, websockets.connect(agent_ws) as console:
        answer = (await loop.run_in_executor(None, lambda: customer.say("mens graag"))).json()
        assert answer["state"] == "agent" and "Anna van de klantenservice helpt je nu verder" in answer["replies"][-1]["text"]
        assert all("aan de beurt" not in r["text"] for r in answer["replies"])
        [mine] = requests.get(b.url + "/api/handoffs", headers=anna).json()["mine"]
        await pushes(console, lambda d: d.get("type") == "assigned" and d["handoff_id"] == mine["id"])
        await loop.run_in_executor(None, lambda: requests.post(
            f"{b.url}/api/handoffs/{mine['id']}/messages", json={"text": "Hoi, ik ben Anna!"}, headers=anna))
        await pushes(widget, text_push("Hoi, ik ben Anna!"))  # written on B, shown by A
        await loop.run_in_executor(None, lambda: customer.say("Fijn, dank je"))
        await pushes(console, text_push("Fijn, dank je"))  # written on A, shown by B


def test_concurrent_claims_on_two_replicas_have_exactly_one_winner(replicas):
    a, b = replicas
    for _ in range(6):
        Customer(a).say("mens graag")
    anna, bram = login(a, "anna", "wachtwoord-anna"), login(b, "bram", "wachtwoord-bram")
    queue = requests.get(a.url + "/api/handoffs", headers=anna).json()["queue"]
    assert len(queue) == 6
    for handoff in queue:
        results, barrier = [], threading.Barrier(2)

        def claim(server, headers):
            barrier.wait()
            results.append(requests.post(f"{server.url}/api/handoffs/{handoff['id']}/claim", headers=headers).status_code)

        threads = [threading.Thread(target=claim, args=args) for args in ((a, anna), (b, bram))]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(results) == [200, 409]
    # Capacity holds across replicas too: each has at most MAX_CHATS_PER_AGENT (3) chats.
    mine = [len(requests.get(a.url + "/api/handoffs", headers=h).json()["mine"]) for h in (anna, bram)]
    assert sum(mine) == 6 and max(mine) <= 3


def test_periodic_work_runs_on_one_replica_at_a_time(replicas):
    a, b = replicas
    time.sleep(1.5)  # several rounds of the 0.3 s check on both
    runs = sorted([a.app.state.periodic.runs, b.app.state.periodic.runs])
    assert runs[0] == 0 and runs[1] >= 3  # the lease holder did the work, the other one never


def test_a_customer_who_waited_too_long_is_offered_a_callback_once_with_two_replicas(replicas):
    from sqlalchemy import create_engine, update

    from bot.desk.db import utcnow
    from bot.desk.handoffs.models import Handoff

    a, b = replicas
    anna = login(a, "anna", "wachtwoord-anna")
    requests.post(a.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    a.app.state.settings = b.app.state.settings = replace(a.app.state.settings, max_chats_per_agent=1)
    first, second = Customer(a), Customer(b)
    first.say("mens graag")
    second.say("mens graag")
    engine = create_engine(a.database_url, future=True)
    with engine.begin() as conn:
        conn.execute(update(Handoff).where(Handoff.conversation_id == second.id)
                     .values(created_at=utcnow().replace(year=utcnow().year - 1)))
    engine.dispose()
    wait_for(lambda: "Sorry dat je zo lang" in second.history()["messages"][-1]["text"], "the callback offer")
    time.sleep(1.5)  # both replicas keep checking: still one offer
    assert sum("Sorry dat je zo lang" in m["text"] for m in second.history()["messages"]) == 1


async def test_pushes_lost_while_redis_is_away_are_caught_up_by_sequence_number(replicas, redis_server):
    a, b = replicas
    customer = Customer(a)
    customer.say("mens graag")
    anna = login(b, "anna", "wachtwoord-anna")
    [handoff] = requests.get(b.url + "/api/handoffs", headers=anna).json()["queue"]
    requests.post(f"{b.url}/api/handoffs/{handoff['id']}/claim", headers=anna)
    seen = customer.history()["last_seq"]
    loop = asyncio.get_running_loop()
    customer_ws = a.url.replace("http", "ws") + f"/api/conversations/{customer.id}/ws?token={customer.token}"
    async with websockets.connect(customer_ws) as widget:
        redis_server.kill()
        reply = await loop.run_in_executor(None, lambda: requests.post(
            f"{b.url}/api/handoffs/{handoff['id']}/messages", json={"text": "Ben je er nog?"}, headers=anna))
        assert reply.status_code == 200  # stored; only the push could not travel
        beat = (await pushes(widget, lambda d: d.get("type") == "heartbeat" and d["last_seq"] > seen))[-1]
        missed = requests.get(f"{a.url}/api/conversations/{customer.id}/messages", params={"after": seen},
                              headers={"Authorization": f"Bearer {customer.token}"}).json()["messages"]
        assert [m["text"] for m in missed] == ["Ben je er nog?"] and missed[0]["seq"] == beat["last_seq"]
        redis_server.start()
        await pushes(widget, lambda d: d.get("type") == "resync", seconds=15)  # A listens again: clients catch up
        wait_for(lambda: b.app.state.relay.healthy(), "B subscribes again")
        await loop.run_in_executor(None, lambda: requests.post(
            f"{b.url}/api/handoffs/{handoff['id']}/messages", json={"text": "Daar ben ik weer."}, headers=anna))
        await pushes(widget, text_push("Daar ben ik weer."))
