"""The customer API: start a conversation, send and read messages, WebSocket push."""
from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, StrictStr

from bot.desk import routing, satisfaction
from bot.desk.bot_client import BotUnavailable
from bot.desk.callbacks import flow as callback_flow
from bot.desk.conversations import service
from bot.desk.deps import bearer, clean_text, db

router = APIRouter(tags=["customer"])


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str


class MessageIn(BaseModel):
    text: StrictStr
    payload: Optional[StrictStr] = None  # only the payload of a button the bot offered in this conversation


class Reply(BaseModel):
    id: Optional[int] = None
    text: str
    buttons: Optional[list[dict[str, str]]] = None
    sender: str = "bot"


class MessageOut(BaseModel):
    message_id: Optional[int] = None  # the customer's stored message
    replies: list[Reply]
    state: str
    queue_position: Optional[int] = None
    estimated_wait_minutes: Optional[int] = None
    estimate_is_rough: Optional[bool] = None
    agents_available: Optional[bool] = None


class HistoryOut(BaseModel):
    messages: list[dict[str, Any]]
    state: str
    queue_position: Optional[int] = None
    estimated_wait_minutes: Optional[int] = None
    estimate_is_rough: Optional[bool] = None
    agents_available: Optional[bool] = None


def _authenticated(session, conversation_id: str, token: Optional[str]):
    conversation = service.authenticate(session, conversation_id=conversation_id, token=token)
    if conversation is None:
        raise HTTPException(401, detail="Onbekend gesprek of ongeldige sleutel.")
    return conversation


@router.post("/api/conversations", status_code=201, response_model=ConversationCreated)
async def create_conversation(request: Request) -> ConversationCreated:
    with db(request) as session:
        conversation, token = service.start_conversation(session)
    return ConversationCreated(conversation_id=conversation.id, token=token)


@router.post("/api/conversations/{conversation_id}/messages", response_model=MessageOut,
             response_model_exclude_none=True, responses={401: {}, 413: {}, 422: {}})
async def post_message(conversation_id: str, body: MessageIn, request: Request) -> MessageOut:
    settings = request.app.state.settings
    text = clean_text(body.text, max_chars=settings.max_message_chars)
    with db(request) as session:
        conversation = _authenticated(session, conversation_id, bearer(request))
        if body.payload is not None and body.payload not in (conversation.offered_payloads or []):
            raise HTTPException(422, detail="Deze keuze hoort niet bij dit gesprek.")
        comment = body.payload is None and satisfaction.awaits_comment(conversation)
        callback_contact = body.payload is None and callback_flow.awaits_contact(session, conversation)
        message = service.add_message(session, conversation=conversation, sender="customer", text=text)
        conversation.offered_payloads = []
        state, closed_reason = conversation.state, conversation.closed_reason
        stored = message.to_json()
        message_id = message.id
    def out(data: dict) -> MessageOut:  # every answer names the stored message, so the widget shows it once
        return MessageOut(message_id=message_id, **data)

    # Stored first; from here on nothing the customer wrote can be lost.
    hub = request.app.state.hub
    if state in ("queued", "agent"):
        await hub.to_agents({"type": "message", "conversation_id": conversation_id, "message": stored})
    if body.payload in satisfaction.PAYLOADS:
        return out(await satisfaction.answer(request.app, conversation_id, body.payload))
    if comment:
        return out(await satisfaction.comment(request.app, conversation_id, text))
    if callback_flow.handles(body.payload):
        return out(await callback_flow.answer(request.app, conversation_id, body.payload))
    if callback_contact:
        return out(await callback_flow.contact(request.app, conversation_id, text))
    if state in ("queued", "agent"):
        return out({"replies": [], "state": state, **routing.queue_info(request.app, conversation_id)})
    if state == "closed" and closed_reason == "abuse":
        return out(routing.ended_notice(request.app, conversation_id))
    if state == "closed":
        routing.reopen_for_bot(request.app, conversation_id)
    try:
        turn = await request.app.state.bot.turn(sender=conversation_id, text=text, payload=body.payload)
        replies = turn.replies
        if not replies and not await request.app.state.bot.action_server_ok():
            raise BotUnavailable("action server does not answer")
    except BotUnavailable as exc:
        return out(await routing.hand_over_bot_unavailable(request.app, conversation_id, str(exc)))
    return out(await routing.finish_bot_turn(request.app, conversation_id, message_id, replies, turn.nlu))


@router.get("/api/conversations/{conversation_id}/messages", response_model=HistoryOut,
            response_model_exclude_none=True, responses={401: {}})
async def get_messages(conversation_id: str, request: Request) -> HistoryOut:
    with db(request) as session:
        conversation = _authenticated(session, conversation_id, bearer(request))
        messages = [m.to_json() for m in service.list_messages(session, conversation_id=conversation_id)]
        state = conversation.state
    return HistoryOut(messages=messages, state=state, **routing.queue_info(request.app, conversation_id))


@router.websocket("/api/conversations/{conversation_id}/ws")
async def customer_socket(websocket: WebSocket, conversation_id: str, token: str = "") -> None:
    with db(websocket.app) as session:
        allowed = service.authenticate(session, conversation_id=conversation_id, token=token) is not None
    if not allowed:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    hub = websocket.app.state.hub
    hub.add_customer(conversation_id, websocket)
    try:
        while True:
            await websocket.receive_text()  # the widget only listens; keeps the socket alive
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove_customer(conversation_id, websocket)
