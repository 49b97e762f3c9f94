"""Handoffs: the action server's intake (shared secret) and the agents' queue and actions."""
from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, StrictStr
from sqlalchemy import select

from bot.desk import routing, satisfaction
from bot.desk.agents.models import Agent
from bot.desk.agents.views import current_agent
from bot.desk.bot_client import BotUnavailable
from bot.desk.callbacks import flow as callback_flow
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.deps import clean_text, db
from bot.desk.handoffs import service
from bot.desk.handoffs.models import Handoff

router = APIRouter(tags=["handoffs"])


class ReplyIn(BaseModel):
    text: StrictStr


class TransferIn(BaseModel):
    to: StrictStr  # the colleague's username
    note: StrictStr = ""


def _summary(session, handoff: Handoff) -> dict[str, Any]:
    agent = session.get(Agent, handoff.agent_id) if handoff.agent_id else None
    return {
        "id": handoff.id, "conversation_id": handoff.conversation_id, "reason": handoff.reason,
        "priority": handoff.priority, "status": handoff.status, "summary": handoff.context.get("summary", ""),
        "waiting_since": handoff.created_at.isoformat() + "Z",
        "agent": agent.first_name if agent else None,
    }


@router.post("/api/internal/handoffs", tags=["internal"])
async def intake(request: Request) -> dict:
    secret = request.app.state.settings.desk_secret
    given = request.headers.get("x-desk-secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        raise HTTPException(401, detail="wrong secret")
    try:
        context = service.validate_context(await request.json())
    except (ValueError, service.InvalidContext) as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    with db(request) as session:
        conversation = session.get(Conversation, str(context.get("conversation_id", "")))
        if conversation is None:
            raise HTTPException(404, detail="unknown conversation")
        if context.get("close"):
            handoff = service.close_for_abuse(session, conversation=conversation, context=context)
            return {"handoff_id": handoff.id, "created": True, "position": None, "estimated_wait_minutes": None}
        handoff, created = service.create_or_get(session, conversation=conversation, context=context, actor="bot")
        position = service.position(session, handoff=handoff)
        answer = {"handoff_id": handoff.id, "created": created, "position": position,
                  "estimated_wait_minutes": service.estimated_wait_minutes(session, queue_position=position),
                  "estimate_is_rough": service.estimate_is_rough(session),
                  "callback_offer": callback_flow.offer_at_handover(session, request.app, handoff) if created else None}
    if created:
        await routing.assign_waiting(request.app)
    return answer


@router.get("/api/handoffs")
async def list_handoffs(request: Request) -> dict:
    with db(request) as session:
        agent = current_agent(request, session)
        return {"queue": [_summary(session, h) for h in service.queue(session)],
                "mine": [_summary(session, h) for h in service.assigned_to(session, agent=agent)],
                "review": [_summary(session, h) for h in service.for_review(session)]}


def _handoff(session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(404, detail="Deze overdracht bestaat niet.")
    return handoff


def _own(session, request: Request, handoff_id: int) -> tuple[Agent, Handoff]:
    agent = current_agent(request, session)
    handoff = _handoff(session, handoff_id)
    if handoff.status != "assigned" or (handoff.agent_id != agent.id and agent.role != "admin"):
        raise HTTPException(409, detail="Dit gesprek is niet aan jou toegewezen.")
    return agent, handoff


@router.get("/api/handoffs/{handoff_id}")
async def handoff_detail(handoff_id: int, request: Request) -> dict:
    with db(request) as session:
        current_agent(request, session)
        handoff = _handoff(session, handoff_id)
        conversation = session.get(Conversation, handoff.conversation_id)
        messages = [m.to_json() for m in conversations.list_messages(
            session, conversation_id=handoff.conversation_id, include_notes=True)]
        return {**_summary(session, handoff), "context": handoff.context, "state": conversation.state,
                "messages": messages}


@router.post("/api/handoffs/{handoff_id}/claim")
async def claim(handoff_id: int, request: Request) -> dict:
    with db(request) as session:
        agent = current_agent(request, session)
        _handoff(session, handoff_id)
        default_cap = request.app.state.settings.max_chats_per_agent
        if not service.room_left(session, agent, default_cap=default_cap):
            raise HTTPException(409, detail=f"Je hebt al {service.cap_of(agent, default_cap)} gesprek(ken) open; "
                                            "rond er eerst een af.")
        if not service.claim(session, handoff_id=handoff_id, agent=agent):
            raise HTTPException(409, detail="Een collega heeft dit gesprek al opgepakt.")
        conversation_id = session.get(Handoff, handoff_id).conversation_id
        stored = routing.agent_joins(session, conversation_id=conversation_id, first_name=agent.first_name)
    await routing.announce_agent(request.app, conversation_id, stored)
    await routing.notify_queue(request.app)
    return {"ok": True, "conversation_id": conversation_id}


@router.post("/api/handoffs/{handoff_id}/messages")
async def agent_reply(handoff_id: int, body: ReplyIn, request: Request) -> dict:
    text = clean_text(body.text, max_chars=4000)
    with db(request) as session:
        agent, handoff = _own(session, request, handoff_id)
        conversation = session.get(Conversation, handoff.conversation_id)
        message = conversations.add_message(session, conversation=conversation, sender="agent", text=text,
                                            agent_name=agent.first_name)
        stored, conversation_id = message.to_json(), conversation.id
    await request.app.state.hub.to_customer(conversation_id, {"type": "message", "message": stored})
    await request.app.state.hub.to_agents({"type": "message", "conversation_id": conversation_id, "message": stored})
    return {"message": stored}


@router.post("/api/handoffs/{handoff_id}/notes")
async def add_note(handoff_id: int, body: ReplyIn, request: Request) -> dict:
    """An internal note on the conversation: colleagues see it, the customer never does."""
    text = clean_text(body.text, max_chars=4000)
    with db(request) as session:
        agent = current_agent(request, session)
        handoff = _handoff(session, handoff_id)
        conversation = session.get(Conversation, handoff.conversation_id)
        note = conversations.add_message(session, conversation=conversation, sender="note", text=text,
                                         agent_name=agent.first_name)
        stored, conversation_id = note.to_json(), conversation.id
    await request.app.state.hub.to_agents({"type": "message", "conversation_id": conversation_id, "message": stored})
    return {"message": stored}


@router.post("/api/handoffs/{handoff_id}/transfer")
async def transfer(handoff_id: int, body: TransferIn, request: Request) -> dict:
    """Hand the conversation to a colleague who is not offline and has room, with a note for them."""
    note_text = clean_text(body.note, max_chars=2000) if body.note.strip() else ""
    with db(request) as session:
        agent, handoff = _own(session, request, handoff_id)
        colleague = session.scalars(select(Agent).where(Agent.username == body.to.strip().lower())).first()
        if colleague is None or not colleague.active or colleague.id == agent.id:
            raise HTTPException(422, detail="Kies een andere, actieve collega.")
        if colleague.status == "offline":
            raise HTTPException(409, detail=f"{colleague.first_name} is offline.")
        if not service.room_left(session, colleague, default_cap=request.app.state.settings.max_chats_per_agent):
            raise HTTPException(409, detail=f"{colleague.first_name} heeft geen ruimte voor nog een gesprek.")
        conversation = service.transfer(session, handoff=handoff, from_agent=agent, to_agent=colleague)
        if note_text:
            conversations.add_message(session, conversation=conversation, sender="note",
                                      text=f"Overgedragen aan {colleague.first_name}: {note_text}", agent_name=agent.first_name)
        notice = conversations.add_message(
            session, conversation=conversation, sender="system",
            text=f"{colleague.first_name} neemt je gesprek over van {agent.first_name}; je hoeft niets te herhalen.")
        stored, conversation_id, colleague_id = notice.to_json(), conversation.id, colleague.id
    await request.app.state.hub.to_customer(conversation_id, {"type": "message", "message": stored})
    await request.app.state.hub.to_agents({"type": "assigned", "handoff_id": handoff_id, "agent_id": colleague_id})
    await request.app.state.hub.to_agents({"type": "queue_changed"})
    return {"ok": True}


@router.get("/api/agents")
async def colleagues(request: Request) -> dict:
    """Colleagues to transfer to, with their status and load."""
    with db(request) as session:
        current_agent(request, session)
        load = service.active_counts(session)
        rows = session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.first_name))
        demo = request.app.state.settings.demo_mode
        return {"agents": [{"username": a.username, "first_name": a.first_name, "status": a.status,
                            "open_chats": load.get(a.id, 0)} for a in rows if demo or not a.is_demo]}


