"""Shared request helpers for the views: database sessions, input checks, auth headers, and the HTTP status
of each kind of refusal the domain raises (errors.py)."""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from bot.desk.errors import Conflict, Invalid, NotFound, NotSignedIn, Refused, Unavailable

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@contextmanager
def db(request_or_app) -> Iterator[Session]:
    app = getattr(request_or_app, "app", request_or_app)
    session: Session = app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def clean_text(text: str, *, max_chars: int) -> str:
    """Trimmed text, or an HTTP error: empty 422, control characters 422, too long 413."""
    cleaned = text.strip()
    if not cleaned:
        raise HTTPException(422, detail="Je bericht is leeg.")
    if _CONTROL.search(cleaned):
        raise HTTPException(422, detail="Je bericht bevat tekens die we niet kunnen lezen.")
    if len(cleaned) > max_chars:
        raise HTTPException(413, detail=f"Je bericht is te lang (maximaal {max_chars} tekens).")
    return cleaned


STATUS: dict[type[Refused], int] = {NotSignedIn: 401, NotFound: 404, Conflict: 409, Invalid: 422, Unavailable: 502}


async def refused(request: Request, exc: Refused) -> JSONResponse:
    """A refusal from a service or flow, as the HTTP answer the API documents."""
    status = next(code for kind, code in STATUS.items() if isinstance(exc, kind))
    return JSONResponse({"detail": exc.detail}, status_code=status)
