"""Canned responses: every agent reads them, admins add, change and remove them."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn, require
from bot.desk.canned import service
from bot.desk.deps import Input, RowId, clean_text, db, typed

router = APIRouter(tags=["canned responses"])


class CannedIn(Input):
    title: typed(80)
    text: typed(2000)


Admin = Depends(require("admin", "Alleen beheerders kunnen standaardantwoorden wijzigen."))


def _clean(body: CannedIn) -> tuple[str, str]:
    return clean_text(body.title, max_chars=80), clean_text(body.text, max_chars=2000)


@router.get("/api/canned", dependencies=[SignedIn], responses={401: {}})
def list_canned(request: Request) -> dict:
    with db(request) as session:
        return {"canned": [row.to_json() for row in service.all_of(session)]}


@router.post("/api/canned", status_code=201, responses={401: {}, 403: {}, 409: {}, 422: {}})
def add_canned(body: CannedIn, request: Request, admin: Agent = Admin) -> dict:
    title, text = _clean(body)
    with db(request) as session:
        return service.add(session, title=title, text=text, by=admin.username).to_json()


@router.put("/api/canned/{canned_id}", responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}})
def change_canned(canned_id: RowId, body: CannedIn, request: Request, admin: Agent = Admin) -> dict:
    title, text = _clean(body)
    with db(request) as session:
        return service.change(session, canned_id=canned_id, title=title, text=text, by=admin.username).to_json()


@router.delete("/api/canned/{canned_id}", dependencies=[Admin], responses={401: {}, 403: {}, 404: {}})
def remove_canned(canned_id: RowId, request: Request) -> dict:
    with db(request) as session:
        service.remove(session, canned_id=canned_id)
    return {"ok": True}
