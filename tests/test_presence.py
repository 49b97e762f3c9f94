"""Presence: an agent is available only while a console of hers is connected. Without one for the set time she
goes away, her chats go back to the queue with the whole conversation and a truthful line to the customer, and
her console tells her what happened. Service level on SQLite and PostgreSQL; across two desk replicas (PostgreSQL
and Redis) over real HTTP and WebSockets."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import requests
import websockets

from bot.desk.agents import flows, presence
from bot.desk.agents import service as agents
from bot.desk.agents.models import Agent
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation, Message
from bot.desk.conversations.states import State
from bot.desk.db import utcnow
from bot.desk.handoffs import service as handoffs
from tests.desk_server import DeskServer
from tests.desk_support import Customer, add_agents, desk_settings, login, project, rasa  # noqa: F401 - fixtures
from tests.test_replicas import wait_for
from tests.work_support import settle, work_for


def online(session, name, seen_ago_seconds):
    agent = agents.create_agent(session, username=name, first_name=name.title(), password="wachtwoord")
    agent.status, agent.last_seen_at = "online", utcnow() - timedelta(seconds=seen_ago_seconds)
    session.flush()
    return agent


def served_by(session, agent):
    conversation, _ = conversations.start_conversation(session)
    work = work_for(session)
    conversations.add_message(work, conversation=conversation, sender="customer", text="Mijn pakket is beschadigd")
    handoff, _ = handoffs.create_or_get(work, conversation=conversation, actor="bot",
                                        context={"reason": "complexity", "summary": "Pakket beschadigd aangekomen."})
    assert handoffs.claim(work, handoff_id=handoff.id, agent=agent)
    session.flush()
    return conversation, handoff


def test_an_agent_whose_console_is_gone_goes_away_and_her_chat_reaches_a_colleague(session):
    anna = online(session, "anna", seen_ago_seconds=200)  # her console closed more than two minutes ago
    bram = online(session, "bram", seen_ago_seconds=3)  # his console is connected
    conversation, handoff = served_by(session, anna)
    bram_seen = bram.last_seen_at

    work = work_for(session, away_after_seconds=120)
    assert flows.sweep_absent(work) == [anna.id]
    settle(work)
    session.flush()

    assert anna.status == "away" and bram.status == "online" and bram.last_seen_at == bram_seen
    assert handoff.status == "assigned" and handoff.agent_id == bram.id  # the one owner is the handoff's agent
    assert session.get(Conversation, conversation.id).state == State.AGENT
    said = [m.text for m in session.query(Message).filter_by(conversation_id=conversation.id).order_by(Message.seq)]
    assert said[0] == "Mijn pakket is beschadigd"  # the whole conversation stays
    assert said[-1] == ("Anna is even niet bereikbaar, daarom neemt Bram van de klantenservice je gesprek over. "
                        "Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek.")
    notice = presence.notice(anna)
    assert notice["released"] == 1 and "langer dan 2 minuten niet verbonden" in notice["text"]
    assert "afwezig" in notice["text"]

    work = work_for(session, away_after_seconds=120)
    assert flows.sweep_absent(work) == []  # away without chats: nothing more to do


def test_without_a_colleague_the_chat_waits_first_in_line_and_the_customer_hears_so(session):
    anna = online(session, "anna", seen_ago_seconds=200)
    conversation, handoff = served_by(session, anna)
    later, _ = conversations.start_conversation(session)
    work = work_for(session)
    conversations.add_message(work, conversation=later, sender="customer", text="mens graag")
    newer, _ = handoffs.create_or_get(work, conversation=later, actor="bot", context={"reason": "customer_request"})
    session.flush()

    work = work_for(session, away_after_seconds=120)
    flows.sweep_absent(work)
    settle(work)
    session.flush()
    assert handoff.status == "queued" and handoff.agent_id is None and newer.status == "queued"
    from bot.desk.handoffs import queue
    assert queue.position(session, handoff=handoff) == 1  # its old place: before the customer who came later
    said = [m.text for m in session.query(Message).filter_by(conversation_id=conversation.id).order_by(Message.seq)]
    assert any(t.startswith("Anna is even niet bereikbaar. Je staat weer in de rij, op je oude plek.") and
               "geen andere collega beschikbaar" in t for t in said)


def test_a_connected_console_keeps_her_available(session):
    anna = online(session, "anna", seen_ago_seconds=200)
    presence.seen(session, [anna.id])  # a replica's heartbeat: her console is there
    session.expire_all()
    served_by(session, session.get(Agent, anna.id))
    work = work_for(session, away_after_seconds=120)
    assert flows.sweep_absent(work) == []
    assert session.get(Agent, anna.id).status == "online"


@pytest.fixture
def replicas(pg_database_url, rasa, project, redis_server):  # noqa: F811 - fixtures
    add_agents(pg_database_url)
    settings = desk_settings(pg_database_url, rasa, project, redis_url=redis_server.url, heartbeat_seconds=0.3,
                             away_after_seconds=1.5)
    with DeskServer(settings) as a, DeskServer(settings) as b:
        wait_for(lambda: a.app.state.relay.healthy() and b.app.state.relay.healthy(), "both replicas subscribe to Redis")
        yield a, b


@pytest.mark.postgres
async def test_across_replicas_a_closed_console_hands_her_chat_to_a_colleague_on_the_other(replicas):
    a, b = replicas
    anna, bram = login(a, "anna", "wachtwoord-anna"), login(b, "bram", "wachtwoord-bram")
    loop = asyncio.get_running_loop()

    def ws(desk, headers):
        return desk.url.replace("http", "ws") + "/api/agent/ws?token=" + headers["Authorization"].split()[1]

    async with websockets.connect(ws(b, bram)):  # Bram's console stays open on replica B all along
        async with websockets.connect(ws(a, anna)):  # Anna's console on replica A
            requests.post(a.url + "/api/agent/status", json={"status": "online"}, headers=anna)
            customer = Customer(a)
            answer = (await loop.run_in_executor(None, lambda: customer.say("mens graag"))).json()
            assert "Anna van de klantenservice helpt je nu verder" in answer["replies"][-1]["text"]
            requests.post(b.url + "/api/agent/status", json={"status": "online"}, headers=bram)
            await asyncio.sleep(3 * 1.5)  # longer than the limit, with her console connected: she keeps the chat
            [mine] = requests.get(a.url + "/api/handoffs", headers=anna).json()["mine"]
        # Anna closed her console. Within the limit and a sweep the chat is Bram's, on the other replica.

        def moved():
            return requests.get(b.url + "/api/handoffs", headers=bram).json()["mine"]
        await loop.run_in_executor(None, lambda: wait_for(lambda: moved(), "Anna's chat reaches Bram", 15))
        assert moved()[0]["id"] == mine["id"] and moved()[0]["agent"] == "Bram"
        texts = [m["text"] for m in customer.history()["messages"]]
        assert texts[0] == "mens graag"
        assert "Anna is even niet bereikbaar, daarom neemt Bram van de klantenservice je gesprek over." in texts[-1]
        me = requests.get(a.url + "/api/agent/me", headers=anna).json()
        assert me["status"] == "away" and me["presence_notice"]["released"] == 1
        read = requests.post(a.url + "/api/agent/presence-notice/read", headers=anna).json()
        assert read["presence_notice"] is None
        assert requests.get(b.url + "/api/agent/me", headers=bram).json()["status"] == "online"
