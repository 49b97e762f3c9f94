"""The team leads' dashboard data (admins): the same figures as `bot report`, and the CSV export."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse

from bot.desk.auth import Admin
from bot.desk.deps import db
from bot.desk.reports.render import to_csv
from bot.desk.reports.service import PeriodError, compute

router = APIRouter(tags=["reports"])


def _report(request: Request, since: str):
    with db(request) as session:
        try:
            return compute(session, tz=request.app.state.hours.current().tz, since=since)
        except PeriodError as exc:
            raise HTTPException(422, detail=str(exc)) from exc


@router.get("/api/reports", dependencies=[Admin], responses={401: {}, 403: {}, 422: {}})
def report(request: Request, since: str = "7d") -> dict:
    return _report(request, since).to_json()


@router.get("/api/reports.csv", response_class=PlainTextResponse, dependencies=[Admin],
            responses={401: {}, 403: {}, 422: {}})
def report_csv(request: Request, since: str = "7d") -> PlainTextResponse:
    text = to_csv(_report(request, since))
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="balie-{since}.csv"'})
