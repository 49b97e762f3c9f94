"""Where a conversation goes next: bot replies, handovers, the satisfaction check, queue updates.

The views stay thin; these functions own the transactions and the pushes that follow them.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from bot.desk.callbacks import service as callbacks
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation, Message
from bot.desk.deps import db
from bot.desk.handoffs import service as handoffs
from bot.handoff import TranscriptLine, build_context, wait_sentence



def customer_state(app: FastAPI, conversation_id: str) -> dict[str, Any]:
    """The conversation's state with its place in line, read in one session so they agree."""
    with db(app) as session:
        return {"state": session.get(Conversation, conversation_id).state,
                **_queue_info(app, session, conversation_id)}


def queue_info(app: FastAPI, conversation_id: str) -> dict[str, Any]:
    with db(app) as session:
        return _queue_info(app, session, conversation_id)


def _queue_info(app: FastAPI, session, conversation_id: str) -> dict[str, Any]:
    handoff = handoffs.open_handoff(session, conversation_id=conversation_id)
    if handoff is None or handoff.status != "queued":
        return {}
    position = handoffs.position(session, handoff=handoff)
    if not handoffs.online_agents(session, demo_mode=app.state.settings.demo_mode):
        # Nobody to count on: no estimate rather than a made-up one.
        return {"queue_position": position, "agents_available": False}
    return {"queue_position": position,
            "estimated_wait_minutes": handoffs.estimated_wait_minutes(session, queue_position=position),
            "estimate_is_rough": handoffs.estimate_is_rough(session), "agents_available": True}


async def notify_queue(app: FastAPI) -> None:
    """Every waiting customer hears their new place; agents refresh their queue."""
    with db(app) as session:
        waiting = [(h.conversation_id, i + 1) for i, h in enumerate(handoffs.queue(session))]
        per_place = handoffs.minutes_per_place(session)  # once, not once per waiting customer
        updates = [(cid, pos, handoffs.estimated_wait_minutes(session, queue_position=pos, per_place=per_place))
                   for cid, pos in waiting]
        rough = handoffs.estimate_is_rough(session)
        available = bool(handoffs.online_agents(session, demo_mode=app.state.settings.demo_mode))
    for conversation_id, position, minutes in updates:
        await app.state.hub.to_customer(conversation_id, {
            "type": "state", "state": "queued", "queue_position": position, "agents_available": available,
            "estimated_wait_minutes": minutes if available else None, "estimate_is_rough": rough})
    await app.state.hub.to_agents({"type": "queue_changed"})


def agent_joins(session, *, conversation_id: str, first_name: str) -> dict[str, Any]:
    """The line that tells the customer who took over; returned for pushing after the commit."""
    conversation = session.get(Conversation, conversation_id)
    callbacks.cancel_drafts(session, conversation_id=conversation_id)  # a person is here: no callback needed
    return conversations.system_message(session, conversation=conversation,
                                        text=f"{first_name} van de klantenservice helpt je nu verder.")


async def announce_agent(app: FastAPI, conversation_id: str, message: dict[str, Any]) -> None:
    await app.state.hub.to_customer(conversation_id, {"type": "message", "message": message})
    await push_state(app, conversation_id, "agent")


async def assign_waiting(app: FastAPI) -> None:
    """Route waiting customers to online agents with room, then tell everyone where they stand."""
    settings = app.state.settings
    with db(app) as session:
        assigned = handoffs.auto_assign(session, default_cap=settings.max_chats_per_agent, demo_mode=settings.demo_mode)
        notices = [(h.conversation_id, h.id, agent.id,
                    agent_joins(session, conversation_id=h.conversation_id, first_name=agent.first_name))
                   for h, agent in assigned]
    for conversation_id, handoff_id, agent_id, message in notices:
        await announce_agent(app, conversation_id, message)
        await app.state.hub.to_agents({"type": "assigned", "handoff_id": handoff_id, "agent_id": agent_id})
    await notify_queue(app)


async def push_state(app: FastAPI, conversation_id: str, state: str) -> None:
    await app.state.hub.to_customer(conversation_id, {"type": "state", "state": state, **queue_info(app, conversation_id)})


