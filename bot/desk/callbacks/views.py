"""The agents' callback list: what is due, what is overdue, the context, and the outcome."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request

from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn
from bot.desk.callbacks import flows, service
from bot.desk.deps import Input, RowId, clean_text, db, typed
from bot.desk.transaction import perform

router = APIRouter(tags=["callbacks"])


class OutcomeIn(Input):
    outcome: Literal["solved", "follow_up", "not_reached"]  # the keys of OUTCOMES
    note: typed(2000, may_be_empty=True) = ""


@router.get("/api/callbacks", responses={401: {}})
def list_callbacks(request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        return service.lists(session, hours=request.app.state.hours.current())


@router.get("/api/callbacks/{callback_id}", responses={401: {}, 404: {}})
def callback_detail(callback_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        return service.detail(session, hours=request.app.state.hours.current(), callback_id=callback_id)


@router.post("/api/callbacks/{callback_id}/outcome", responses={401: {}, 404: {}, 409: {}, 422: {}})
async def record_outcome(callback_id: RowId, body: OutcomeIn, request: Request, agent: Agent = SignedIn) -> dict:
    note = clean_text(body.note, max_chars=2000) if body.note.strip() else ""
    return await perform(request.app, flows.record_outcome, callback_id, agent.id, body.outcome, note)
