"""Privacy requests for admins (AVG): export and erasure by conversation, e-mail, phone or order number,
legal hold on a conversation, and the audit list. Personal data goes in request bodies, never in URLs
(those end up in access logs)."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from typing import Literal

from pydantic import StrictBool
from starlette.concurrency import run_in_threadpool

from bot.desk.agents.models import Agent
from bot.desk.auth import Admin
from bot.desk.deps import Input, db, typed
from bot.desk.privacy import service
from bot.desk.privacy.search import BadCriterion, Criterion

router = APIRouter(tags=["privacy"])


class RequestIn(Input):
    kind: Literal["conversation", "email", "phone", "order"]
    value: typed(254)


class EraseIn(RequestIn):
    confirm: StrictBool = False


class HoldIn(Input):
    hold: StrictBool


def _criterion(body: RequestIn) -> Criterion:
    try:
        return Criterion.parse(body.kind, body.value)
    except BadCriterion as exc:
        raise HTTPException(422, detail=str(exc)) from exc


@router.post("/api/privacy/export", responses={401: {}, 403: {}, 422: {}})
async def export(body: RequestIn, request: Request, agent: Agent = Admin) -> dict:
    """Every message, handoff, callback and rating of this customer, as JSON."""
    criterion = _criterion(body)

    def run() -> dict:
        with db(request) as session:
            return service.export(session, criterion=criterion, actor=agent.username, trackers=request.app.state.trackers)

    return await run_in_threadpool(run)


@router.post("/api/privacy/erase", responses={401: {}, 403: {}, 422: {}})
async def erase(body: EraseIn, request: Request, agent: Agent = Admin) -> dict:
    """Erases this customer's conversations in the desk and in Rasa's tracker store (not those on legal hold)."""
    criterion = _criterion(body)
    if not body.confirm:
        raise HTTPException(422, detail="Bevestig dat je alles van deze klant wilt wissen; dit kan niet ongedaan worden.")

    def run() -> dict:
        with db(request) as session:
            return {"erased": service.erase(session, criterion=criterion, actor=agent.username,
                                            trackers=request.app.state.trackers)}

    return await run_in_threadpool(run)


@router.put("/api/conversations/{conversation_id}/legal-hold", responses={401: {}, 403: {}, 404: {}})
async def legal_hold(conversation_id: str, body: HoldIn, request: Request, agent: Agent = Admin) -> dict:
    """A conversation on legal hold is kept: retention and erasure pass it by."""

    def run() -> bool | None:
        with db(request) as session:
            return service.set_legal_hold(session, conversation_id=conversation_id[:64], hold=body.hold,
                                          actor=agent.username)

    held = await run_in_threadpool(run)
    if held is None:
        raise HTTPException(404, detail="Dat gesprek bestaat niet (meer).")
    return {"conversation_id": conversation_id, "legal_hold": held}


@router.get("/api/privacy/audit", responses={401: {}, 403: {}})
async def audit(request: Request, agent: Agent = Admin) -> dict:
    def run() -> list[dict]:
        with db(request) as session:
            return [line.to_json() for line in service.audit_lines(session)]

    return {"lines": await run_in_threadpool(run)}
