"""Services only record what happened; routing, the customer's "who helps you" line and the pushes follow
from it at the end of the unit of work, each once (transaction.settle)."""
from __future__ import annotations

from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import State, Step
from bot.desk.events import AgentStatusChanged, MessageAdded
from bot.desk.handoffs import flows, service as handoffs
from bot.desk.transaction import settle
from tests.test_routing import agent
from tests.work_support import work_for


def said(work) -> list[str]:
    """What the desk told customers in this unit of work."""
    return [e.message["text"] for e in work.events if isinstance(e, MessageAdded) and e.message["sender"] == "system"]


def handed_off(session):
    conversation, _ = conversations.start_conversation(session)
    work = work_for(session)
    conversations.add_message(work, conversation=conversation, sender="customer", text="Ik wil een mens")
    flows.hand_off(work, conversation=conversation, context={"reason": "customer_request"}, actor="bot")
    return work, conversation


def test_a_handoff_with_an_agent_free_is_routed_and_told_once(session):
    agent(session, "anna")
    work, conversation = handed_off(session)
    pushes = settle(work)
    assert conversation.state == State.AGENT
    assert said(work) == ["Anna van de klantenservice helpt je nu verder. Je hoeft niets te herhalen: Anna ziet ons "
                          "hele gesprek."]
    to_agents = [p["payload"]["type"] for p in pushes if p["to"] == "agents"]
    assert to_agents.count("new_handoff") == 1 and to_agents.count("assigned") == 1 and to_agents.count("queue_changed") == 1


def test_with_nobody_online_the_customer_waits_and_is_offered_a_callback_once(session):
    agent(session, "anna", status="away")
    work, conversation = handed_off(session)
    settle(work)
    assert conversation.state == State.QUEUED and conversation.awaiting == "callback_choice"
    assert said(work) == ["Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek.",
                          "Er is op dit moment helaas geen collega beschikbaar in de chat. Wil je dat we je terugbellen "
                          "of mailen op een moment dat jou past?"]


def test_an_agent_who_comes_online_gets_the_waiting_customer_who_hears_it_once(session):
    work, conversation = handed_off(session)
    settle(work)
    anna = agent(session, "anna", status="offline")
    work = work_for(session)
    anna.status = "online"
    work.record(AgentStatusChanged(anna.id))
    pushes = settle(work)
    assert conversation.state == State.AGENT and said(work) == ["Anna van de klantenservice helpt je nu verder."]
    assert {"type": "agents_changed"} in [p["payload"] for p in pushes]


def test_not_solved_goes_back_to_the_agent_who_helped_and_is_told_once(session):
    anna, bram = agent(session, "anna"), agent(session, "bram")
    work, conversation = handed_off(session)
    settle(work)
    handoff = handoffs.open_handoff(session, conversation_id=conversation.id)
    helper = anna if handoff.agent_id == anna.id else bram
    work = work_for(session)
    handoffs.close(work, handoff=handoff, agent=helper, step=Step.RESOLVE)
    settle(work)
    work = work_for(session)
    handoffs.reopen(work, handoff=handoff, actor="customer")
    settle(work)
    assert handoff.agent_id == helper.id and conversation.state == State.AGENT
    assert said(work) == [f"Wat vervelend dat het nog niet is opgelost. {helper.first_name} helpt je meteen verder."]


def test_a_transfer_and_a_release_are_each_told_once(session):
    anna, bram = agent(session, "anna"), agent(session, "bram")
    work, conversation = handed_off(session)
    settle(work)
    handoff = handoffs.open_handoff(session, conversation_id=conversation.id)
    owner, other = (anna, bram) if handoff.agent_id == anna.id else (bram, anna)
    work = work_for(session)
    handoffs.transfer(work, handoff=handoff, from_agent=owner, to_agent=other)
    settle(work)
    assert said(work) == [f"{other.first_name} neemt je gesprek over van {owner.first_name}; je hoeft niets te herhalen."]
    work = work_for(session)
    other.status = "offline"
    handoffs.release(work, agent=other)
    work.record(AgentStatusChanged(other.id))
    settle(work)
    assert handoff.agent_id == owner.id and session.get(Conversation, conversation.id).state == State.AGENT
    assert said(work) == [f"{other.first_name} is niet meer beschikbaar in de chat, daarom neemt {owner.first_name} van de "
                          "klantenservice je gesprek over. Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek."]
