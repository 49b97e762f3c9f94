"""The agents' callback list: what is due, what is overdue, the context, and the outcome."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, StrictStr

from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn
from bot.desk.callbacks import flows, service
from bot.desk.deps import clean_text, db
from bot.desk.transaction import perform

router = APIRouter(tags=["callbacks"])


class OutcomeIn(BaseModel):
    outcome: StrictStr
    note: StrictStr = ""


@router.get("/api/callbacks", responses={401: {}})
def list_callbacks(request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        return service.lists(session, hours=request.app.state.hours.current())


@router.get("/api/callbacks/{callback_id}", responses={401: {}, 404: {}})
def callback_detail(callback_id: int, request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        return service.detail(session, hours=request.app.state.hours.current(), callback_id=callback_id)


@router.post("/api/callbacks/{callback_id}/outcome", responses={401: {}, 404: {}, 409: {}, 422: {}})
async def record_outcome(callback_id: int, body: OutcomeIn, request: Request, agent: Agent = SignedIn) -> dict:
    note = clean_text(body.note, max_chars=2000) if body.note.strip() else ""
    return await perform(request.app, flows.record_outcome, callback_id, agent.id, body.outcome, note)
