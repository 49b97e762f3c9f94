"""Handoffs for agents: the queue, a handoff's context, claiming, replying, notes, transfers,
hand-back and resolving. Views stay thin; every change is one `perform`ed unit of work."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy import select

from bot.desk import satisfaction, wording
from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn
from bot.desk.bot_client import BotUnavailable
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import State
from bot.desk.deps import Input, RowId, clean_text, db, typed
from bot.desk.handoffs import service
from bot.desk.handoffs.models import Handoff
from bot.desk.handoffs.queue import waiting
from bot.desk.work import perform

router = APIRouter(tags=["handoffs"])


class ReplyIn(Input):
    text: typed(4000)


class TransferIn(Input):
    to: typed(64)  # the colleague's username
    note: typed(2000, may_be_empty=True) = ""


def _summary(session, handoff: Handoff) -> dict[str, Any]:
    agent = session.get(Agent, handoff.agent_id) if handoff.agent_id else None
    return {
        "id": handoff.id, "conversation_id": handoff.conversation_id, "reason": handoff.reason,
        "priority": handoff.priority, "status": handoff.status, "summary": handoff.context.get("summary", ""),
        "waiting_since": handoff.created_at.isoformat() + "Z",
        "agent": agent.first_name if agent else None, "agent_id": handoff.agent_id,
    }


@router.get("/api/handoffs", responses={401: {}})
def list_handoffs(request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        return {"queue": [_summary(session, h) for h in waiting(session)],
                "mine": [_summary(session, h) for h in service.assigned_to(session, agent=agent)],
                "review": [_summary(session, h) for h in service.for_review(session)]}


def _handoff(session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(404, detail="Deze overdracht bestaat niet.")
    return handoff


def _own(session, agent: Agent, handoff_id: int) -> Handoff:
    handoff = _handoff(session, handoff_id)
    if handoff.status != "assigned" or (handoff.agent_id != agent.id and agent.role != "admin"):
        raise HTTPException(409, detail="Dit gesprek is niet aan jou toegewezen.")
    return handoff


@router.get("/api/handoffs/{handoff_id}", responses={401: {}, 404: {}})
def handoff_detail(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        handoff = _handoff(session, handoff_id)
        conversation = session.get(Conversation, handoff.conversation_id)
        messages = [m.to_json() for m in conversations.list_messages(
            session, conversation_id=handoff.conversation_id, include_notes=True)]
        return {**_summary(session, handoff), "context": handoff.context, "state": conversation.state,
                "last_seq": conversation.last_seq, "legal_hold": bool(conversation.legal_hold), "messages": messages}


@router.get("/api/handoffs/{handoff_id}/messages", responses={401: {}, 404: {}})
def handoff_messages(handoff_id: RowId, request: Request, agent: Agent = SignedIn,
                     after: int = Query(0, ge=0, le=10**9)) -> dict:
    """The transcript after the last sequence number the console saw (resume after a reconnect)."""
    with db(request) as session:
        handoff = _handoff(session, handoff_id)
        conversation = session.get(Conversation, handoff.conversation_id)
        return {"messages": [m.to_json() for m in conversations.list_messages(
            session, conversation_id=handoff.conversation_id, include_notes=True, after=after)],
            "state": conversation.state, "status": handoff.status, "last_seq": conversation.last_seq}


def _claim(work, handoff_id: int, agent_id: int) -> str:
    agent = work.session.get(Agent, agent_id)
    _handoff(work.session, handoff_id)
    default_cap = work.settings.max_chats_per_agent
    if not service.room_left(work.session, agent, default_cap=default_cap):
        raise HTTPException(409, detail=f"Je hebt al {service.cap_of(agent, default_cap)} gesprek(ken) open; "
                                        "rond er eerst een af.")
    if not service.claim(work, handoff_id=handoff_id, agent=agent):
        raise HTTPException(409, detail="Een collega heeft dit gesprek al opgepakt.")
    conversation_id = work.session.get(Handoff, handoff_id).conversation_id
    conversations.say(work, work.session.get(Conversation, conversation_id), wording.agent_joins(agent.first_name))
    return conversation_id


@router.post("/api/handoffs/{handoff_id}/claim", responses={401: {}, 404: {}, 409: {}})
async def claim(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    conversation_id = await perform(request.app, _claim, handoff_id, agent.id, routing=True)
    return {"ok": True, "conversation_id": conversation_id}


def _reply(work, handoff_id: int, agent_id: int, text: str) -> dict:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work.session, agent, handoff_id)
    conversation = work.session.get(Conversation, handoff.conversation_id)
    message = conversations.add_message(work, conversation=conversation, sender="agent", text=text,
                                        agent_name=agent.first_name)
    return message.to_json()


@router.post("/api/handoffs/{handoff_id}/messages", responses={401: {}, 404: {}, 409: {}, 413: {}, 422: {}})
async def agent_reply(handoff_id: RowId, body: ReplyIn, request: Request, agent: Agent = SignedIn) -> dict:
    text = clean_text(body.text, max_chars=4000)
    return {"message": await perform(request.app, _reply, handoff_id, agent.id, text)}


def _note(work, handoff_id: int, agent_id: int, text: str) -> dict:
    agent = work.session.get(Agent, agent_id)
    handoff = _handoff(work.session, handoff_id)
    conversation = work.session.get(Conversation, handoff.conversation_id)
    note = conversations.add_message(work, conversation=conversation, sender="note", text=text,
                                     agent_name=agent.first_name)
    return note.to_json()


@router.post("/api/handoffs/{handoff_id}/notes", responses={401: {}, 404: {}, 413: {}, 422: {}})
async def add_note(handoff_id: RowId, body: ReplyIn, request: Request, agent: Agent = SignedIn) -> dict:
    """An internal note on the conversation: colleagues see it, the customer never does."""
    text = clean_text(body.text, max_chars=4000)
    return {"message": await perform(request.app, _note, handoff_id, agent.id, text)}


def _transfer(work, handoff_id: int, agent_id: int, to: str, note_text: str) -> None:
    session = work.session
    agent = session.get(Agent, agent_id)
    handoff = _own(session, agent, handoff_id)
    colleague = session.scalars(select(Agent).where(Agent.username == to.strip().lower())).first()
    if colleague is None or not colleague.active or colleague.id == agent.id:
        raise HTTPException(422, detail="Kies een andere, actieve collega.")
    if colleague.status == "offline":
        raise HTTPException(409, detail=f"{colleague.first_name} is offline.")
    if not service.room_left(session, colleague, default_cap=work.settings.max_chats_per_agent):
        raise HTTPException(409, detail=f"{colleague.first_name} heeft geen ruimte voor nog een gesprek.")
    conversation = service.transfer(work, handoff=handoff, from_agent=agent, to_agent=colleague)
    if note_text:
        conversations.add_message(work, conversation=conversation, sender="note",
                                  text=f"Overgedragen aan {colleague.first_name}: {note_text}", agent_name=agent.first_name)
    conversations.say(work, conversation, wording.transfer(colleague.first_name, agent.first_name))


@router.post("/api/handoffs/{handoff_id}/transfer", responses={401: {}, 404: {}, 409: {}, 422: {}})
async def transfer(handoff_id: RowId, body: TransferIn, request: Request, agent: Agent = SignedIn) -> dict:
    """Hand the conversation to a colleague who is not offline and has room, with a note for them."""
    note_text = clean_text(body.note, max_chars=2000) if body.note.strip() else ""
    await perform(request.app, _transfer, handoff_id, agent.id, body.to, note_text, routing=True)
    return {"ok": True}


@router.get("/api/agents", responses={401: {}})
def colleagues(request: Request, agent: Agent = SignedIn) -> dict:
    """Colleagues to transfer to, with their status and load."""
    with db(request) as session:
        load = service.active_counts(session)
        rows = session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.first_name))
        demo = request.app.state.settings.demo_mode
        return {"agents": [{"username": a.username, "first_name": a.first_name, "status": a.status,
                            "open_chats": load.get(a.id, 0)} for a in rows if demo or not a.is_demo]}


def _handback_events(work, handoff_id: int, agent_id: int) -> tuple[str, list[dict[str, Any]]]:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work.session, agent, handoff_id)
    since = handoff.claimed_at or handoff.created_at
    later = [m for m in conversations.list_messages(work.session, conversation_id=handoff.conversation_id)
             if m.created_at >= since]  # without internal notes
    events: list[dict[str, Any]] = [
        {"event": "bot", "text": m.text, "metadata": {"sender": m.sender, "agent_name": m.agent_name}} for m in later]
    events.append({"event": "slot", "name": "handback_agent", "value": agent.first_name})
    return handoff.conversation_id, events


def _hand_back(work, handoff_id: int, agent_id: int, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work.session, agent, handoff_id)
    conversation = service.close(work, handoff=handoff, agent=agent, status="handed_back", to=State.BOT)
    shown = [conversations.add_message(work, conversation=conversation, sender="bot", text=r["text"],
                                       buttons=r.get("buttons")) for r in replies]
    conversation.offered_payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    return [{"id": m.id, "seq": m.seq, "text": m.text, "buttons": m.buttons, "sender": m.sender} for m in shown]


@router.post("/api/handoffs/{handoff_id}/handback", responses={401: {}, 404: {}, 409: {}, 502: {}})
async def hand_back(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    """The bot takes over again and learns what happened while a person had the conversation."""
    conversation_id, events = await perform(request.app, _handback_events, handoff_id, agent.id)
    bot = request.app.state.bot
    try:
        await bot.append_events(sender=conversation_id, events=events)
        replies = await bot.trigger_intent(sender=conversation_id, intent="EXTERNAL_handback")
    except BotUnavailable as exc:
        raise HTTPException(502, detail="De bot is nu niet bereikbaar; het gesprek blijft bij jou.") from exc
    shown = await perform(request.app, _hand_back, handoff_id, agent.id, replies, routing=True)
    return {"ok": True, "replies": shown}


def _resolve(work, handoff_id: int, agent_id: int) -> None:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work.session, agent, handoff_id)
    conversation = service.close(work, handoff=handoff, agent=agent, status="resolved", to=State.CLOSED)
    satisfaction.ask_if_solved(work, conversation, agent_name=agent.first_name)


@router.post("/api/handoffs/{handoff_id}/resolve", responses={401: {}, 404: {}, 409: {}})
async def resolve(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    """Closed, and the customer is asked whether the problem is solved (P10). The next waiting customer
    is routed in the same transaction, without anyone clicking."""
    await perform(request.app, _resolve, handoff_id, agent.id, routing=True)
    return {"ok": True}
