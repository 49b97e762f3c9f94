"""GET /api/editor/backtest?since=7d: the editors' "Terugblik" (bot/desk/backtest/flows.py)."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request

from bot.desk.auth import Editor
from bot.desk.backtest import flows
from bot.desk.deps import db
from bot.desk.reports.service import PeriodError, parse_since

router = APIRouter(tags=["editors"])
Since = Query("7d", pattern=r"^\s*(?!0+\s*[hdw])\d{1,3}\s*[hdw]\s*$")  # as the reports: 7d, 24h, 2w


@router.get("/api/editor/backtest", dependencies=[Editor], responses={401: {}, 403: {}, 422: {}, 503: {}})
async def backtest(request: Request, since: str = Since) -> dict:
    try:
        period = parse_since(since)
    except PeriodError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    settings = request.app.state.settings
    try:
        data = await flows.review(session_scope=lambda: db(request), project_dir=settings.project_dir,
                                  rasa_url=settings.rasa_url, rasa_token=settings.rasa_token, period=period)
    except flows.BacktestUnavailable as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    return {"since": since.strip(), **data}

