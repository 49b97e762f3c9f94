"""Canned responses: every agent reads them, admins add, change and remove them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.desk.canned.models import CannedResponse
from bot.desk.errors import Conflict, NotFound

TITLE_TAKEN = "Er is al een standaardantwoord met deze titel."


def all_of(session: Session) -> list[CannedResponse]:
    return list(session.scalars(select(CannedResponse).order_by(CannedResponse.title)))


def add(session: Session, *, title: str, text: str, by: str) -> CannedResponse:
    row = CannedResponse(title=title, text=text, updated_by=by)
    session.add(row)
    return _saved(session, row)


def change(session: Session, *, canned_id: int, title: str, text: str, by: str) -> CannedResponse:
    row = _found(session, canned_id)
    row.title, row.text, row.updated_by = title, text, by
    return _saved(session, row)


def _saved(session: Session, row: CannedResponse) -> CannedResponse:
    """Written now, so that a title another answer has is refused here and not at the commit."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(TITLE_TAKEN) from exc
    return row


def remove(session: Session, *, canned_id: int) -> None:
    session.delete(_found(session, canned_id))


def _found(session: Session, canned_id: int) -> CannedResponse:
    row = session.get(CannedResponse, canned_id)
    if row is None:
        raise NotFound("Dit standaardantwoord bestaat niet.")
    return row
