"""Agent login, logout, status and the agents' WebSocket."""
from __future__ import annotations

import asyncio
import json
import logging

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, StrictStr
from starlette.concurrency import run_in_threadpool

from bot.desk.agents import flows, service
from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn
from bot.desk.deps import bearer, db
from bot.desk.security import client_address, origin_allowed, own_origin
from bot.desk.transaction import perform

router = APIRouter(tags=["agent"])
logger = logging.getLogger(__name__)


class LoginIn(BaseModel):
    username: StrictStr
    password: StrictStr


class StatusIn(BaseModel):
    status: StrictStr


def agent_json(agent: Agent) -> dict:
    return {"id": agent.id, "username": agent.username, "first_name": agent.first_name, "role": agent.role,
            "status": agent.status}


def _login(request: Request, username: str, password: str) -> dict | None:
    settings = request.app.state.settings
    with db(request) as session:
        result = service.login(session, username=username, password=password,
                               demo_mode=settings.demo_mode, hours=settings.session_hours)
        if result is None:
            return None
        agent, token = result
        return {"token": token, "agent": agent_json(agent)}


@router.post("/api/agent/login", responses={401: {}, 422: {}, 429: {}})
async def login(body: LoginIn, request: Request) -> dict:
    """After a few wrong passwords every next try waits longer; after more, the account (and an address
    that keeps trying) is locked out for 15 minutes. A right password clears the count."""
    if not body.username.strip() or not body.password or len(body.username) > 64 or len(body.password) > 256:
        raise HTTPException(422, detail="Vul je gebruikersnaam en wachtwoord in.")
    limits, settings = request.app.state.limits, request.app.state.settings
    username = body.username.strip().lower()
    address = client_address(request, settings.trusted_proxies)
    wait = await limits.before_login(username, address)
    if wait:
        await asyncio.sleep(wait)
    answer = await run_in_threadpool(_login, request, body.username, body.password)  # scrypt: off the event loop
    if answer is None:
        await limits.login_failed(username, address)
        logger.warning("failed login for %s from %s", username[:64], address)
        headers = {"Retry-After": str(int(wait))} if wait else None
        raise HTTPException(401, detail="Gebruikersnaam of wachtwoord klopt niet."
                            + (f" Na te veel pogingen wacht je steeds langer ({wait:g} s)." if wait else ""),
                            headers=headers)
    await limits.login_succeeded(username)
    return answer


@router.post("/api/agent/logout")
def logout(request: Request) -> dict:
    token = bearer(request)
    if token:
        with db(request) as session:
            service.logout(session, token=token)
    return {"ok": True}


@router.get("/api/agent/me", responses={401: {}})
def me(agent: Agent = SignedIn) -> dict:
    return agent_json(agent)


@router.post("/api/agent/status", responses={401: {}, 422: {}})
async def set_status(body: StatusIn, request: Request, agent: Agent = SignedIn) -> dict:
    """online: new chats are routed to you; away: you keep your chats but get no new ones;
    offline: your open chats go back to the queue."""
    return agent_json(await perform(request.app, flows.set_status, agent.id, body.status, routing=True))


def _agent_for(app, token: str) -> Agent | None:
    with db(app) as session:
        return service.agent_for_token(session, token=token, demo_mode=app.state.settings.demo_mode)


@router.websocket("/api/agent/ws")
async def agent_socket(websocket: WebSocket, token: str = "") -> None:
    """Pushes to the console. The console may send {"watch": conversation_id} for the conversation it
    shows; the heartbeat then carries that conversation's newest sequence number."""
    if not origin_allowed(websocket.headers.get("origin"), own_origin(websocket.headers, "http"), ()):
        await websocket.close(code=4403)  # the console is only for the desk's own page
        return
    if await run_in_threadpool(_agent_for, websocket.app, token) is None:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    hub = websocket.app.state.hub
    hub.add_agent(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            try:
                watched = json.loads(text).get("watch")
            except (ValueError, AttributeError):
                continue
            hub.watch(websocket, watched if isinstance(watched, str) and len(watched) <= 64 else None)
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove_agent(websocket)
