"""One state machine for a conversation and its handoff: every allowed step does what the table says, every
other step is refused and changes nothing, and nothing but `conversations.transition` changes either."""
from __future__ import annotations

import ast
import re
from itertools import product

import pytest
from sqlalchemy import select

from bot.config import ROOT
from bot.desk.agents import service as agents
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation, ConversationEvent
from bot.desk.conversations.states import (AWAITING_IN, STEPS, Awaiting, HandoffStatus, State, Step, TransitionError)
from bot.desk.db import DirectChange, make_engine, make_sessionmaker
from bot.desk.events import Stepped
from bot.desk.handoffs.models import Handoff
from bot.desk.work import LockOrderError, Work
from tests.work_support import work_for

TRANSITION_MODULE = "bot/desk/conversations/service.py"
GUARDED = {"state", "status", "agent_id"}
# Assignments to a column of that name on other things (an agent's presence, a callback, a training job):
# (file, the assigned expression). Anything new here must not be a conversation or a handoff.
OTHER_THINGS = {
    ("bot/desk/agents/flows.py", "agent.status"),
    ("bot/desk/callbacks/service.py", "callback.status"), ("bot/desk/callbacks/service.py", "callback.agent_id"),
    ("bot/demo_history.py", "callback.status"), ("bot/demo_history.py", "callback.agent_id"),
    ("bot/desk/editing/training.py", "job.status"),
    ("bot/desk/editing/nlu_report.py", "self.state"),  # the NLU report job's own state, no conversation
}


@pytest.fixture
def session(tmp_path):
    from tests.conftest import fresh_schema

    engine = make_engine(fresh_schema(f"sqlite:///{tmp_path / 'desk.db'}"))
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def situation(session, state: State, status: HandoffStatus | None, *, closed_reason: str | None = None):
    """A stored conversation in `state`, with a stored handoff in `status` (or a new, unsaved one for None)."""
    conversation, _ = conversations.start_conversation(session)
    conversation.closed_reason = closed_reason
    session.flush()
    session.execute(Conversation.__table__.update().where(Conversation.id == conversation.id).values(state=state.value))
    handoff = Handoff(conversation_id=conversation.id, reason="customer_request", priority="normal", priority_rank=2,
                      context={"reason": "customer_request"})
    if status is not None:
        handoff.status = status
        session.add(handoff)
    session.flush()
    session.expire_all()
    conversation = session.get(Conversation, conversation.id)
    return conversation, (session.get(Handoff, handoff.id) if status is not None else handoff)


def test_every_state_and_status_is_reachable_and_the_table_is_consistent():
    reached_states = {s for move in STEPS.values() if move.conversation for s in move.conversation}
    reached_statuses = {s for move in STEPS.values() if move.handoff for s in move.handoff if s is not None}
    assert reached_states == set(State) and reached_statuses == set(HandoffStatus)
    for step, move in STEPS.items():
        assert move.owner in ("agent", "none", "keep"), step
        if move.handoff and move.handoff[0] is None:  # a new handoff starts from the bot, with nobody on it
            assert move.conversation[0] == State.BOT and move.owner == "none", step


@pytest.mark.parametrize("step", list(Step))
def test_every_step_from_every_state_and_status(session, step):
    """All 4 states x 7 handoff situations per step: allowed exactly where the table says, with its effect;
    everywhere else refused, and neither row changed."""
    move = STEPS[step]
    anna = agents.create_agent(session, username=f"anna-{step.value}", first_name="Anna", password="wachtwoord")
    statuses: list[HandoffStatus | None] = [None, *HandoffStatus]
    for state, status in product(State, statuses if move.handoff else [None]):
        conversation, handoff = situation(session, state, status)
        before_agent = handoff.agent_id
        work = work_for(session)
        allowed = (move.conversation is None or move.conversation[0] == state) and \
                  (move.handoff is None or move.handoff[0] == status)
        call = dict(conversation=conversation, step=step, actor="test",
                    handoff=handoff if move.handoff else None, agent=anna if move.owner == "agent" else None)
        if not allowed:
            with pytest.raises(TransitionError):
                conversations.transition(work, **call)
            session.expire_all()
            assert session.get(Conversation, conversation.id).state == state, (step, state, status)
            if status is not None:
                assert session.get(Handoff, handoff.id).status == status, (step, state, status)
            continue
        conversations.transition(work, **call)
        session.flush()
        session.expire_all()
        stored = session.get(Conversation, conversation.id)
        assert stored.state == (move.conversation[1] if move.conversation else state), (step, state, status)
        if move.handoff:
            kept = session.get(Handoff, handoff.id)
            assert kept.status == move.handoff[1], (step, state, status)
            assert kept.agent_id == {"agent": anna.id, "none": None, "keep": before_agent}[move.owner], step
        events = session.scalars(select(ConversationEvent).where(ConversationEvent.conversation_id == conversation.id,
                                                                 ConversationEvent.kind == move.audit)).all()
        assert len(events) == 1 and events[0].actor == "test", step


