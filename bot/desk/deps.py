"""Shared request helpers for the views: database sessions, input checks, auth headers, and the HTTP status
of each kind of refusal the domain raises (errors.py)."""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Annotated, Iterator

from fastapi import HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, constr, validator
from sqlalchemy.orm import Session

from bot.desk.errors import Conflict, Invalid, NotFound, NotSignedIn, Refused, TooMany, Unavailable

UNREADABLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # control characters (tab and line breaks are fine)
# What str.strip() takes off: spelt out, since regex engines disagree on what \s means.
SPACE = r"\t\n\r\x0b\x0c\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Half of a character (a lone UTF-16 surrogate, "\udc00" in JSON) cannot be stored or encoded; JSON Schema
# has no way to say so that tools understand, so every body field refuses it here (Input).
_HALF = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(f"[{UNREADABLE}\ud800-\udfff]")
ROW_ID_MAX = 2**31 - 1  # id columns are 32-bit on PostgreSQL; a larger number names no row (and broke SQLite)
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


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


def typed(max_chars: int | None, *, may_be_empty: bool = False, one_line: bool = False) -> type[str]:
    """A body field someone types, described as `clean_text` takes it (the API schema says so too): a
    string of at most `max_chars` (None: a limit set per desk, see api_docs), without control characters
    (`one_line`: without tabs and line breaks either), and with more than spaces in it unless it may be
    empty."""
    unreadable = r"\x00-\x1f\x7f" if one_line else UNREADABLE
    if may_be_empty:
        return constr(strict=True, max_length=max_chars, regex=rf"^[^{unreadable}]*$")
    return constr(strict=True, min_length=1, max_length=max_chars,
                  regex=rf"^[^{unreadable}]*[^{SPACE}{unreadable}][^{unreadable}]*$")


class Input(BaseModel):
    # A request body. A field that is sent has a value: null is refused, not taken for "left out"; and no
    # text holds half a character.

    @validator("*", pre=True)
    def _not_null(cls, value):  # noqa: N805 - pydantic
        if value is None:
            raise ValueError("null is not a value")
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and _HALF.search(text) for text in texts):
            raise ValueError("half a character")
        return value


def clean_text(text: str, *, max_chars: int) -> str:
    """Trimmed text, or an HTTP error: empty 422, control characters 422, too long 413 (judged on what was
    sent, as the API schema describes it)."""
    if _CONTROL.search(text):
        raise HTTPException(422, detail="Je bericht bevat tekens die we niet kunnen lezen.")
    if len(text) > max_chars:
        raise HTTPException(413, detail=f"Je bericht is te lang (maximaal {max_chars} tekens).")
    cleaned = text.strip()
    if not cleaned:
        raise HTTPException(422, detail="Je bericht is leeg.")
    return cleaned


STATUS: dict[type[Refused], int] = {NotSignedIn: 401, NotFound: 404, Conflict: 409, Invalid: 422, TooMany: 429,
                                    Unavailable: 502}


async def refused(request: Request, exc: Refused) -> JSONResponse:
    """A refusal from a service or flow, as the HTTP answer the API documents."""
    status = next(code for kind, code in STATUS.items() if isinstance(exc, kind))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooMany) else None
    return JSONResponse({"detail": exc.detail}, status_code=status, headers=headers)
