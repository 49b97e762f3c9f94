"""Agent login, logout and the agents' WebSocket."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, StrictStr

from bot.desk import routing
from bot.desk.agents import service
from bot.desk.agents.models import Agent
from bot.desk.callbacks import flow as callback_flow
from bot.desk.deps import bearer, db
from bot.desk.handoffs import service as handoffs

router = APIRouter(tags=["agent"])


class LoginIn(BaseModel):
    username: StrictStr
    password: StrictStr


class StatusIn(BaseModel):
    status: StrictStr


def agent_json(agent: Agent) -> dict:
    return {"id": agent.id, "username": agent.username, "first_name": agent.first_name, "role": agent.role,
            "status": agent.status}


def current_agent(request: Request, session) -> Agent:
    agent = service.agent_for_token(session, token=bearer(request), demo_mode=request.app.state.settings.demo_mode)
    if agent is None:
        raise HTTPException(401, detail="Log opnieuw in.")
    return agent


@router.post("/api/agent/login")
async def login(body: LoginIn, request: Request) -> dict:
    if not body.username.strip() or not body.password or len(body.username) > 64 or len(body.password) > 256:
        raise HTTPException(422, detail="Vul je gebruikersnaam en wachtwoord in.")
    settings = request.app.state.settings
    with db(request) as session:
        result = service.login(session, username=body.username, password=body.password,
                               demo_mode=settings.demo_mode, hours=settings.session_hours)
        if result is None:
            raise HTTPException(401, detail="Gebruikersnaam of wachtwoord klopt niet.")
        agent, token = result
        return {"token": token, "agent": agent_json(agent)}


@router.post("/api/agent/logout")
async def logout(request: Request) -> dict:
    token = bearer(request)
    if token:
        with db(request) as session:
            service.logout(session, token=token)
    return {"ok": True}


@router.get("/api/agent/me")
async def me(request: Request) -> dict:
    with db(request) as session:
        return agent_json(current_agent(request, session))


@router.post("/api/agent/status")
async def set_status(body: StatusIn, request: Request) -> dict:
    """online: new chats are routed to you; away: you keep your chats but get no new ones;
    offline: your open chats go back to the queue."""
    if body.status not in service.STATUSES:
        raise HTTPException(422, detail="Kies online, afwezig (away) of offline.")
    with db(request) as session:
        agent = current_agent(request, session)
        agent.status = body.status
        released = [h.conversation_id for h in handoffs.release(session, agent=agent)] if body.status == "offline" else []
        answer = agent_json(agent)
    for conversation_id in released:
        await routing.push_state(request.app, conversation_id, "queued")
    await routing.assign_waiting(request.app)
    await callback_flow.offer_to_waiters(request.app)  # the last one left: waiting customers get a callback offer
    return answer


@router.websocket("/api/agent/ws")
async def agent_socket(websocket: WebSocket, token: str = "") -> None:
    with db(websocket.app) as session:
        agent = service.agent_for_token(session, token=token, demo_mode=websocket.app.state.settings.demo_mode)
    if agent is None:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    hub = websocket.app.state.hub
    hub.add_agent(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove_agent(websocket)
