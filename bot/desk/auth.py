"""Who is asking: staff sign-in and roles as FastAPI dependencies (they run in the worker threads)."""
from __future__ import annotations

from typing import Callable

from fastapi import Depends, HTTPException, Request

from bot.desk.agents import presence, service
from bot.desk.agents.models import Agent
from bot.desk.deps import bearer, db

ROLE_REFUSED = {
    "editor": "Dit deel van de desk is voor redacteuren.",
    "admin": "Dit deel van de desk is voor beheerders (teamleiders).",
}


def current_agent(request: Request) -> Agent:
    """The signed-in agent (any role), or 401."""
    with db(request) as session:
        agent = service.agent_for_token(session, token=bearer(request), demo_mode=request.app.state.settings.demo_mode)
        if agent is not None:
            presence.touch(session, agent)  # a request of her own: she is there
    if agent is None:
        raise HTTPException(401, detail="Log opnieuw in.")
    return agent


def require(role: str, refused: str | None = None) -> Callable[[Agent], Agent]:
    """Editors may edit (admins too); admins may do everything. `refused`: the 403 text, when the
    general one does not say enough."""
    allowed = {"editor": ("editor", "admin"), "admin": ("admin",)}[role]

    def dependency(agent: Agent = Depends(current_agent)) -> Agent:
        if agent.role not in allowed:
            raise HTTPException(403, detail=refused or ROLE_REFUSED[role])
        return agent

    return dependency


SignedIn = Depends(current_agent)
Editor = Depends(require("editor"))
Admin = Depends(require("admin"))
