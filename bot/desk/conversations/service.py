"""Conversations: creation, customer tokens, messages and state transitions (with an audit event)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.conversations.models import STATES, Conversation, ConversationEvent, Message


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_conversation(session: Session) -> tuple[Conversation, str]:
    token = secrets.token_urlsafe(32)
    conversation = Conversation(id=secrets.token_hex(16), token_hash=_hash_token(token), state="bot", offered_payloads=[])
    session.add(conversation)
    session.flush()
    record_event(session, conversation=conversation, kind="created", actor="customer")
    return conversation, token


def authenticate(session: Session, *, conversation_id: str, token: str | None) -> Conversation | None:
    """The conversation when the customer's token matches, else None (same answer for unknown ids)."""
    if not token or len(conversation_id) > 64:
        return None
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not hmac.compare_digest(conversation.token_hash, _hash_token(token)):
        return None
    return conversation


def add_message(
    session: Session,
    *,
    conversation: Conversation,
    sender: str,
    text: str,
    buttons: list[dict[str, str]] | None = None,
    agent_name: str | None = None,
) -> Message:
    message = Message(conversation_id=conversation.id, sender=sender, text=text, buttons=buttons or None,
                      agent_name=agent_name)
    session.add(message)
    session.flush()
    return message


def system_message(session: Session, *, conversation: Conversation, text: str,
                   buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A desk message to the customer; its buttons become the only payloads the customer may send next."""
    message = add_message(session, conversation=conversation, sender="system", text=text, buttons=buttons)
    conversation.offered_payloads = [b["payload"] for b in buttons or []]
    return message.to_json()


def list_messages(session: Session, *, conversation_id: str, include_notes: bool = False) -> list[Message]:
    """The conversation's messages; agents' internal notes only when asked (never for customers)."""
    query = select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    if not include_notes:
        query = query.where(Message.sender != "note")
    return list(session.scalars(query))


def record_event(
    session: Session, *, conversation: Conversation, kind: str, actor: str,
    from_state: str | None = None, to_state: str | None = None, data: dict[str, Any] | None = None,
) -> None:
    session.add(ConversationEvent(conversation_id=conversation.id, kind=kind, actor=actor,
                                  from_state=from_state, to_state=to_state, data=data))


def transition(session: Session, *, conversation: Conversation, to_state: str, actor: str,
               data: dict[str, Any] | None = None) -> None:
    """The one place a conversation changes state; writes the audit event."""
    if to_state not in STATES:
        raise ValueError(f"unknown state {to_state}")
    from_state = conversation.state
    conversation.state = to_state
    record_event(session, conversation=conversation, kind="state", actor=actor,
                 from_state=from_state, to_state=to_state, data=data)
