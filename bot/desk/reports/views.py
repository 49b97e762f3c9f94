"""The team leads' dashboard data (admins): the same figures as `bot report`, and the CSV export."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse

from bot.desk.auth import Admin
from bot.desk.deps import db
from bot.desk.reports.render import to_csv
from bot.desk.reports.service import PeriodError, compute

router = APIRouter(tags=["reports"])
# 7d, 24h, 2w: 1 to 999 days, hours or weeks (as bot.reports.figures.parse_since reads it)
Since = Query("7d", pattern=r"^\s*(?!0+\s*[hdw])\d{1,3}\s*[hdw]\s*$")


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


def _report(request: Request, since: str):
    with db(request) as session:
        try:
            return compute(session, tz=request.app.state.hours.current().tz, since=since)
        except PeriodError as exc:
            raise HTTPException(422, detail=str(exc)) from exc


@router.get("/api/reports", dependencies=[Admin], responses={401: {}, 403: {}, 422: {}})
def report(request: Request, since: str = Since) -> dict:
    return _report(request, since).to_json()


@router.get("/api/reports.csv", response_class=CsvResponse, dependencies=[Admin],
            responses={401: {}, 403: {}, 422: {}})
def report_csv(request: Request, since: str = Since,
               keys: bool = Query(False, description="true: English metric names and raw keys (metric, key, "
                                                     "value) for scripts, instead of the Dutch headers and names")
               ) -> CsvResponse:
    """The report as CSV: Dutch headers (Onderdeel, Wat, Waarde) and names; `keys=true` for the keys."""
    text = to_csv(_report(request, since), keys=keys)
    name = "".join(since.split())  # "2 w" -> 2w: no whitespace (a CR would break the header) in the file name
    return CsvResponse(text, headers={"Content-Disposition": f'attachment; filename="balie-{name}.csv"'})
