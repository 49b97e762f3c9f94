"""Agent login, logout, status and the agents' WebSocket."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response, WebSocket, WebSocketDisconnect
from fastapi import Path as PathParam
from pydantic import constr
from starlette.concurrency import run_in_threadpool

from bot.desk.agents import flows, lockout, presence, service
from bot.desk.agents.models import Agent
from bot.desk.auth import Admin, SignedIn
from bot.desk.deps import Input, bearer, db, typed
from bot.desk.errors import TooMany
from bot.desk.security import client_address, origin_allowed, own_origin
from bot.desk.transaction import perform

router = APIRouter(tags=["agent"])
logger = logging.getLogger(__name__)


class LoginIn(Input):
    username: typed(64, one_line=True)  # a line break in it could forge a log line
    password: constr(strict=True, min_length=1, max_length=256)


class StatusIn(Input):
    status: Literal["online", "away", "offline"]


def agent_json(agent: Agent) -> dict:
    return {"id": agent.id, "username": agent.username, "first_name": agent.first_name, "role": agent.role,
            "status": agent.status, "presence_notice": presence.notice(agent)}


DEVICE_COOKIE = "balie_device"  # a browser that signed in before (see lockout.py); only sent to the login
DEVICE_COOKIE_DAYS = 180


def _reserve(request: Request, username: str, address: str, device: str | None) -> lockout.Attempt:
    with db(request) as session:
        attempt = lockout.reserve(session, username=username, address=address, device_token=device,
                                  settings=request.app.state.settings)
    with db(request) as session:
        lockout.forget_expired(session)
    return attempt


def _login(request: Request, attempt: lockout.Attempt, password: str) -> tuple[dict, lockout.Welcome] | None:
    settings = request.app.state.settings
    with db(request) as session:
        result = service.login(session, username=attempt.username, password=password,
                               demo_mode=settings.demo_mode, hours=settings.session_hours)
        if result is None:
            lockout.failed(session, attempt=attempt)
            return None
        agent, token = result
        welcome = lockout.succeeded(session, attempt=attempt, agent=agent)
        answer = {"token": token, "agent": agent_json(agent)}
        if welcome.notice:
            answer["notice"] = welcome.notice
        return answer, welcome


@router.post("/api/agent/login", responses={401: {}, 422: {}, 429: {}})
async def login(body: LoginIn, request: Request, response: Response) -> dict:
    """Every attempt is counted before the password is checked (also for parallel attempts): after a few
    wrong passwords each next try waits longer, after more the account is locked from that address for
    15 minutes. A browser that signed in to the account before is not held up by others' attempts."""
    username = body.username.strip().lower()  # LoginIn refused empty ones, control characters, line breaks
    settings = request.app.state.settings
    address = client_address(request, settings.trusted_proxies)
    device = request.cookies.get(DEVICE_COOKIE)
    try:
        attempt = await run_in_threadpool(_reserve, request, username, address, device[:128] if device else None)
    except lockout.LoginRefused as refused:
        logger.warning("login refused for %s from %s (%s limit)", username, address, refused.scope)
        raise TooMany(str(refused), refused.retry_after) from None
    if attempt.wait:
        await asyncio.sleep(attempt.wait)
    result = await run_in_threadpool(_login, request, attempt, body.password)  # scrypt: off the event loop
    if result is None:
        logger.warning("failed login for %s from %s", username, address)
        headers = {"Retry-After": str(int(attempt.wait))} if attempt.wait else None
        slower = f" Na te veel pogingen wacht je steeds langer ({attempt.wait:g} s)." if attempt.wait else ""
        raise HTTPException(401, detail="Gebruikersnaam of wachtwoord klopt niet." + slower, headers=headers)
    answer, welcome = result
    if welcome.device_token:
        response.set_cookie(DEVICE_COOKIE, welcome.device_token, max_age=DEVICE_COOKIE_DAYS * 86400,
                            path="/api/agent/login", httponly=True, samesite="strict",
                            secure=own_origin(request.headers, request.url.scheme).startswith("https"))
    return answer


def _logout(request: Request, token: str) -> str:
    with db(request) as session:
        return service.logout(session, token=token)


@router.post("/api/agent/logout")
async def logout(request: Request) -> dict:
    """Ends this sign-in; the console's live connections with it close on every desk replica."""
    token = bearer(request)
    if token:
        digest = await run_in_threadpool(_logout, request, token)
        await request.app.state.relay.publish([{"to": "signed_out", "sessions": [digest]}])
    return {"ok": True}


@router.get("/api/agent/me", responses={401: {}})
def me(agent: Agent = SignedIn) -> dict:
    return agent_json(agent)


def _dismiss(request: Request, agent_id: int) -> dict:
    with db(request) as session:
        agent = session.get(Agent, agent_id)
        presence.dismiss(session, agent)
        return agent_json(agent)


@router.post("/api/agent/presence-notice/read", responses={401: {}})
async def presence_notice_read(request: Request, agent: Agent = SignedIn) -> dict:
    """She has read what the desk did while her console was gone: the notice is not shown again."""
    return await run_in_threadpool(_dismiss, request, agent.id)


@router.post("/api/agent/status", responses={401: {}, 422: {}})
async def set_status(body: StatusIn, request: Request, agent: Agent = SignedIn) -> dict:
    """online: new chats are routed to you; away: you keep your chats but get no new ones;
    offline: your open chats go back to the queue."""
    return agent_json(await perform(request.app, flows.set_status, agent.id, body.status, routing=True))


def _seen(app, agent_id: int) -> None:
    with db(app) as session:
        presence.seen(session, [agent_id])


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
    agent = await run_in_threadpool(_agent_for, websocket.app, token)
    if agent is None:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    hub = websocket.app.state.hub
    hub.add_agent(websocket, service.session_digest(token), agent.id)  # closed when this sign-in ends
    await run_in_threadpool(_seen, websocket.app, agent.id)  # her console is here: she is present from now on
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


# --- admins: who is locked out, and unlocking --------------------------------------------------------------
def _access(request: Request) -> list[dict]:
    with db(request) as session:
        return lockout.access(session, settings=request.app.state.settings)


@router.get("/api/agents/access", responses={401: {}, 403: {}})
async def access(request: Request, admin: Agent = Admin) -> dict:
    """Every account: whether it is locked out somewhere now (until when), and the wrong passwords tried
    since its last sign-in."""
    return {"agents": await run_in_threadpool(_access, request)}


def _unlock(request: Request, username: str, admin: str) -> int | None:
    with db(request) as session:
        cleared = lockout.unlock(session, username=username)
    logger.info("login counters of %s cleared by %s", username, admin)
    return cleared


@router.post("/api/agents/{username}/unlock", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def unlock(request: Request, username: str = PathParam(max_length=64), admin: Agent = Admin) -> dict:
    """Clears every lock of this account: the agent can sign in again from anywhere."""
    cleared = await run_in_threadpool(_unlock, request, username.strip().lower(), admin.username)
    if cleared is None:
        raise HTTPException(404, detail="Dit account bestaat niet.")
    return {"username": username.strip().lower(), "cleared": cleared}
