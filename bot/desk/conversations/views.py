"""The customer API: start a conversation, send and read messages, WebSocket push."""
from __future__ import annotations

from functools import partial
from typing import Any, Optional

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import BaseModel, constr
from starlette.concurrency import run_in_threadpool

from bot import identity
from bot.config import SHOP_ORIGINS_SETTING
from bot.desk import demo_page, wording
from bot.desk.conversations import flows, service
from bot.desk.deps import Input, bearer, clean_text, db, typed
from bot.desk.security import client_address, origin_allowed, own_origin
from bot.desk.transaction import perform
from bot.identity import Customer

router = APIRouter(tags=["customer"])
CLIENT_KEY = r"^[A-Za-z0-9_-]{8,64}$"  # the widget's own id for a message (body or Idempotency-Key)
IDEMPOTENCY_HEADER = "Idempotency-Key"  # what nginx looks at to retry a message on another desk


class NewConversation(Input):
    # The shop's signed token for a logged-in customer (README, "Logged-in customers"); ignored when not valid.
    identity: Optional[constr(strict=True, max_length=2000)] = None


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str


class MessageIn(Input):
    text: typed(None)  # at most MAX_MESSAGE_CHARS (413 beyond), as this desk's /openapi.json says
    payload: Optional[constr(strict=True, max_length=200)] = None  # only a button the bot offered here
    # The widget's own id for this message (8-64 letters, digits, - or _): a retry is stored once.
    client_key: Optional[constr(strict=True, regex=CLIENT_KEY)] = None


class Reply(BaseModel):
    id: Optional[int] = None
    seq: Optional[int] = None
    text: str
    buttons: Optional[list[dict[str, str]]] = None
    sender: str = "bot"


class StateOut(BaseModel):
    state: str
    queue_position: Optional[int] = None
    estimated_wait_minutes: Optional[int] = None
    estimate_is_rough: Optional[bool] = None
    agents_available: Optional[bool] = None
    agent_name: Optional[str] = None
    status_text: Optional[str] = None  # the line the widget shows while a person is involved
    subtitle: Optional[str] = None  # under the widget's title while a person is involved
    # The button payloads the desk accepts now; the widget removes every other button it shows.
    valid_payloads: list[str] = []


class MessageOut(StateOut):
    message_id: Optional[int] = None  # the customer's stored message
    seq: Optional[int] = None  # its sequence number
    replies: list[Reply]


class HistoryOut(StateOut):
    messages: list[dict[str, Any]]
    last_seq: int


class SiteOut(BaseModel):
    allowed: bool
    origin: Optional[str] = None
    text: Optional[str] = None  # what the customer reads when it is not allowed
    setting: Optional[str] = None  # the desk setting the shop's developer adds the site to


@router.get("/api/site", response_model=SiteOut, response_model_exclude_none=True)
async def site(request: Request, response: Response) -> SiteOut:
    """Whether the page asking (its Origin) may use the chat. Readable from any site, so that the widget on a
    site that is not configured can tell "refused" from "no network" (the customer API itself answers such a
    site without CORS headers, which a browser reports as a network error)."""
    response.headers.update({"Access-Control-Allow-Origin": "*", "Vary": "Origin"})
    origin = request.headers.get("origin")
    if origin_allowed(origin, own_origin(request.headers, request.url.scheme), request.app.state.settings.shop_origins):
        return SiteOut(allowed=True)
    return SiteOut(allowed=False, origin=origin, text=wording.SITE_NOT_ALLOWED, setting=SHOP_ORIGINS_SETTING)


def _start(request: Request, customer: Customer | None) -> ConversationCreated:
    with db(request) as session:
        conversation, token = service.start_conversation(session, customer=customer)
    return ConversationCreated(conversation_id=conversation.id, token=token)


@router.post("/api/conversations", status_code=201, response_model=ConversationCreated,
             responses={403: {}, 413: {}, 422: {}, 429: {}})
async def create_conversation(request: Request, body: Optional[NewConversation] = None) -> ConversationCreated:
    """A new conversation. A logged-in customer's shop passes its signed token as `identity`; an invalid or
    expired token is ignored (logged), and the customer is then a guest like any other."""
    settings = request.app.state.settings
    if body is None and (await request.body()).strip():  # JSON null is not "no body"
        raise HTTPException(422, detail="Ongeldig verzoek: stuur een object, of niets.")
    await request.app.state.limits.new_conversation(client_address(request, settings.trusted_proxies))
    customer = identity.verify(body.identity, demo_page.secret(settings, request)) if body and body.identity else None
    return await run_in_threadpool(_start, request, customer)


@router.post("/api/conversations/{conversation_id}/messages", response_model=MessageOut,
             response_model_exclude_none=True, responses={401: {}, 403: {}, 413: {}, 422: {}, 429: {}})
async def post_message(conversation_id: str, body: MessageIn, request: Request,
                       idempotency_key: Optional[str] = Header(
                           None, alias=IDEMPOTENCY_HEADER, regex=CLIENT_KEY,
                           description="the message's client_key again: a message with it is retried on another "
                                       "desk when the first one dies mid-turn")) -> JSONResponse:
    app = request.app
    text = clean_text(body.text, max_chars=app.state.settings.max_message_chars)
    if len(conversation_id) <= 64:
        await app.state.limits.message(conversation_id)
    client_key = message_key(body.client_key, idempotency_key)
    answer = await flows.customer_message(partial(perform, app), app.state.bot, conversation_id=conversation_id,
                                          token=bearer(request), text=text, payload=body.payload,
                                          client_key=client_key)
    return JSONResponse(as_message_out(answer))


def _shaped(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, field in model.__fields__.items()
            if (value := data.get(name, field.default)) is not None}


def as_message_out(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer as `MessageOut` with `exclude_none` gives it (its fields, defaults filled in, no nulls), without
    pydantic checking again what the desk itself made: that took a quarter of a millisecond of every turn."""
    return {**_shaped(MessageOut, answer), "replies": [_shaped(Reply, reply) for reply in answer["replies"]]}


def message_key(in_body: str | None, in_header: str | None) -> str | None:
    """The message's key: the body's `client_key`, else the `Idempotency-Key` header (the widget sends both, the
    same). nginx repeats a message on another desk only when the header is there (bot/nginx.py), and it repeats
    the very same request, so whichever key is taken the repeat finds the stored message; a message with only
    the header must therefore be stored by it."""
    return in_body or in_header


@router.get("/api/conversations/{conversation_id}/messages", response_model=HistoryOut,
            response_model_exclude_none=True, responses={401: {}})
async def get_messages(conversation_id: str, request: Request,
                       after: int = Query(0, ge=0, le=10**9, description="only messages after this sequence number")) -> dict:
    """The conversation from the start, or after the last sequence number the client saw (resume)."""
    return await perform(request.app, flows.history, conversation_id=conversation_id, token=bearer(request), after=after)


def _allowed(app, conversation_id: str, token: str) -> bool:
    with db(app) as session:
        return service.authenticate(session, conversation_id=conversation_id, token=token) is not None


@router.websocket("/api/conversations/{conversation_id}/ws")
async def customer_socket(websocket: WebSocket, conversation_id: str, token: str = "") -> None:
    settings = websocket.app.state.settings
    if not origin_allowed(websocket.headers.get("origin"), own_origin(websocket.headers, "http"), settings.shop_origins):
        await websocket.close(code=4403)  # a page on a site that is not one of the shop's
        return
    if not await run_in_threadpool(_allowed, websocket.app, conversation_id, token):
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
