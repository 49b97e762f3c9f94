"""Services only record what happened; routing, the customer's "who helps you" line and the pushes follow
from it after the unit of work, each once (transaction.py)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from bot import hours
from bot.config import get_settings
from bot.desk import periodic
from bot.desk.bot_client import BotTurn
from bot.desk.conversations import flows as conversation_flows, service as conversations
from bot.desk.conversations.models import Conversation, Message
from bot.desk.conversations.states import State, Step
from bot.desk.db import make_engine, make_sessionmaker, utcnow
from bot.desk.events import AgentStatusChanged, MessageAdded
from bot.desk.handoffs import flows, routing, service as handoffs
from bot.desk.handoffs.models import Handoff
from bot.desk.handoffs.queue import open_handoff
from bot.desk.transaction import transact
from bot.desk.work import Work
from tests.test_routing import agent
from tests.work_support import settle, work_for


def said(work) -> list[str]:
    """What the desk told customers in this unit of work."""
    return [e.message["text"] for e in work.events if isinstance(e, MessageAdded) and e.message["sender"] == "system"]


def handed_off(session):
    conversation, _ = conversations.start_conversation(session)
    work = work_for(session)
    conversations.add_message(work, conversation=conversation, sender="customer", text="Ik wil een mens")
    flows.start(work, conversation=conversation, context={"reason": "customer_request"}, actor="bot")
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
    handoff = open_handoff(session, conversation_id=conversation.id)
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
    handoff = open_handoff(session, conversation_id=conversation.id)
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


# --- as the desk runs it: the unit of work committed first, then its follow-up (transaction.transact) ----------
def desk_app(database_url):
    """What `transact` reads of a desk app: its sessions, settings and business hours."""
    engine = make_engine(database_url)
    return SimpleNamespace(state=SimpleNamespace(sessionmaker=make_sessionmaker(engine), settings=get_settings(),
                                                 hours=SimpleNamespace(current=hours.load))), engine


def a_customer_asking_for_a_person(app) -> str:
    with app.state.sessionmaker() as session:
        conversation, _ = conversations.start_conversation(session)
        conversations.add_message(work_for(session), conversation=conversation, sender="customer", text="mens graag")
        session.commit()
        return conversation.id


def bot_hands_off(conversation_id: str):
    """The bot's turn that asks for a person, as `customer_message` finishes it."""
    def finish(work):
        first = work.session.scalars(select(Message).where(Message.conversation_id == conversation_id)).first()
        turn = BotTurn(replies=[{"text": "Ik verbind je door met een collega."}], nlu=None,
                       handoff={"reason": "customer_request"})
        return conversation_flows.finish_bot_turn(work, conversation_id=conversation_id, message_id=first.id, turn=turn)
    return finish


def stored(app, conversation_id: str) -> tuple[str, str, int | None]:
    with app.state.sessionmaker() as session:
        handoff = session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)).one()
        return session.get(Conversation, conversation_id).state.value, handoff.status.value, handoff.agent_id


def test_the_handoff_is_stored_before_routing_and_the_answer_shows_every_line(database_url, monkeypatch):
    app, engine = desk_app(database_url)
    with app.state.sessionmaker() as session:
        anna_id = agent(session, "anna").id
        session.commit()
    conversation_id = a_customer_asking_for_a_person(app)
    seen_by_others = []
    react = routing.react

    def routing_that_looks_first(work):
        seen_by_others.append(stored(app, conversation_id))  # another connection: what is committed already
        react(work)

    monkeypatch.setattr(routing, "react", routing_that_looks_first)
    answer, pushes = transact(app, bot_hands_off(conversation_id), routing=True)
    assert seen_by_others == [("queued", "queued", None)]
    assert stored(app, conversation_id) == ("agent", "assigned", anna_id)
    assert [r["text"] for r in answer["replies"]] == [
        "Ik verbind je door met een collega.",
        "Anna van de klantenservice helpt je nu verder. Je hoeft niets te herhalen: Anna ziet ons hele gesprek."]
    assert answer["state"] == "agent" and answer["agent_name"] == "Anna"
    to_agents = [p["payload"]["type"] for p in pushes if p["to"] == "agents"]
    assert to_agents.count("new_handoff") == 1 and to_agents.count("assigned") == 1
    to_customer = [p["payload"] for p in pushes if p["to"] == "customer"]
    assert [p["state"] for p in to_customer if p["type"] == "state"] == ["agent"]
    engine.dispose()


