"""Conversations: creation, customer tokens, numbered messages, and the one place where a conversation's state
and its handoff's status change (`transition`)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import bindparam, insert, select, text as sql, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from bot.desk.agents.models import Agent
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.conversations.states import (AWAITING_IN, FINAL_CLOSE, STEPS, Awaiting, HandoffStatus, Move, State, Step,
                                           TransitionError)
from bot.desk.db import utcnow
from bot.desk.events import MessageAdded, Stepped
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Work
from bot.identity import Customer


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_conversation(session: Session, *, customer: Customer | None = None,
                       token: str | None = None) -> tuple[Conversation, str]:
    """A new conversation and the customer's key to it; `customer` only when the shop's token was valid. `token`:
    the key, when a channel without a browser to keep it makes it itself (from the sender's address and the
    channel's secret, so that it presents the same key with every message)."""
    token = token or secrets.token_urlsafe(32)
    conversation = Conversation(id=secrets.token_hex(16), token_hash=_hash_token(token), state=State.BOT,
                                awaiting=Awaiting.NOTHING.value, offered_payloads=[], last_seq=0,
                                customer_id=customer.id if customer else None,
                                customer_email=customer.email if customer else None,
                                customer_name=(customer.name or "")[:120] or None if customer else None)
    session.add(conversation)
    session.flush()
    record_event(session, conversation=conversation, kind="created", actor="customer")
    return conversation, token


def authenticate(session: Session, *, conversation_id: str, token: str | None) -> Conversation | None:
    """The conversation when the customer's token matches, else None (same answer for unknown ids)."""
    if not token or len(conversation_id) > 64 or len(token) > 128:
        return None
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not hmac.compare_digest(conversation.token_hash, _hash_token(token)):
        return None
    return conversation


def authenticate_with_earlier(session: Session, *, conversation_id: str, token: str | None,
                              client_key: str) -> tuple[Conversation | None, Message | None]:
    """`authenticate`, and the conversation's message with this client key if it has one, in one query (a
    customer's message, every turn). Neither when the token does not match."""
    if not token or len(conversation_id) > 64 or len(token) > 128:
        return None, None
    row = session.execute(_WITH_EARLIER, {"id": conversation_id, "key": client_key}).first()
    if row is None or not hmac.compare_digest(row[0].token_hash, _hash_token(token)):
        return None, None
    return row[0], row[1]


# Built once: making a select and its cache key anew took ~0.4 ms a turn (py-spy); the compiled form is cached.
_WITH_EARLIER = select(Conversation, Message).outerjoin(
    Message, (Message.conversation_id == Conversation.id) & (Message.client_key == bindparam("key"))).where(
    Conversation.id == bindparam("id"))
_CONVERSATION_AND_MESSAGE = select(Conversation, Message).where(
    Conversation.id == bindparam("id"), Message.id == bindparam("message_id"), Message.conversation_id == Conversation.id)


def _next_seq(work: Work, conversation: Conversation) -> int:
    """Hands out the next sequence number. The first one in a transaction comes from an UPDATE, which locks the
    conversation's row until commit, so two replicas writing to one conversation never get the same number
    and never leave a gap; the rest of the transaction counts on from there (written with the next flush)."""
    numbered = work.memo.setdefault("numbered", set())
    if conversation.id in numbered:
        conversation.last_seq += 1
        return conversation.last_seq
    number = work.session.execute(_NEXT_SEQ, {"id": conversation.id, "now": utcnow()}).scalar_one()
    set_committed_value(conversation, "last_seq", number)
    numbered.add(conversation.id)
    return number


_NEXT_SEQ = sql("UPDATE conversations SET last_seq = last_seq + 1, updated_at = :now WHERE id = :id RETURNING last_seq")


def add_message(
    work: Work,
    *,
    conversation: Conversation,
    sender: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    agent_name: str | None = None,
    client_key: str | None = None,
) -> Message:
    work.touched_conversation = True
    session = work.session
    values = dict(conversation_id=conversation.id, seq=_next_seq(work, conversation), sender=sender, text=text,
                  buttons=buttons or None, agent_name=agent_name, client_key=client_key, created_at=utcnow(),
                  intent=None, confidence=None, response_key=None, response_confidence=None)
    session.flush()  # what this transaction changed before is written first, as when one flush wrote both
    # A plain INSERT, and the row taken into the session as stored: the ORM's flush of one new row cost
    # ~0.3 ms (py-spy), more than the statement.
    message = Message(id=session.execute(_INSERT_MESSAGE, values).inserted_primary_key[0], **values)
    make_transient_to_detached(message)
    session.add(message)
    work.record(MessageAdded(conversation.id, message.to_json()))
    return message


_INSERT_MESSAGE = insert(Message)


def record_nlu(session: Session, message: Message, nlu: dict[str, Any]) -> None:
    """Keeps what the NLU made of a customer message with it (inbox and reports)."""
    values = {"intent": str(nlu.get("intent") or "")[:80] or None, "confidence": nlu.get("confidence"),
              "response_key": str(nlu["response_key"])[:80] if nlu.get("response_key") else None,
              "response_confidence": nlu.get("response_confidence")}
    session.execute(_RECORD_NLU, {"message_id": message.id, **{"nlu_" + key: value for key, value in values.items()}})
    for key, value in values.items():  # the loaded row follows without a read (and without a flush)
        set_committed_value(message, key, value)


_RECORD_NLU = update(Message).where(Message.id == bindparam("message_id")).values(
    intent=bindparam("nlu_intent"), confidence=bindparam("nlu_confidence"),
    response_key=bindparam("nlu_response_key"), response_confidence=bindparam("nlu_response_confidence"))


def say(work: Work, conversation: Conversation, text: str, buttons: list[dict[str, str]] | None = None) -> Message:
    """A desk message to the customer; its buttons become the only payloads the customer may send next."""
    message = add_message(work, conversation=conversation, sender="system", text=text, buttons=buttons)
    conversation.offered_payloads = [b["payload"] for b in buttons or []]
    return message


def conversation_and_message(session: Session, *, conversation_id: str, message_id: int) -> tuple[Conversation, Message]:
    """A conversation and one of its messages, read fresh in one query (a turn's second transaction)."""
    return tuple(session.execute(_CONVERSATION_AND_MESSAGE, {"id": conversation_id, "message_id": message_id})
                 .one())  # type: ignore[return-value]


def list_messages(session: Session, *, conversation_id: str, include_notes: bool = False, after: int = 0) -> list[Message]:
    """The conversation's messages after sequence number `after`; internal notes only when asked (never
    for customers)."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.seq > after).order_by(Message.seq)
    if not include_notes:
        query = query.where(Message.sender != "note")
    return list(session.scalars(query))


def replies_after(session: Session, *, message: Message) -> list[Message]:
    """What the customer was shown after their message, up to their next one (bot replies, desk notices)."""
    later = list_messages(session, conversation_id=message.conversation_id, after=message.seq)
    shown = []
    for m in later:
        if m.sender == "customer":
            break
        shown.append(m)
    return shown


def record_event(
    session: Session, *, conversation: Conversation, kind: str, actor: str,
    from_state: str | None = None, to_state: str | None = None, data: dict[str, Any] | None = None,
) -> None:
    session.add(ConversationEvent(conversation_id=conversation.id, kind=kind, actor=actor,
                                  from_state=from_state, to_state=to_state, data=data))


def transition(work: Work, *, conversation: Conversation, step: Step, actor: str, handoff: Handoff | None = None,
               agent: Agent | None = None, data: dict[str, Any] | None = None) -> None:
    """The one place where a conversation's state, its handoff's status and the handoff's agent change, by a
    step of `STEPS`. Checks the step against where both are, writes them (each only if nobody changed it
    meanwhile: another request that got there first makes this one fail, not overwrite), ends a customer
    sub-state that belonged to the old state, writes the audit row, and records the step (routing, the
    customer's "who helps you" and the pushes follow from it after the commit; see transaction.py).

    `handoff`: the handoff the step moves (a new, unsaved one for HAND_OFF and END); `agent`: who takes it
    (CLAIM, TRANSFER, CALLBACK_DONE)."""
    move = STEPS[step]
    before = State(conversation.state)
    if move.conversation is not None and before != move.conversation[0]:
        raise TransitionError(f"{step.value}: the conversation is {before.value}, not {move.conversation[0].value}")
    after = move.conversation[1] if move.conversation is not None else before
    if before == State.CLOSED and after != State.CLOSED and conversation.closed_reason == FINAL_CLOSE:
        raise TransitionError(f"{step.value}: the bot ended this conversation; it stays closed")
    if (move.handoff is None) != (handoff is None):
        raise TransitionError(f"{step.value}: {'needs a handoff' if handoff is None else 'moves no handoff'}")
    if handoff is not None and handoff.conversation_id != conversation.id:
        raise TransitionError(f"{step.value}: handoff {handoff.id} belongs to another conversation")
    if (move.owner == "agent") != (agent is not None):
        raise TransitionError(f"{step.value}: {'needs the agent who takes it' if agent is None else 'takes no agent'}")
    if move.needs_routing_lock and not work.routing_locked:
        raise TransitionError(f"{step.value} changes who serves whom: take the routing lock first")
    work.touched_conversation = True
    now = utcnow()
    previous_agent = handoff.agent_id if handoff is not None else None
    if move.handoff is not None:
        _move_handoff(work.session, handoff, move, step, agent, now)
    if after != before:
        values: dict[str, Any] = {"state": after, "closed_reason": move.closed_reason}
        if AWAITING_IN.get(Awaiting(conversation.awaiting)) not in (None, after):
            values["awaiting"] = Awaiting.NOTHING.value
        _swap(work.session, conversation, {"state": before}, values)
    record_event(work.session, conversation=conversation, kind=move.audit, actor=actor,
                 from_state=before.value if after != before else None, to_state=after.value if after != before else None,
                 data={**(data or {}), **({"handoff_id": handoff.id} if handoff is not None else {})} or None)
    work.record(Stepped(conversation.id, step, before, after, handoff.id if handoff is not None else None,
                        handoff.agent_id if handoff is not None else None, previous_agent, dict(data or {})))


def _move_handoff(session: Session, handoff: Handoff, move: Move, step: Step, agent: Agent | None, now) -> None:
    expected, status = move.handoff
    if handoff.status != expected:
        raise TransitionError(f"{step.value}: the handoff is {handoff.status}, not {expected}")
    values: dict[str, Any] = {"status": status}
    if move.owner != "keep":
        values["agent_id"] = agent.id if agent is not None else None
    if step == Step.CLAIM:
        values["claimed_at"] = now
    elif status == HandoffStatus.QUEUED and expected is not None:  # back in line: the next claim counts anew
        values.update(claimed_at=None, closed_at=None)
    elif status in (HandoffStatus.RESOLVED, HandoffStatus.HANDED_BACK, HandoffStatus.REVIEW):
        values["closed_at"] = now
    if expected is None:  # a new handoff: it starts here
        for key, value in values.items():
            setattr(handoff, key, value)
        session.add(handoff)
        session.flush()
        return
    _swap(session, handoff, {"status": expected, "agent_id": handoff.agent_id}, values)


def _swap(session: Session, row: Conversation | Handoff, expected: dict[str, Any], values: dict[str, Any]) -> None:
    """UPDATE ... WHERE the row still is as this transaction read it; the loaded object follows without a read."""
    model = type(row)
    conditions = [getattr(model, key) == value if value is not None else getattr(model, key).is_(None)
                  for key, value in expected.items()]
    result = session.execute(update(model).where(model.id == row.id, *conditions).values(**values)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise TransitionError(f"{model.__tablename__} {row.id} changed meanwhile")
    for key, value in values.items():
        set_committed_value(row, key, value)


def await_answer(work: Work, conversation: Conversation, awaiting: Awaiting) -> None:
    """The desk asked the customer something it will answer itself (satisfaction, callback)."""
    owner = AWAITING_IN.get(awaiting)
    if owner is not None and owner.value != conversation.state:
        raise TransitionError(f"cannot await {awaiting.value} while {conversation.state}")
    work.touched_conversation = True
    conversation.awaiting = awaiting.value
