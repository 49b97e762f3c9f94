"""Routing by availability and capacity, as service-level tests on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta


from bot.desk.agents import service as agents
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.db import utcnow
from bot.desk.conversations.states import Step
from bot.desk.handoffs import queue, routing
from bot.desk.handoffs import service as handoffs
from tests.work_support import work_for


def agent(session, name, status="online", max_chats=None, is_demo=False):
    a = agents.create_agent(session, username=name, first_name=name.title(), password="wachtwoord", is_demo=is_demo)
    a.status, a.max_chats = status, max_chats
    session.flush()
    return a


def waiting(session, priority="normal", minutes_ago=0):
    conversation, _ = conversations.start_conversation(session)
    work = work_for(session)
    conversations.add_message(work, conversation=conversation, sender="customer", text="mens graag")
    handoff, _ = handoffs.create_or_get(work, conversation=conversation, actor="bot",
                                        context={"reason": "customer_request", "priority": priority})
    handoff.created_at = utcnow() - timedelta(minutes=minutes_ago)
    session.flush()
    return handoff


def assign(session, cap=3, demo_mode=False):
    work = work_for(session, max_chats_per_agent=cap, demo_mode=demo_mode)
    return [(h.id, a.username) for h, a in routing.auto_assign(work)]


def test_with_capacity_one_the_third_customer_waits_first_in_line(session):
    agent(session, "anna"), agent(session, "bram")
    first, second, third = waiting(session, minutes_ago=3), waiting(session, minutes_ago=2), waiting(session, minutes_ago=1)
    assert sorted(name for _, name in assign(session, cap=1)) == ["anna", "bram"]
    assert {first.status, second.status, third.status} == {"assigned", "queued"}
    assert third.status == "queued" and queue.position(session, handoff=third) == 1


def test_new_chats_go_to_the_least_loaded_agent(session):
    agent(session, "anna"), agent(session, "bram")
    first = waiting(session, minutes_ago=5)
    assert assign(session) == [(first.id, "anna")]
    second = waiting(session)
    assert assign(session) == [(second.id, "bram")]  # anna already has one chat
    third = waiting(session)
    assert assign(session) == [(third.id, "anna")]  # equal load: the one who got a chat longest ago


def test_priority_goes_before_waiting_time(session):
    agent(session, "anna", max_chats=1)
    old = waiting(session, minutes_ago=10)
    urgent = waiting(session, priority="urgent")
    assert assign(session) == [(urgent.id, "anna")] and old.status == "queued"


def test_away_and_offline_agents_get_no_new_chats_and_demo_agents_only_in_demo_mode(session):
    agent(session, "anna", status="away"), agent(session, "bram", status="offline"), agent(session, "demo", is_demo=True)
    waiting(session)
    assert assign(session) == []
    assert [name for _, name in assign(session, demo_mode=True)] == ["demo"]


def test_going_offline_puts_open_chats_back_in_the_queue_with_every_message(session):
    anna = agent(session, "anna")
    h = waiting(session)
    assign(session)
    conversation_id = h.conversation_id
    work = work_for(session)
    conversations.add_message(work, conversation=session.get(Conversation, conversation_id),
                              sender="agent", text="Ik kijk even", agent_name="Anna")
    anna.status = "offline"
    assert [x.id for x in handoffs.release(work, agent=anna)] == [h.id]
    assert h.status == "queued" and h.agent_id is None
    assert session.get(Conversation, conversation_id).state == "queued"
    assert [m.text for m in conversations.list_messages(session, conversation_id=conversation_id)] == ["mens graag", "Ik kijk even"]


def test_when_a_chat_ends_the_next_customer_is_assigned(session):
    anna = agent(session, "anna", max_chats=1)
    first, second = waiting(session, minutes_ago=2), waiting(session, minutes_ago=1)
    assign(session)
    assert first.status == "assigned" and second.status == "queued"
    handoffs.close(work_for(session), handoff=first, agent=anna, step=Step.RESOLVE)
    assert assign(session) == [(second.id, "anna")]


def test_an_agents_list_and_her_limit_count_the_same_chats(session):
    """The chats counted against an agent's limit are exactly the ones in her list, through claims, a transfer
    and going offline (both read the assigned handoffs; the owner is kept nowhere else)."""
    anna, bram = agent(session, "anna"), agent(session, "bram")
    for minutes in (4, 3, 2):
        waiting(session, minutes_ago=minutes)
    assign(session, cap=3)

    def same_everywhere():
        load = handoffs.active_counts(session)
        for a in (anna, bram):
            mine = handoffs.assigned_to(session, agent=a)
            assert len(mine) == load.get(a.id, 0) == 3 - handoffs.room_left(session, a, default_cap=3)
            assert all(session.get(Conversation, h.conversation_id).state == "agent" for h in mine)

    same_everywhere()
    moved = handoffs.assigned_to(session, agent=anna)[0]
    handoffs.transfer(work_for(session), handoff=moved, from_agent=anna, to_agent=bram)
    same_everywhere()
    bram.status = "offline"
    handoffs.release(work_for(session), agent=bram)
    same_everywhere()
    assert handoffs.assigned_to(session, agent=bram) == []
