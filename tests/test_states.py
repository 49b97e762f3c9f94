"""The conversation's owner changes in one place, by allowed steps, with routing under its lock."""
from __future__ import annotations

import pytest

from bot.desk.conversations import service as conversations
from bot.desk.conversations.states import ALLOWED, Awaiting, State, TransitionError
from bot.desk.db import make_engine, make_sessionmaker
from bot.desk.work import LockOrderError, Work
from tests.work_support import work_for


@pytest.fixture
def session(tmp_path):
    from tests.conftest import fresh_schema

    engine = make_engine(fresh_schema(f"sqlite:///{tmp_path / 'desk.db'}"))
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def test_every_state_can_be_left_and_no_state_steps_to_itself():
    assert set(ALLOWED) == set(State)
    assert all(targets and state not in targets for state, targets in ALLOWED.items())


def test_a_step_that_is_not_allowed_is_refused_and_writes_nothing(session):
    conversation, _ = conversations.start_conversation(session)
    work = work_for(session)
    with pytest.raises(TransitionError):
        conversations.transition(work, conversation=conversation, to=State.AGENT, actor="test")
    assert conversation.state == "bot"


def test_entering_the_queue_needs_the_routing_lock_taken_first(session):
    conversation, _ = conversations.start_conversation(session)
    app = work_for(session).app
    work = Work(session, app)
    with pytest.raises(TransitionError, match="routing lock"):
        conversations.transition(work, conversation=conversation, to=State.QUEUED, actor="test")
    conversations.add_message(work, conversation=conversation, sender="customer", text="hoi")
    with pytest.raises(LockOrderError):  # after writing to a conversation it is too late: two waits could cross
        work.lock_routing()


def test_leaving_a_state_ends_its_customer_sub_state_and_is_audited(session):
    conversation, _ = conversations.start_conversation(session)
    work = work_for(session)
    conversations.transition(work, conversation=conversation, to=State.CLOSED, actor="bot")
    conversations.await_answer(work, conversation, Awaiting.SOLVED)
    with pytest.raises(TransitionError):
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_SLOT)  # belongs to the queue
    conversations.transition(work, conversation=conversation, to=State.BOT, actor="customer")
    assert conversation.awaiting == "nothing" and work.route_pending is False
    conversations.transition(work, conversation=conversation, to=State.QUEUED, actor="bot")
    assert work.route_pending is True