def _add_bot_replies(session, conversation: Conversation, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stores the bot's replies; their buttons become the only payloads the customer may send next."""
    stored = [conversations.add_message(session, conversation=conversation, sender="bot", text=r["text"],
                                        buttons=r.get("buttons")).to_json() for r in replies]
    conversation.offered_payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    return stored


async def _push_bot_replies(app: FastAPI, conversation_id: str, stored: list[dict[str, Any]], state: str,
                            push: bool = False) -> None:
    """Once a person is involved, the widget and the agents see the bot's replies live."""
    if push or state != "bot":
        for message in stored:
            await app.state.hub.to_customer(conversation_id, {"type": "message", "message": message})
    if state != "bot":
        await app.state.hub.to_agents({"type": "message", "conversation_id": conversation_id, "messages": stored})


async def store_bot_replies(app: FastAPI, conversation_id: str, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot's replies outside a customer turn (hand-back): stored, pushed to the widget, returned."""
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        stored = _add_bot_replies(session, conversation, replies)
        state = conversation.state
    await _push_bot_replies(app, conversation_id, stored, state, push=True)
    return [reply_of(m) for m in stored]


def _record_nlu(message: Message, nlu: dict[str, Any]) -> None:
    """Keeps what the NLU made of a customer message with it (inbox and reports)."""
    message.intent = str(nlu.get("intent") or "")[:80] or None
    message.confidence = nlu.get("confidence")
    message.response_key = (str(nlu["response_key"])[:80] if nlu.get("response_key") else None)
    message.response_confidence = nlu.get("response_confidence")


async def finish_bot_turn(app: FastAPI, conversation_id: str, message_id: int, replies: list[dict[str, Any]],
                          nlu: dict[str, Any] | None) -> dict[str, Any]:
    """After Rasa answered, in one transaction: the NLU result, the bot's replies, and what the customer
    sees next. That is everything stored after their message, in order (the bot's replies and any desk
    notice such as "Sanne helpt je nu verder", pushed before the widget's socket was open), and the
    state with the place in line, read together so that they never contradict each other."""
    with db(app) as session:
        if nlu:
            _record_nlu(session.get(Message, message_id), nlu)
        conversation = session.get(Conversation, conversation_id)
        stored = _add_bot_replies(session, conversation, replies)
        later = session.scalars(select(Message).where(
            Message.conversation_id == conversation_id, Message.id > message_id,
            Message.sender.not_in(("customer", "note"))).order_by(Message.id))
        shown = [reply_of(m.to_json()) for m in later]
        state = conversation.state
        info = {"state": state, **_queue_info(app, session, conversation_id)}
    await _push_bot_replies(app, conversation_id, stored, state)
    return {"replies": shown, **info}


def reply_of(message: dict[str, Any]) -> dict[str, Any]:
    return {"id": message["id"], "text": message["text"], "buttons": message.get("buttons"), "sender": message["sender"]}


def desk_transcript(session, conversation_id: str) -> list[TranscriptLine]:
    return [TranscriptLine(sender=m.sender, text=m.text, at=m.created_at.isoformat() + "Z")
            for m in conversations.list_messages(session, conversation_id=conversation_id)]


async def hand_over_bot_unavailable(app: FastAPI, conversation_id: str, error: str) -> dict[str, Any]:
    """Rasa or the action server is down: keep the message, queue for a person, say so politely."""
    from bot.desk.callbacks import flow  # here, not at the top: the callback flow builds on this module
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        context = build_context(
            conversation_id=conversation_id, reason="bot_unavailable",
            transcript=desk_transcript(session, conversation_id), topics=[], facts={}, bot_actions=[],
            signals=[{"name": "bot_unavailable", "evidence": error[:300]}])
        handoff, _ = handoffs.create_or_get(session, conversation=conversation, context=context, actor="desk")
        sorry = "Excuses, ik kan je op dit moment niet automatisch helpen door een storing. Je bericht is bewaard "
        offer = flow.offer_at_handover(session, app, handoff)
        if offer:  # nobody can help soon: say so instead of a wait estimate, and offer a callback
            text = sorry + "en je hoeft niets te herhalen."
        else:
            position = handoffs.position(session, handoff=handoff)
            minutes = handoffs.estimated_wait_minutes(session, queue_position=position)
            text = (sorry + "en een collega neemt het gesprek van me over; je hoeft niets te herhalen. "
                    + wait_sentence(position, minutes, handoffs.estimate_is_rough(session)))
        stored = [conversations.system_message(session, conversation=conversation, text=text.strip())]
        if offer:
            stored.append(conversations.system_message(session, conversation=conversation, text=offer["text"],
                                                       buttons=offer["buttons"]))
    await assign_waiting(app)
    return {"replies": [reply_of(m) for m in stored], **customer_state(app, conversation_id)}


def ended_notice(app: FastAPI, conversation_id: str) -> dict[str, Any]:
    """A conversation the bot ended after abuse stays closed; the message is kept for the team."""
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        message = conversations.add_message(
            session, conversation=conversation, sender="system",
            text="Dit gesprek is beëindigd. Je bericht is bewaard; wil je verder, begin dan later een nieuw gesprek.")
        stored = message.to_json()
    return {"replies": [reply_of(stored)], "state": "closed"}


def reopen_for_bot(app: FastAPI, conversation_id: str) -> None:
    """A closed conversation in which the customer writes again goes back to the bot."""
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation.state == "closed":
            conversations.transition(session, conversation=conversation, to_state="bot", actor="customer")
