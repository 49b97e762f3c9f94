"""The pushes a transaction causes, derived from its events in one place and published after the commit.
Read inside the transaction, so that they say what it wrote; a push that is lost anyway (a replica dies
between commit and publish) is caught up by the clients (sequence numbers, heartbeat)."""
from __future__ import annotations

from typing import Any

from bot.desk.conversations import offers
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import WITH_THE_TEAM, State, Step
from bot.desk.events import AgentStatusChanged, CallbacksDue, ContextChanged, MessageAdded, Stepped
from bot.desk.handoffs import queue
from bot.desk.handoffs.models import Handoff
from bot.desk.push.hub import Envelope
from bot.desk.push.messages import (AGENTS_CHANGED, ASSIGNED, CALLBACKS_CHANGED, CONTEXT_CHANGED, MESSAGE, NEW_HANDOFF,
                                     QUEUE_CHANGED, STATE)
from bot.desk.work import Work

LISTS_CHANGE = (Step.END, Step.TRANSFER, Step.HAND_BACK, Step.RESOLVE)  # the agents' lists, beside the queue
CALLBACKS_CHANGE = (Step.BOOK_CALLBACK, Step.CALLBACK_DONE)


def of(work: Work) -> list[Envelope]:
    session = work.session
    events = work.events
    conversations = {e.conversation_id: session.get(Conversation, e.conversation_id)
                     for e in events if isinstance(e, (MessageAdded, Stepped))}
    out: list[Envelope] = []
    for event in (e for e in events if isinstance(e, MessageAdded)):
        conversation_id, message = event.conversation_id, event.message
        conversation = conversations[conversation_id]
        if message["sender"] != "note":  # internal notes never reach the customer; with the buttons that stand now
            out.append(_to_customer(conversation_id, {"type": MESSAGE, "message": message,
                                                      "valid_payloads": offers.valid_payloads(conversation) if conversation else []}))
        if message["sender"] == "note" or (conversation is not None and conversation.state in WITH_THE_TEAM):
            out.append(_to_agents({"type": MESSAGE, "conversation_id": conversation_id, "message": message}))
    stepped = [e for e in events if isinstance(e, Stepped)]
    owners = list(dict.fromkeys(e.conversation_id for e in stepped if e.before != e.after or e.step == Step.TRANSFER))
    for conversation_id in owners:  # the widget's status line names who has it now
        conversation = conversations[conversation_id]
        out.append(_to_customer(conversation_id, {"type": STATE, **offers.shown(work, conversation)}))
        out.append(_to_agents({"type": STATE, "conversation_id": conversation_id, "state": conversation.state.value}))
    agents: list[dict[str, Any]] = []
    for event in stepped:
        if event.step == Step.HAND_OFF:
            handoff = session.get(Handoff, event.handoff_id)
            agents.append({"type": NEW_HANDOFF, "handoff_id": handoff.id, "reason": handoff.reason,
                           "priority": handoff.priority})
        elif event.step in (Step.CLAIM, Step.TRANSFER):
            agents.append({"type": ASSIGNED, "handoff_id": event.handoff_id, "agent_id": event.agent_id,
                           "conversation_id": event.conversation_id})
    if any(State.QUEUED in (e.before, e.after) and e.before != e.after for e in stepped):
        for handoff in queue.waiting(session):  # everyone's place in line moved
            if handoff.conversation_id not in owners:
                info = queue.info(work, handoff)
                out.append(_to_customer(handoff.conversation_id, {"type": STATE, **queue.describe(State.QUEUED, info)}))
        agents.append({"type": QUEUE_CHANGED})
    elif any(e.step in LISTS_CHANGE for e in stepped):
        agents.append({"type": QUEUE_CHANGED})
    if any(e.step in CALLBACKS_CHANGE for e in stepped) or any(isinstance(e, CallbacksDue) for e in events):
        agents.append({"type": CALLBACKS_CHANGED})
    for handoff_id in dict.fromkeys(e.handoff_id for e in events if isinstance(e, ContextChanged)):
        handoff = session.get(Handoff, handoff_id)  # ids only: the console reads the card as the agent may see it
        agents.append({"type": CONTEXT_CHANGED, "handoff_id": handoff_id, "conversation_id": handoff.conversation_id})
    if any(isinstance(e, AgentStatusChanged) for e in events):
        agents.append({"type": AGENTS_CHANGED})
    return out + [_to_agents(payload) for payload in agents]


def _to_customer(conversation_id: str, payload: dict[str, Any]) -> Envelope:
    return {"to": "customer", "conversation_id": conversation_id, "payload": payload}


def _to_agents(payload: dict[str, Any]) -> Envelope:
    return {"to": "agents", "payload": payload}