def test_a_step_with_the_wrong_handoff_or_agent_is_refused(session):
    anna = agents.create_agent(session, username="anna", first_name="Anna", password="wachtwoord")
    conversation, handoff = situation(session, State.QUEUED, HandoffStatus.QUEUED)
    other, foreign = situation(session, State.QUEUED, HandoffStatus.QUEUED)
    work = work_for(session)
    with pytest.raises(TransitionError, match="needs the agent"):
        conversations.transition(work, conversation=conversation, step=Step.CLAIM, handoff=handoff, actor="test")
    with pytest.raises(TransitionError, match="another conversation"):
        conversations.transition(work, conversation=conversation, step=Step.CLAIM, handoff=foreign, agent=anna,
                                 actor="test")
    with pytest.raises(TransitionError, match="needs a handoff"):
        conversations.transition(work, conversation=conversation, step=Step.CLAIM, agent=anna, actor="test")
    with pytest.raises(TransitionError, match="takes no agent"):
        conversations.transition(work, conversation=conversation, step=Step.BOOK_CALLBACK, handoff=handoff, agent=anna,
                                 actor="test")


def test_a_conversation_the_bot_ended_stays_closed(session):
    conversation, _ = situation(session, State.CLOSED, None, closed_reason="abuse")
    with pytest.raises(TransitionError, match="stays closed"):
        conversations.transition(work_for(session), conversation=conversation, step=Step.WRITE_AGAIN, actor="customer")


def test_a_step_on_rows_another_request_changed_meanwhile_is_refused(session):
    """The step only moves the rows if they are still as this transaction read them: two claims of one waiting
    customer (say on two replicas) never both win, and the loser overwrites nothing."""
    anna = agents.create_agent(session, username="anna", first_name="Anna", password="wachtwoord")
    bram = agents.create_agent(session, username="bram", first_name="Bram", password="wachtwoord")
    conversation, handoff = situation(session, State.QUEUED, HandoffStatus.QUEUED)
    session.execute(Handoff.__table__.update().where(Handoff.id == handoff.id)
                    .values(status="assigned", agent_id=bram.id))  # what the other request committed
    with pytest.raises(TransitionError, match="changed meanwhile"):
        conversations.transition(work_for(session), conversation=conversation, step=Step.CLAIM, handoff=handoff,
                                 agent=anna, actor="test")
    session.expire_all()
    assert session.get(Handoff, handoff.id).agent_id == bram.id


def test_a_stored_state_status_or_owner_cannot_be_set_by_hand(session):
    conversation, handoff = situation(session, State.QUEUED, HandoffStatus.QUEUED)
    for row, column, value in ((conversation, "state", State.CLOSED), (handoff, "status", HandoffStatus.RESOLVED),
                               (handoff, "agent_id", 1)):
        with pytest.raises(DirectChange):
            setattr(row, column, value)


def _assigned(target: ast.expr) -> list[ast.Attribute]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [a for element in target.elts for a in _assigned(element)]
    return [target] if isinstance(target, ast.Attribute) else []


# An UPDATE written out: a guarded column of either table in its SET list.
RAW_UPDATE = re.compile(r"UPDATE\s+(conversations|handoffs)\s+SET\s[^;]*?\b(state|status|agent_id)\s*=", re.I | re.S)


