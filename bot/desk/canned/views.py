"""Canned responses: every agent reads them, admins add, change and remove them."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.desk.agents.models import Agent
from bot.desk.auth import SignedIn, require
from bot.desk.canned.models import CannedResponse
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
        rows = session.scalars(select(CannedResponse).order_by(CannedResponse.title))
        return {"canned": [row.to_json() for row in rows]}


@router.post("/api/canned", status_code=201, responses={401: {}, 403: {}, 409: {}, 422: {}})
def add_canned(body: CannedIn, request: Request, admin: Agent = Admin) -> dict:
    title, text = _clean(body)
    try:
        with db(request) as session:
            row = CannedResponse(title=title, text=text, updated_by=admin.username)
            session.add(row)
            session.flush()
            return row.to_json()
    except IntegrityError as exc:
        raise HTTPException(409, detail="Er is al een standaardantwoord met deze titel.") from exc


@router.put("/api/canned/{canned_id}", responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}})
def change_canned(canned_id: RowId, body: CannedIn, request: Request, admin: Agent = Admin) -> dict:
    title, text = _clean(body)
    try:
        with db(request) as session:
            row = session.get(CannedResponse, canned_id)
            if row is None:
                raise HTTPException(404, detail="Dit standaardantwoord bestaat niet.")
            row.title, row.text, row.updated_by = title, text, admin.username
            session.flush()
            return row.to_json()
    except IntegrityError as exc:  # another one has that title already
        raise HTTPException(409, detail="Er is al een standaardantwoord met deze titel.") from exc


@router.delete("/api/canned/{canned_id}", dependencies=[Admin], responses={401: {}, 403: {}, 404: {}})
def remove_canned(canned_id: RowId, request: Request) -> dict:
    with db(request) as session:
        row = session.get(CannedResponse, canned_id)
        if row is None:
            raise HTTPException(404, detail="Dit standaardantwoord bestaat niet.")
        session.delete(row)
        return {"ok": True}
