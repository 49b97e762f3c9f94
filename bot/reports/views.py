"""The team leads' dashboard data (admins): the same figures as `bot report`, and the CSV export."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse

from bot.desk.agents.views import current_agent
from bot.desk.deps import db
from bot.reports.figures import PeriodError, compute
from bot.reports.render import to_csv

router = APIRouter(tags=["reports"])


def _report(request: Request, since: str):
    with db(request) as session:
        if current_agent(request, session).role != "admin":
            raise HTTPException(403, detail="Het dashboard is voor teamleiders (beheerders).")
        try:
            return compute(session, since=since)
        except PeriodError as exc:
            raise HTTPException(422, detail=str(exc)) from exc


@router.get("/api/reports")
async def report(request: Request, since: str = "7d") -> dict:
    return _report(request, since).to_json()


@router.get("/api/reports.csv", response_class=PlainTextResponse)
async def report_csv(request: Request, since: str = "7d") -> PlainTextResponse:
    text = to_csv(_report(request, since))
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="balie-{since}.csv"'})