@router.post("/api/handoffs/{handoff_id}/handback")
async def hand_back(handoff_id: int, request: Request) -> dict:
    """The bot takes over again and learns what happened while a person had the conversation."""
    with db(request) as session:
        agent, handoff = _own(session, request, handoff_id)
        conversation_id, first_name = handoff.conversation_id, agent.first_name
        since = handoff.claimed_at or handoff.created_at
        later = [m for m in conversations.list_messages(session, conversation_id=conversation_id)
                 if m.created_at >= since]  # without internal notes
    events: list[dict[str, Any]] = [
        {"event": "bot", "text": m.text, "metadata": {"sender": m.sender, "agent_name": m.agent_name}} for m in later]
    events.append({"event": "slot", "name": "handback_agent", "value": first_name})
    bot = request.app.state.bot
    try:
        await bot.append_events(sender=conversation_id, events=events)
        replies = await bot.trigger_intent(sender=conversation_id, intent="EXTERNAL_handback")
    except BotUnavailable as exc:
        raise HTTPException(502, detail="De bot is nu niet bereikbaar; het gesprek blijft bij jou.") from exc
    with db(request) as session:
        service.close(session, handoff=session.get(Handoff, handoff_id), agent=agent, status="handed_back", to_state="bot")
    shown = await routing.store_bot_replies(request.app, conversation_id, replies)
    await routing.push_state(request.app, conversation_id, "bot")
    await routing.assign_waiting(request.app)  # the agent has room again
    return {"ok": True, "replies": shown}


@router.post("/api/handoffs/{handoff_id}/resolve")
async def resolve(handoff_id: int, request: Request) -> dict:
    """Closed, and the customer is asked whether the problem is solved (P10)."""
    with db(request) as session:
        agent, handoff = _own(session, request, handoff_id)
        conversation = service.close(session, handoff=handoff, agent=agent, status="resolved", to_state="closed")
        stored = satisfaction.ask_if_solved(session, conversation=conversation, agent_name=agent.first_name)
        conversation_id = conversation.id
    await request.app.state.hub.to_customer(conversation_id, {"type": "message", "message": stored})
    await routing.push_state(request.app, conversation_id, "closed")
    await routing.assign_waiting(request.app)  # the next waiting customer, without anyone clicking
    return {"ok": True}
