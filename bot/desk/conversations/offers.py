"""Which of the buttons shown to a customer the desk accepts now, and what a click on one that no longer
stands is told.

The desk keeps what its last message offered (`Conversation.offered_payloads`); whether that offer still
stands follows from where the conversation is now: a callback choice only while the customer waits in line,
a satisfaction button only while the desk awaits that answer, the bot's buttons only while no person is
involved. The widget gets this set with every answer, read and push (`shown`) and keeps only those buttons,
so it holds no state of its own. A button offered earlier and pressed anyway (a push that did not arrive, a
second tab) gets a friendly line; a late rating is kept when that chat has none yet.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.desk import wording
from bot.desk.callbacks import flows as callback_flows
from bot.desk.conversations import satisfaction
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation, Message
from bot.desk.conversations.states import FINAL_CLOSE, Awaiting, State
from bot.desk.handoffs import queue
from bot.desk.work import Work


def valid_payloads(conversation: Conversation) -> list[str]:
    state, awaiting = State(conversation.state), Awaiting(conversation.awaiting)
    return [p for p in conversation.offered_payloads or []
            if _stands(p, state, awaiting, conversation.closed_reason)]


def _stands(payload: str, state: State, awaiting: Awaiting, closed_reason: str | None) -> bool:
    if payload in satisfaction.ANSWERS:
        return state == State.CLOSED and awaiting == satisfaction.ANSWERS[payload]
    if callback_flows.handles(payload):
        return state == State.QUEUED
    return state == State.BOT or (state == State.CLOSED and closed_reason != FINAL_CLOSE)


def shown(work: Work, conversation: Conversation) -> dict[str, Any]:
    """What the widget shows about the conversation besides its messages: who has it (queue.customer_state)
    and the buttons the desk accepts now."""
    return {**queue.customer_state(work, conversation), "valid_payloads": valid_payloads(conversation)}


def ever_offered(work: Work, conversation: Conversation, payload: str) -> bool:
    """Whether a message of this conversation ever carried this button (else it was never the customer's)."""
    rows = work.session.scalars(select(Message.buttons).where(Message.conversation_id == conversation.id))
    return any(payload == b.get("payload") for buttons in rows for b in buttons or [])


def late_click(work: Work, conversation: Conversation, payload: str) -> None:
    """A button that no longer stands: said kindly (a late rating kept), and what stands now stays offered."""
    state = State(conversation.state)
    agent = queue.owner_name(work.session, conversation_id=conversation.id) if state == State.AGENT else None
    if payload in satisfaction.ANSWERS:
        text = satisfaction.late(work, conversation, payload)
    elif callback_flows.handles(payload) and state == State.AGENT:
        text = wording.ALREADY_PICKED_UP
    else:
        text = wording.late_click(agent_name=agent)
    conversations.add_message(work, conversation=conversation, sender="system", text=text)
