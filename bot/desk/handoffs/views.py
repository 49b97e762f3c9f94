"""Handoffs for agents: the queue, a handoff's context, claiming, replying, notes, transfers, hand-back and
resolving. Each view parses the request and calls one flow or service function (handoffs/flows.py,
handoffs/service.py); refusals become HTTP answers in deps.refused."""
from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Query, Request

from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn
from bot.desk.deps import Input, RowId, clean_text, db, typed
from bot.desk.handoffs import flows, service
from bot.desk.transaction import perform

router = APIRouter(tags=["handoffs"])


class ReplyIn(Input):
    text: typed(4000)


class TransferIn(Input):
    to: typed(64)  # the colleague's username
    note: typed(2000, may_be_empty=True) = ""


def _read(request: Request, read, **kwargs):
    with db(request) as session:
        return read(session, **kwargs)


@router.get("/api/handoffs", responses={401: {}})
def list_handoffs(request: Request, agent: Agent = SignedIn) -> dict:
    return _read(request, service.lists, agent=agent)


@router.get("/api/handoffs/{handoff_id}", responses={401: {}, 404: {}})
def handoff_detail(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    return _read(request, service.detail, handoff_id=handoff_id)


@router.get("/api/handoffs/{handoff_id}/messages", responses={401: {}, 404: {}})
def handoff_messages(handoff_id: RowId, request: Request, agent: Agent = SignedIn,
                     after: int = Query(0, ge=0, le=10**9)) -> dict:
    """The transcript after the last sequence number the console saw (resume after a reconnect)."""
    return _read(request, service.messages_after, handoff_id=handoff_id, after=after)


@router.post("/api/handoffs/{handoff_id}/claim", responses={401: {}, 404: {}, 409: {}})
async def claim(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    conversation_id = await perform(request.app, flows.claim, handoff_id, agent.id, routing=True)
    return {"ok": True, "conversation_id": conversation_id}


@router.post("/api/handoffs/{handoff_id}/messages", responses={401: {}, 404: {}, 409: {}, 413: {}, 422: {}})
async def agent_reply(handoff_id: RowId, body: ReplyIn, request: Request, agent: Agent = SignedIn) -> dict:
    text = clean_text(body.text, max_chars=4000)
    return {"message": await perform(request.app, flows.reply, handoff_id, agent.id, text)}


@router.post("/api/handoffs/{handoff_id}/notes", responses={401: {}, 404: {}, 413: {}, 422: {}})
async def add_note(handoff_id: RowId, body: ReplyIn, request: Request, agent: Agent = SignedIn) -> dict:
    """An internal note on the conversation: colleagues see it, the customer never does."""
    text = clean_text(body.text, max_chars=4000)
    return {"message": await perform(request.app, flows.note, handoff_id, agent.id, text)}


@router.post("/api/handoffs/{handoff_id}/transfer", responses={401: {}, 404: {}, 409: {}, 422: {}})
async def transfer(handoff_id: RowId, body: TransferIn, request: Request, agent: Agent = SignedIn) -> dict:
    """Hand the conversation to a colleague who is not offline and has room, with a note for them."""
    note_text = clean_text(body.note, max_chars=2000) if body.note.strip() else ""
    await perform(request.app, flows.transfer, handoff_id, agent.id, body.to, note_text, routing=True)
    return {"ok": True}


@router.get("/api/agents", responses={401: {}})
def colleagues(request: Request, agent: Agent = SignedIn) -> dict:
    """Colleagues to transfer to, with their status and load."""
    return {"agents": _read(request, service.colleagues, demo_mode=request.app.state.settings.demo_mode)}


@router.post("/api/handoffs/{handoff_id}/handback", responses={401: {}, 404: {}, 409: {}, 502: {}})
async def hand_back(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    """The bot takes over again and learns what happened while a person had the conversation."""
    replies = await flows.hand_back(partial(perform, request.app), request.app.state.bot, handoff_id=handoff_id,
                                    agent_id=agent.id)
    return {"ok": True, "replies": replies}


@router.post("/api/handoffs/{handoff_id}/resolve", responses={401: {}, 404: {}, 409: {}})
async def resolve(handoff_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    """Closed, and the customer is asked whether the problem is solved (P10). The next waiting customer
    is routed right after, without anyone clicking."""
    await perform(request.app, flows.resolve, handoff_id, agent.id, routing=True)
    return {"ok": True}
