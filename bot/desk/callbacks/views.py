"""The agents' callback list: what is due, what is overdue, the context, and the outcome."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from typing import Literal


from bot.contact import display_phone
from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn
from bot.desk.callbacks import flow, service
from bot.desk.callbacks.models import OUTCOMES, Callback
from bot.desk.conversations import service as conversations
from bot.desk.deps import Input, RowId, clean_text, db, typed
from bot.desk.work import perform
from bot.desk.handoffs.models import Handoff
from bot.hours import BusinessHours, Window, window_label

router = APIRouter(tags=["callbacks"])


class OutcomeIn(Input):
    outcome: Literal["solved", "follow_up", "not_reached"]  # the keys of OUTCOMES
    note: typed(2000, may_be_empty=True) = ""


def _summary(session, hours: BusinessHours, callback: Callback) -> dict[str, Any]:
    handoff = session.get(Handoff, callback.handoff_id)
    window = Window(hours.local(service.aware(callback.slot_start)), hours.local(service.aware(callback.slot_end)))
    agent = session.get(Agent, callback.agent_id) if callback.agent_id else None
    return {
        "id": callback.id, "conversation_id": callback.conversation_id, "handoff_id": callback.handoff_id,
        "channel": callback.channel,
        "contact": display_phone(callback.contact) if callback.channel == "phone" else callback.contact,
        "slot_start": callback.slot_start.isoformat() + "Z", "slot_end": callback.slot_end.isoformat() + "Z",
        "due": window_label(window), "overdue": service.is_overdue(callback),
        "status": callback.status, "outcome": callback.outcome, "outcome_label": OUTCOMES.get(callback.outcome or ""),
        "outcome_note": callback.outcome_note, "agent": agent.first_name if agent else None,
        "reason": handoff.reason, "priority": handoff.priority, "summary": handoff.context.get("summary", ""),
    }


def _callback(session, callback_id: int) -> Callback:
    callback = session.get(Callback, callback_id)
    if callback is None or callback.status not in ("scheduled", "done"):
        raise HTTPException(404, detail="Dit terugbelverzoek bestaat niet.")
    return callback


@router.get("/api/callbacks", responses={401: {}})
def list_callbacks(request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        hours = flow.current_hours(request.app)  # once for the whole list
        return {"open": [_summary(session, hours, c) for c in service.open_list(session)],
                "done": [_summary(session, hours, c) for c in service.recent_done(session)],
                "outcomes": OUTCOMES}


@router.get("/api/callbacks/{callback_id}", responses={401: {}, 404: {}})
def callback_detail(callback_id: RowId, request: Request, agent: Agent = SignedIn) -> dict:
    with db(request) as session:
        callback = _callback(session, callback_id)
        handoff = session.get(Handoff, callback.handoff_id)
        messages = [m.to_json() for m in conversations.list_messages(
            session, conversation_id=callback.conversation_id, include_notes=True)]
        return {**_summary(session, flow.current_hours(request.app), callback), "context": handoff.context, "messages": messages}


def _record_outcome(work, callback_id: int, agent_id: int, outcome: str, note: str) -> dict:
    callback = _callback(work.session, callback_id)
    if callback.status != "scheduled":
        raise HTTPException(409, detail="Voor dit terugbelverzoek is de uitkomst al vastgelegd.")
    service.record_outcome(work.session, callback=callback, agent=work.session.get(Agent, agent_id), outcome=outcome,
                           note=note)
    work.tell_agents({"type": "callbacks_changed"})
    return _summary(work.session, flow.current_hours(work.app), callback)


@router.post("/api/callbacks/{callback_id}/outcome", responses={401: {}, 404: {}, 409: {}, 422: {}})
async def record_outcome(callback_id: RowId, body: OutcomeIn, request: Request, agent: Agent = SignedIn) -> dict:
    if body.outcome not in OUTCOMES:
        raise HTTPException(422, detail="Kies een uitkomst: " + ", ".join(OUTCOMES.values()) + ".")
    note = clean_text(body.note, max_chars=2000) if body.note.strip() else ""
    return await perform(request.app, _record_outcome, callback_id, agent.id, body.outcome, note)