def test_when_the_follow_up_fails_the_customer_stays_in_line_and_the_periodic_check_serves_her(database_url,
                                                                                              monkeypatch):
    app, engine = desk_app(database_url)
    with app.state.sessionmaker() as session:
        anna_id = agent(session, "anna").id
        session.commit()
    conversation_id = a_customer_asking_for_a_person(app)

    def database_gone(work):
        raise OperationalError("UPDATE desk_locks", {}, Exception("server closed the connection"))

    monkeypatch.setattr(routing, "react", database_gone)
    answer, pushes = transact(app, bot_hands_off(conversation_id), routing=True)
    assert stored(app, conversation_id) == ("queued", "queued", None)  # nothing of the handoff is lost
    assert [r["text"] for r in answer["replies"]] == ["Ik verbind je door met een collega."]
    assert answer["state"] == "queued" and answer["queue_position"] == 1
    assert "new_handoff" in [p["payload"]["type"] for p in pushes if p["to"] == "agents"]
    monkeypatch.undo()

    assert transact(app, periodic._still_waiting)[0] is False  # just made: its own follow-up may still come
    waited(app, conversation_id, minutes=1)
    assert transact(app, periodic._still_waiting)[0] is True
    assert stored(app, conversation_id) == ("agent", "assigned", anna_id)
    with app.state.sessionmaker() as session:
        last = session.scalars(select(Message).where(Message.conversation_id == conversation_id)
                               .order_by(Message.seq.desc())).first()
        assert last.text == "Anna van de klantenservice helpt je nu verder."
    assert transact(app, periodic._still_waiting)[0] is False  # nobody waits any more
    engine.dispose()


def waited(app, conversation_id: str, *, minutes: int) -> None:
    """The handoff was made `minutes` ago."""
    with app.state.sessionmaker() as session:
        session.execute(update(Handoff).where(Handoff.conversation_id == conversation_id)
                        .values(created_at=utcnow() - timedelta(minutes=minutes)))
        session.commit()


def test_the_periodic_offers_leave_a_new_handoff_to_its_own_follow_up(database_url, monkeypatch):
    """Between the handoff's commit and its follow-up the periodic work may run (another thread, another
    replica): it offers no callback to that customer, who first hears where they stand, then the offer, once."""
    app, engine = desk_app(database_url)
    with app.state.sessionmaker() as session:
        agent(session, "anna", status="away")  # nobody online: the customer is offered a callback
        session.commit()
    conversation_id = a_customer_asking_for_a_person(app)
    follow_up = Work.follow_up
    offered_in_between = []

    def periodic_slips_in(work):
        offered_in_between.append(transact(app, periodic._offer_callbacks)[0])
        return follow_up(work)

    monkeypatch.setattr(Work, "follow_up", periodic_slips_in)
    answer, _ = transact(app, bot_hands_off(conversation_id), routing=True)
    monkeypatch.undo()
    assert offered_in_between == [0]
    assert [r["text"] for r in answer["replies"]] == [
        "Ik verbind je door met een collega.", "Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek.",
        "Er is op dit moment helaas geen collega beschikbaar in de chat. Wil je dat we je terugbellen of mailen op "
        "een moment dat jou past?"]
    waited(app, conversation_id, minutes=1)
    assert transact(app, periodic._offer_callbacks)[0] == 0  # offered once
    engine.dispose()


def test_the_periodic_check_leaves_the_line_alone_while_nobody_has_room(database_url):
    app, engine = desk_app(database_url)
    with app.state.sessionmaker() as session:
        agent(session, "anna", status="away")
        session.commit()
    conversation_id = a_customer_asking_for_a_person(app)
    transact(app, bot_hands_off(conversation_id), routing=True)
    waited(app, conversation_id, minutes=1)
    assert transact(app, periodic._still_waiting)[0] is False
    assert stored(app, conversation_id) == ("queued", "queued", None)
    engine.dispose()
