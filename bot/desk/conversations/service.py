"""Conversations: creation, customer tokens, numbered messages, and the one place a state changes."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.conversations.states import ALLOWED, AWAITING_IN, Awaiting, State, TransitionError

if TYPE_CHECKING:
    from bot.desk.work import Work
    from bot.identity import Customer


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_conversation(session: Session, *, customer: "Customer | None" = None) -> tuple[Conversation, str]:
    """A new conversation and the customer's key to it; `customer` only when the shop's token was valid."""
    token = secrets.token_urlsafe(32)
    conversation = Conversation(id=secrets.token_hex(16), token_hash=_hash_token(token), state=State.BOT.value,
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


def _next_seq(work: "Work", conversation_id: str) -> int:
    """Hands out the next sequence number. The first one in a transaction comes from an UPDATE, which
    locks the conversation's row until commit, so two replicas writing to one conversation never get the
    same number and never leave a gap; the rest of the transaction counts on from there and writes the
    last number back once (`Work.envelopes`)."""
    numbers = work.memo.setdefault("seq", {})
    if conversation_id in numbers:
        numbers[conversation_id] += 1
        return numbers[conversation_id]
    session = work.session
    session.execute(update(Conversation).where(Conversation.id == conversation_id)
                    .values(last_seq=Conversation.last_seq + 1).execution_options(synchronize_session=False))
    numbers[conversation_id] = int(session.scalar(select(Conversation.last_seq).where(Conversation.id == conversation_id)))
    work.memo.setdefault("seq_first", {})[conversation_id] = numbers[conversation_id]
    return numbers[conversation_id]


def write_back_sequence_numbers(work: "Work") -> None:
    """The last number handed out in this transaction, where more than one was."""
    first = work.memo.get("seq_first", {})
    for conversation_id, last in work.memo.get("seq", {}).items():
        if last != first.get(conversation_id):
            work.session.execute(update(Conversation).where(Conversation.id == conversation_id)
                                 .values(last_seq=last).execution_options(synchronize_session=False))


def add_message(
    work: "Work",
    *,
    conversation: Conversation,
    sender: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    agent_name: str | None = None,
    client_key: str | None = None,
) -> Message:
    work.touched_conversation = True
    message = Message(conversation_id=conversation.id, seq=_next_seq(work, conversation.id), sender=sender,
                      text=text, buttons=buttons or None, agent_name=agent_name, client_key=client_key)
    work.session.add(message)
    work.session.flush()
    work.message_added(conversation.id, message.to_json())
    return message


def say(work: "Work", conversation: Conversation, text: str, buttons: list[dict[str, str]] | None = None) -> Message:
    """A desk message to the customer; its buttons become the only payloads the customer may send next."""
    message = add_message(work, conversation=conversation, sender="system", text=text, buttons=buttons)
    conversation.offered_payloads = [b["payload"] for b in buttons or []]
    return message


def by_client_key(session: Session, *, conversation_id: str, client_key: str) -> Message | None:
    return session.scalars(select(Message).where(Message.conversation_id == conversation_id,
                                                 Message.client_key == client_key)).first()


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


def transition(work: "Work", *, conversation: Conversation, to: State, actor: str,
               data: dict[str, Any] | None = None) -> None:
    """The one place a conversation changes owner: checks the step, writes the audit event, ends a
    sub-state that belongs to the old owner, and has the change pushed and routed.

    Entering the queue or leaving an agent changes who can be served, so routing follows in the same
    transaction (the caller took the routing lock first)."""
    current = State(conversation.state)
    if to == current:
        return
    if to not in ALLOWED[current]:
        raise TransitionError(f"{current.value} -> {to.value} is not a step a conversation can take")
    routes = to == State.QUEUED or current == State.AGENT
    if routes and not work.routing_locked:
        raise TransitionError(f"{current.value} -> {to.value} routes: take the routing lock first")
    work.touched_conversation = True
    conversation.state = to.value
    if to != State.AGENT:
        conversation.agent_id = None
    if AWAITING_IN.get(Awaiting(conversation.awaiting)) not in (None, to):
        conversation.awaiting = Awaiting.NOTHING.value
    record_event(work.session, conversation=conversation, kind="state", actor=actor, from_state=current.value,
                 to_state=to.value, data=data)
    work.state_changed(conversation.id)
    if State.QUEUED in (current, to):
        work.queue_changed()
    if routes:
        work.route_pending = True


def await_answer(work: "Work", conversation: Conversation, awaiting: Awaiting) -> None:
    """The desk asked the customer something it will answer itself (satisfaction, callback)."""
    owner = AWAITING_IN.get(awaiting)
    if owner is not None and owner.value != conversation.state:
        raise TransitionError(f"cannot await {awaiting.value} while {conversation.state}")
    work.touched_conversation = True
    conversation.awaiting = awaiting.value