def direct_writes(source: str, relative: str) -> list[str]:
    """The writes of a state, a handoff status or an owner in one file: attribute assignments (also in tuples
    and augmented), setattr and set_committed_value, constructor arguments, `.values(...)` and `.update({...})`
    on either table, and UPDATE statements written as text."""
    found = []
    for node in ast.walk(ast.parse(source, relative)):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for attribute in (a for t in targets for a in _assigned(t)):
            if attribute.attr in GUARDED and (relative, ast.unparse(attribute)) not in OTHER_THINGS:
                found.append(f"{relative}:{node.lineno}: {ast.unparse(attribute)} = ...")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_UPDATE.search(node.value):
            found.append(f"{relative}:{node.lineno}: {RAW_UPDATE.search(node.value).group(0)}")
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func)
        if called.split(".")[-1] in ("setattr", "set_committed_value") and len(node.args) > 1 \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value in GUARDED:
            found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
        on_a_guarded_table = any(m in called for m in ("Conversation", "Handoff", "conversations", "handoffs"))
        if called in ("Conversation", "Handoff") or (called.endswith(".values") and on_a_guarded_table):
            names = {k.arg for k in node.keywords} & GUARDED
            if names:
                found.append(f"{relative}:{node.lineno}: {called}({', '.join(sorted(names))}=...)")
        if called.endswith(".update") and on_a_guarded_table and node.args and isinstance(node.args[0], ast.Dict) \
                and {k.value for k in node.args[0].keys if isinstance(k, ast.Constant)} & GUARDED:
            found.append(f"{relative}:{node.lineno}: {called}({{...}})")
    return found


def test_nothing_but_the_transition_writes_a_state_a_handoff_status_or_an_owner():
    """Over the product's source (the bot, the actions, the desk's tools)."""
    found = []
    for path in sorted([*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("actions").rglob("*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        if relative != TRANSITION_MODULE and "/migrations/" not in relative:
            found += direct_writes(path.read_text(), relative)
    assert found == []


def test_the_source_check_finds_every_kind_of_direct_write():
    """The check above is not blind: each line of this sample writes a guarded column, and each is found."""
    sample = [
        "handoff.status = 'resolved'",
        "conversation.state, x = 'bot', 1",
        "row.agent_id += 1",
        "setattr(handoff, 'agent_id', 2)",
        "set_committed_value(conversation, 'state', 'agent')",
        "Handoff(conversation_id='c', status='queued')",
        "session.execute(update(Conversation).where(Conversation.id == 'c').values(state='bot'))",
        "session.query(Handoff).filter_by(id=1).update({'status': 'queued'})",
        "session.execute(text('UPDATE handoffs SET closed_at = NULL, agent_id = 3 WHERE id = 1'))",
    ]
    found = direct_writes("\n".join(sample), "bot/desk/sample.py")
    assert sorted(int(f.split(":")[1]) for f in found) == list(range(1, len(sample) + 1)), found
    # ... and what is no such write stays quiet: other columns, other tables, reading the state.
    quiet = ["callback.note = 'x'", "session.execute(update(Callback).values(status='done'))",
             "Message(state='x')", "if conversation.state == 'bot': pass", "text('UPDATE conversations SET last_seq = 1')"]
    assert direct_writes("\n".join(quiet), "bot/desk/sample.py") == []


def test_entering_the_queue_needs_the_routing_lock_taken_first(session):
    conversation, handoff = situation(session, State.BOT, None)
    work = Work(session, settings=work_for(session).settings, hours=lambda: None)
    with pytest.raises(TransitionError, match="routing lock"):
        conversations.transition(work, conversation=conversation, step=Step.HAND_OFF, handoff=handoff, actor="test")
    conversations.add_message(work, conversation=conversation, sender="customer", text="hoi")
    with pytest.raises(LockOrderError):  # after writing to a conversation it is too late: two waits could cross
        work.lock_routing()


def routes(work: Work) -> bool:
    """Whether routing follows this unit of work (handoffs/routing.react)."""
    return any(isinstance(e, Stepped) and STEPS[e.step].routes for e in work.events)


def test_leaving_a_state_ends_its_customer_sub_state(session):
    conversation, handoff = situation(session, State.AGENT, HandoffStatus.ASSIGNED)
    work = work_for(session)
    conversations.transition(work, conversation=conversation, step=Step.RESOLVE, handoff=handoff, actor="agent:anna")
    conversations.await_answer(work, conversation, Awaiting.SOLVED)
    with pytest.raises(TransitionError):
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_SLOT)  # belongs to the queue
    assert AWAITING_IN[Awaiting.SOLVED] == State.CLOSED and routes(work)  # a seat came free
    work = work_for(session)
    conversations.transition(work, conversation=conversation, step=Step.WRITE_AGAIN, actor="customer")
    assert conversation.awaiting == "nothing" and not routes(work)
    conversations.transition(work, conversation=conversation, step=Step.HAND_OFF, actor="bot",
                             handoff=Handoff(conversation_id=conversation.id, reason="customer_request",
                                             priority="normal", priority_rank=2, context={}))
    assert routes(work)
